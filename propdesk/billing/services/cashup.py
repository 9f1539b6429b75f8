"""Daily cash-up (日结): a cashier closes the payments taken since their last cash-up, with the
count and total per payment method, for the hand-over of cash and slips to finance."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import documents, error_codes
from propdesk.billing.models import CashUp, Payment
from propdesk.billing.selectors.reports import CashReport, _reversed_payment_ids
from propdesk.core import audit
from propdesk.core.errors import Conflict, PermissionDenied
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.estates.models import Community


@transaction.atomic
def cash_up_close(*, actor, community: Community, cashier=None) -> CashUp:
    """Close the open payments of `cashier` (default: the actor) in `community`.

    A cashier closes their own; a supervisor may close anyone's. Reversed payments are listed
    with the cash-up but not counted in it.
    """
    require(actor, Perm.PAYMENT_TAKE, community.id)
    cashier = cashier or actor
    if cashier.pk != actor.pk and not has_perm(actor, Perm.LEDGER_ADJUST_APPROVE):
        raise PermissionDenied(
            _("Only a supervisor closes another cashier's takings."),
            code=error_codes.ROLE_FORBIDDEN,
        )
    now = timezone.now()
    open_ids = list(
        Payment.objects.select_for_update()
        .filter(
            community=community, received_by=cashier, cash_up__isnull=True, received_at__lte=now
        )
        .values_list("id", flat=True)
    )
    if not open_ids:
        raise Conflict(_("There are no payments to close."), code=error_codes.NOTHING_TO_CLOSE)
    reversed_ids = _reversed_payment_ids(open_ids)
    totals: dict[str, dict] = {}
    count = total = 0
    for payment in Payment.objects.filter(id__in=open_ids).exclude(id__in=reversed_ids):
        row = totals.setdefault(payment.method, {"count": 0, "fen": 0})
        row["count"] += 1
        row["fen"] += payment.amount_fen
        count += 1
        total += payment.amount_fen
    cash_up = CashUp.objects.create(
        community=community,
        cashier=cashier,
        business_date=timezone.localdate(),
        payment_count=count,
        total_fen=total,
        totals=totals,
        closed_by=actor,
        closed_at=now,
    )
    Payment.objects.filter(id__in=open_ids).update(cash_up=cash_up)
    audit.record_change(
        actor=actor,
        instance=cash_up,
        action="cash_up",
        changes={"total": [None, str(cash_up.total)], "payments": [None, count]},
        object_repr=f"{cashier.display_name} {cash_up.business_date}",
    )
    return cash_up


def cash_report_xlsx(report: CashReport) -> bytes:
    """The day's cash report as a workbook: totals per cashier and method, then every payment."""
    summary = [[r.cashier, r.method_label, r.count, r.amount] for r in report.rows]
    summary.append([str(_("Total")), "", sum(r.count for r in report.rows), report.total])
    payments = [
        [
            p.receipt.display_number if hasattr(p, "receipt") else "",
            timezone.localtime(p.received_at).strftime("%Y-%m-%d %H:%M"),
            p.paid_for,
            p.received_by.display_name,
            str(p.get_method_display()),
            p.amount,
            p.reference,
            str(_("Reversed")) if p.is_reversed else "",
        ]
        for p in report.payments
    ]
    return documents.workbook(
        [
            (
                str(_("Cash-up %(day)s") % {"day": report.day.isoformat()}),
                [str(_("Cashier")), str(_("Method")), str(_("Payments")), str(_("Amount"))],
                summary,
            ),
            (
                str(_("Payments")),
                [
                    str(_("Receipt")),
                    str(_("Received at")),
                    str(_("House")),
                    str(_("Cashier")),
                    str(_("Method")),
                    str(_("Amount")),
                    str(_("Reference")),
                    str(_("Status")),
                ],
                payments,
            ),
        ]
    )
