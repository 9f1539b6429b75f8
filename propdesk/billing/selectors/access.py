"""Fetching fee records for whoever asks: staff within their communities, owners their own houses.

Every page and endpoint gets houses, bills, payments and receipts through these helpers, so a
record of another community (or another owner's house) is a 404 that reveals nothing.
"""

from django.db.models import Q, QuerySet

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
from propdesk.estates import owner_access
from propdesk.estates.models import House
from propdesk.estates.selectors import house_for_user


def is_owner(user) -> bool:
    return owner_access.is_owner_account(user)


def owner_house_ids(user) -> list[int]:
    """The houses whose fees an owner account sees today (estates.owner_access)."""
    return owner_access.fee_house_ids(user)


def owner_past_house_ids(user) -> list[int]:
    """Houses an owner account owned until a transfer (its own bills there stay readable)."""
    return owner_access.past_house_ids(user)


# Which time field dates a row for an owner account's windows (its era, its past ownership).
_OWNER_WINDOWS = {
    Bill: {"at": "period", "as_datetime": False, "monthly": True},
    Payment: {"at": "received_at"},
    VacancyApplication: {"at": "applied_at"},
}


def owner_rows_q(user, model) -> Q:
    """The rows of `model` an owner account reads: of its era on the houses whose fees it sees,
    and of the time it owned a house it has since sold."""
    return owner_access.rows_q(user, fees=True, **_OWNER_WINDOWS[model])


def owner_bills_q(user) -> Q:
    return owner_rows_q(user, Bill)


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
        window = owner_access.rows_q(user, fees=True, **_OWNER_WINDOWS[queryset.model])
        found = queryset.filter(window, pk=pk).first()
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
        window = owner_access.rows_q(
            user, fees=True, at="payment__received_at", house="payment__house_id"
        )
        receipt = queryset.filter(window, pk=receipt_id).first()
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
