"""Fetching fee records for whoever asks: staff within their communities, owners their own houses.

Every page and endpoint gets houses, bills, payments and receipts through these helpers, so a
record of another community (or another owner's house) is a 404 that reveals nothing.
"""

from django.db.models import QuerySet

from propdesk.accounts.models import Role
from propdesk.billing.models import (
    Bill,
    BillingRun,
    LedgerAdjustment,
    Payment,
    Receipt,
    UtilitySettlement,
    VacancyApplication,
)
from propdesk.core.errors import NotFound
from propdesk.core.permissions import Perm, community_ids, get_scoped, has_perm, require
from propdesk.estates.models import House, Ownership
from propdesk.estates.selectors import house_for_user


def is_owner(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.OWNER)


def owner_house_ids(user) -> list[int]:
    """The houses an owner account holds now (through its archive record)."""
    if not is_owner(user):
        return []
    cached = getattr(user, "_propdesk_owner_house_ids", None)
    if cached is not None:
        return cached
    ids = list(
        Ownership.objects.filter(owner__user=user, end_on__isnull=True)
        .order_by("house_id")
        .values_list("house_id", flat=True)
    )
    user._propdesk_owner_house_ids = ids
    return ids


def house_for_billing(user, house_id, perm: Perm = Perm.BILLING_VIEW) -> House:
    """A house whose fees `user` may see (or act on with `perm`); NotFound otherwise."""
    if is_owner(user):
        if perm != Perm.BILLING_VIEW:
            require(user, perm)  # owners hold no staff permission: 403
        try:
            house_id = int(house_id)
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
        if house_id not in owner_house_ids(user):
            raise NotFound()
        return House.objects.select_related("community", "building", "unit").get(pk=house_id)
    return house_for_user(user, house_id, perm)


def _owner_scoped(queryset: QuerySet, user, pk, perm: Perm):
    if is_owner(user):
        if perm != Perm.BILLING_VIEW:
            require(user, perm)
        try:
            pk = int(pk)
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
        found = queryset.filter(pk=pk, house_id__in=owner_house_ids(user)).first()
        if found is None:
            raise NotFound()
        return found
    return get_scoped(queryset, user, pk, perm)


def bill_for_user(user, bill_id, perm: Perm = Perm.BILLING_VIEW) -> Bill:
    return _owner_scoped(Bill.objects.select_related("fee_item", "house"), user, bill_id, perm)


def payment_for_user(user, payment_id, perm: Perm = Perm.BILLING_VIEW) -> Payment:
    return _owner_scoped(
        Payment.objects.select_related("house", "received_by"), user, payment_id, perm
    )


def receipt_for_user(user, receipt_id, perm: Perm = Perm.BILLING_VIEW) -> Receipt:
    queryset = Receipt.objects.select_related("payment", "payment__house", "community")
    if is_owner(user):
        try:
            receipt_id = int(receipt_id)
        except (TypeError, ValueError) as exc:
            raise NotFound() from exc
        if perm != Perm.BILLING_VIEW:
            require(user, perm)
        receipt = queryset.filter(
            pk=receipt_id, payment__house_id__in=owner_house_ids(user)
        ).first()
        if receipt is None:
            raise NotFound()
        return receipt
    return get_scoped(queryset, user, receipt_id, perm)


def adjustment_for_user(user, adjustment_id, perm: Perm = Perm.BILLING_VIEW) -> LedgerAdjustment:
    return get_scoped(
        LedgerAdjustment.objects.select_related("house", "requested_by", "payment", "bill"),
        user,
        adjustment_id,
        perm,
    )


def vacancy_for_user(user, application_id, perm: Perm = Perm.BILLING_VIEW) -> VacancyApplication:
    return _owner_scoped(
        VacancyApplication.objects.select_related("house", "applied_by"),
        user,
        application_id,
        perm,
    )


def run_for_user(user, run_id) -> BillingRun:
    require(user, Perm.BILLING_VIEW)
    try:
        run_id = int(run_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    run = BillingRun.objects.filter(pk=run_id).first()
    allowed = set(community_ids(user))
    if run is None or not set(run.community_ids or [run.community_id]) <= allowed:
        raise NotFound()
    return run


def settlement_for_user(user, settlement_id) -> UtilitySettlement:
    return get_scoped(UtilitySettlement.objects.all(), user, settlement_id, Perm.BILLING_VIEW)


def billing_community_ids(user, perm: Perm = Perm.BILLING_VIEW) -> list[int]:
    """The communities whose fees `user` may see; empty without the permission."""
    return community_ids(user) if has_perm(user, perm) else []
