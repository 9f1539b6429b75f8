"""Daily reconciliation (对账) of online payments with the providers' statements.

The worker (`portal.tasks.payments_reconcile`, each morning for the day before; or
`manage.py reconcile_payments --day YYYY-MM-DD`) fetches, for every company with credentials
at a provider, that provider's statement of the day (WeChat Pay's trade bill, Alipay's trade
bill) and matches it line by line with the orders paid here:

- matched: the same order number, paid here, for the same amount;
- missing here: paid at the provider, not recorded here (a lost notification). When the order
  is ours, the provider is asked about it (payment_order_check) and the payment is recorded with
  its receipt — once, whoever asks first; what cannot be recorded stays for finance;
- missing there: paid here on that day, not in the statement;
- amounts differ.

Finance resolves each difference on the reconciliation page (recorded after a check with the
provider, or explained with a note); a day is closed only when none is left. A closed day is
never reopened by a later run.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.permissions import Perm, communities_for, require
from propdesk.estates.models import Community
from propdesk.portal import error_codes
from propdesk.portal.models import PaymentOrder, ReconciliationDay, ReconciliationItem
from propdesk.portal.payments import CallbackRejected, ProviderError, credentials, provider_named
from propdesk.portal.services.payments import payment_order_check

Kind = ReconciliationItem.Kind
PROVIDERS = ("wechat", "alipay")


def _day_bounds(day: datetime.date):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def payments_reconcile(*, day: datetime.date) -> list[ReconciliationDay]:
    """Fetch every configured provider's statement of `day` and match it (the worker)."""
    done = []
    for name in PROVIDERS:
        for company_id in credentials.configured_companies(name):
            provider = provider_named(name, company_id)
            if provider is None:
                continue
            done.append(reconcile_company_day(provider=provider, company_id=company_id, day=day))
    return done


def reconcile_company_day(*, provider, company_id: int, day: datetime.date) -> ReconciliationDay:
    existing = ReconciliationDay.objects.filter(
        company_id=company_id, provider=provider.name, day=day
    ).first()
    if existing is not None and existing.status == ReconciliationDay.Status.CLOSED:
        return existing
    try:
        lines = provider.statement(day=day)  # a network call: outside any transaction
    except ProviderError as exc:
        row, _created = ReconciliationDay.objects.update_or_create(
            company_id=company_id,
            provider=provider.name,
            day=day,
            defaults={
                "status": ReconciliationDay.Status.FAILED,
                "failure": str(exc.message)[:200],
                "fetched_at": timezone.now(),
            },
        )
        return row
    row = _match(provider.name, company_id, day, lines)
    # Lost notifications: orders of ours the provider was paid for are checked and recorded.
    for item in row.items.filter(kind=Kind.MISSING_HERE, resolution=""):
        order = _order_of(item)
        if order is None:
            continue
        try:
            order = payment_order_check(order=order, actor=order.user)
        except (ProviderError, CallbackRejected):
            continue
        if (
            order.status == PaymentOrder.Status.PAID
            and order.amount_fen == item.provider_amount_fen
        ):
            ReconciliationItem.objects.filter(pk=item.pk, resolution="").update(
                resolution=ReconciliationItem.Resolution.RECORDED,
                note=_("Recorded automatically after checking with the provider."),
                resolved_at=timezone.now(),
            )
    return _close_if_done(row.pk)


def _order_of(item: ReconciliationItem) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.select_related("community", "user", "house")
        .filter(provider=item.day.provider, number=item.order_number)
        .filter(community__company_id=item.day.company_id)
        .first()
    )


@transaction.atomic
def _match(provider_name: str, company_id: int, day, lines) -> ReconciliationDay:
    row, _created = ReconciliationDay.objects.get_or_create(
        company_id=company_id,
        provider=provider_name,
        day=day,
        defaults={"status": ReconciliationDay.Status.OPEN},
    )
    row = ReconciliationDay.objects.select_for_update().get(pk=row.pk)
    if row.status == ReconciliationDay.Status.CLOSED:
        return row
    orders = PaymentOrder.objects.filter(provider=provider_name, community__company_id=company_id)
    start, end = _day_bounds(day)
    theirs = {line.order_number: line for line in lines}
    known = {o.number: o for o in orders.filter(number__in=list(theirs))}
    paid_that_day = {
        o.number: o
        for o in orders.filter(status=PaymentOrder.Status.PAID, paid_at__gte=start, paid_at__lt=end)
    }
    wanted = {}
    matched = 0
    for number, line in theirs.items():
        order = known.get(number)
        if order is None or order.status != PaymentOrder.Status.PAID:
            wanted[(number, Kind.MISSING_HERE)] = (order, line.transaction_id, line.amount_fen)
        elif order.amount_fen != line.amount_fen:
            wanted[(number, Kind.AMOUNT_DIFFERS)] = (order, line.transaction_id, line.amount_fen)
        else:
            matched += 1
    for number, order in paid_that_day.items():
        if number not in theirs:
            wanted[(number, Kind.MISSING_THERE)] = (order, order.transaction_id or "", None)
    # A later run (a late notification recorded meanwhile) drops differences that went away.
    row.items.filter(resolution="").exclude(
        Q(*[Q(order_number=n, kind=k) for n, k in wanted], _connector=Q.OR) if wanted else Q()
    ).delete()
    for (number, kind), (order, transaction_id, amount) in wanted.items():
        ReconciliationItem.objects.get_or_create(
            day=row,
            order_number=number[:40],
            kind=kind,
            defaults={
                "community_id": order.community_id if order else None,
                "transaction_id": transaction_id[:64],
                "provider_amount_fen": amount,
                "our_amount_fen": order.amount_fen if order else None,
            },
        )
    row.matched = matched
    row.provider_total_fen = sum(line.amount_fen for line in lines)
    row.our_total_fen = sum(o.amount_fen for o in paid_that_day.values())
    row.status = ReconciliationDay.Status.OPEN
    row.failure = ""
    row.fetched_at = timezone.now()
    row.save(
        update_fields=[
            "matched",
            "provider_total_fen",
            "our_total_fen",
            "status",
            "failure",
            "fetched_at",
        ]
    )
    return row


@transaction.atomic
def _close_if_done(day_id: int) -> ReconciliationDay:
    row = ReconciliationDay.objects.select_for_update().get(pk=day_id)
    if row.status == ReconciliationDay.Status.OPEN and not row.items.filter(resolution="").exists():
        row.status = ReconciliationDay.Status.CLOSED
        row.closed_at = timezone.now()
        row.save(update_fields=["status", "closed_at"])
    return row


# --- finance ----------------------------------------------------------------------------------


def reconciliation_days(user):
    """The days of the companies the user reconciles for (any community of theirs)."""
    require(user, Perm.PAYMENT_RECONCILE)
    companies = Community.objects.filter(
        pk__in=communities_for(user, Perm.PAYMENT_RECONCILE)
    ).values("company_id")
    return ReconciliationDay.objects.filter(company_id__in=companies)


def reconciliation_day_for(user, day_id) -> ReconciliationDay:
    try:
        day_id = int(day_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    row = reconciliation_days(user).filter(pk=day_id).first() if 0 < day_id < 2**63 else None
    if row is None:
        raise NotFound()
    return row


def reconciliation_items_for(user, row: ReconciliationDay):
    """A day's differences the user may resolve: their communities' (and unknown orders)."""
    mine = communities_for(user, Perm.PAYMENT_RECONCILE)
    return row.items.filter(Q(community__in=mine) | Q(community__isnull=True)).select_related(
        "resolved_by"
    )


def reconciliation_refetch(*, actor, day_id) -> ReconciliationDay:
    """Fetch the statement of an open or failed day again and match it anew."""
    row = reconciliation_day_for(actor, day_id)
    provider = provider_named(row.provider, row.company_id)
    if provider is None:
        raise Conflict(
            _("The provider is not configured any more."),
            code=error_codes.PROVIDER_NOT_CONFIGURED,
            field="provider",
        )
    return reconcile_company_day(provider=provider, company_id=row.company_id, day=row.day)


def reconciliation_resolve(*, actor, item_id, action: str, note: str = "") -> ReconciliationItem:
    """Resolve one difference: `record` (missing here: ask the provider and record the payment
    with its receipt) or `explain` (any difference, with a note of what was checked)."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError) as exc:
        raise NotFound(field="item") from exc
    item = ReconciliationItem.objects.select_related("day").filter(pk=item_id).first()
    if item is None or item.pk not in set(
        reconciliation_items_for(actor, reconciliation_day_for(actor, item.day_id)).values_list(
            "pk", flat=True
        )
    ):
        raise NotFound(field="item")
    if item.resolution:
        raise Conflict(
            _("This difference is already resolved."),
            code=error_codes.NOT_RESOLVABLE,
            field="item",
        )
    note = str(note or "").strip()
    if "\x00" in note or len(note) > 300:
        raise ValidationFailed(_("Write a note of at most 300 characters."), field="note")
    if action == "record":
        order = _order_of(item)
        if item.kind != Kind.MISSING_HERE or order is None:
            raise Conflict(
                _("Only a payment made for one of our orders can be recorded."),
                code=error_codes.NOT_RESOLVABLE,
                field="action",
            )
        order = payment_order_check(order=order, actor=actor)  # network, then its own lock
        if order.status != PaymentOrder.Status.PAID:
            raise Conflict(
                _("The provider does not confirm this payment: nothing was recorded."),
                code=error_codes.NOT_RESOLVABLE,
                field="action",
            )
        resolution = ReconciliationItem.Resolution.RECORDED
    elif action == "explain":
        if len(note) < 4:
            raise ValidationFailed(
                _("Write what was checked with the provider (4 characters or more)."),
                field="note",
            )
        resolution = ReconciliationItem.Resolution.NOTED
    else:
        raise ValidationFailed(_("Choose how to resolve the difference."), field="action")
    with transaction.atomic():
        updated = ReconciliationItem.objects.filter(pk=item.pk, resolution="").update(
            resolution=resolution, note=note, resolved_by=actor, resolved_at=timezone.now()
        )
        if not updated:
            raise Conflict(
                _("This difference is already resolved."),
                code=error_codes.NOT_RESOLVABLE,
                field="item",
            )
        item.refresh_from_db()
        audit.record_change(
            actor=actor,
            instance=item,
            action="reconciliation_resolved",
            changes={"resolution": [None, resolution]},
            note=note,
            object_repr=item.order_number,
        )
    _close_if_done(item.day_id)
    return item
