"""Reads of the front-desk procedures for pages, the API and other apps, scoped to who asks."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from propdesk.billing.models import LedgerAdjustment
from propdesk.billing.selectors.accounts import bill_outstanding_fen
from propdesk.core.models import AuditEvent
from propdesk.core.permissions import Perm, get_scoped, scope
from propdesk.estates.models import House
from propdesk.frontdesk.models import (
    DecorationPatrol,
    DecorationPermit,
    DecorationRules,
    Inspection,
    InspectionItem,
    InspectionResult,
    MoveIn,
    PermitStatus,
)

# --- configuration ----------------------------------------------------------------------------


def decoration_rules_for(community_id: int) -> DecorationRules:
    """The community's own rules, else the company default, else the built-in defaults."""
    rows = {
        row.community_id: row
        for row in DecorationRules.objects.filter(
            Q(community_id=community_id) | Q(community__isnull=True)
        )
    }
    return rows.get(community_id) or rows.get(None) or DecorationRules()


def inspection_items_for(community_id: int, *, include_inactive: bool = False) -> list:
    """The community's checklist when it has its own, else the company defaults."""
    items = InspectionItem.objects.filter(community_id=community_id)
    if not items.exists():
        items = InspectionItem.objects.filter(community__isnull=True)
    if not include_inactive:
        items = items.filter(active=True)
    return list(items.order_by("sort_order", "id"))


# --- move-in ----------------------------------------------------------------------------------


def move_in_for_user(user, move_in_id, perm: Perm = Perm.FRONTDESK_VIEW) -> MoveIn:
    return get_scoped(
        MoveIn.objects.select_related("house", "owner", "agent", "community"),
        user,
        move_in_id,
        perm,
    )


def move_in_list(
    user, *, community_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[MoveIn]:
    rows = scope(MoveIn.objects.all(), user, Perm.FRONTDESK_VIEW)
    if community_id:
        rows = rows.filter(community_id=community_id)
    if status:
        rows = rows.filter(status=status)
    q = (q or "").strip()
    if q:
        rows = rows.filter(
            Q(house__code__startswith=q.upper())
            | Q(number__startswith=q.upper())
            | Q(person_name__startswith=q)
        )
    return rows.select_related("house", "owner", "community").order_by("-started_at", "-id")


def move_in_detail(user, move_in_id) -> MoveIn:
    move_in = move_in_for_user(user, move_in_id)
    move_in.step_list = list(move_in.steps.select_related("done_by"))
    items = list(move_in.items.select_related("checked_by", "document"))
    move_in.document_items = [i for i in items if i.group == "document"]
    move_in.form_items = [i for i in items if i.group == "form"]
    move_in.inspection_list = list(
        move_in.inspections.prefetch_related("results").order_by("started_at", "id")
    )
    move_in.next_step = next((s for s in move_in.step_list if not s.is_done), None)
    move_in.timeline = _timeline("movein", move_in.id)
    return move_in


# --- inspections ------------------------------------------------------------------------------


def inspection_for_user(user, inspection_id, perm: Perm = Perm.FRONTDESK_VIEW) -> Inspection:
    return get_scoped(
        Inspection.objects.select_related("house", "community", "move_in", "reinspection_of"),
        user,
        inspection_id,
        perm,
    )


def inspection_result_for_user(user, result_id, perm: Perm = Perm.FRONTDESK_VIEW):
    return get_scoped(InspectionResult.objects.select_related("inspection"), user, result_id, perm)


def inspection_list(
    user, *, community_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[Inspection]:
    rows = scope(Inspection.objects.all(), user, Perm.FRONTDESK_VIEW)
    if community_id:
        rows = rows.filter(community_id=community_id)
    if status:
        rows = rows.filter(status=status)
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(house__code__startswith=q.upper()) | Q(number__startswith=q.upper()))
    return rows.select_related("house", "community", "started_by").order_by("-started_at", "-id")


def inspection_detail(user, inspection_id) -> Inspection:
    inspection = inspection_for_user(user, inspection_id)
    inspection.result_list = list(inspection.results.select_related("checked_by", "repair_request"))
    inspection.reinspection_list = list(inspection.reinspections.order_by("started_at", "id"))
    inspection.timeline = _timeline("inspection", inspection.id)
    return inspection


# --- decoration permits -----------------------------------------------------------------------


def permit_for_user(user, permit_id, perm: Perm = Perm.FRONTDESK_VIEW) -> DecorationPermit:
    return get_scoped(
        DecorationPermit.objects.select_related(
            "house",
            "owner",
            "agent",
            "fee_bill",
            "community",
            "plan_reviewed_by",
            "identity_verified_by",
            "agreement_signed_by",
            "issued_by",
        ),
        user,
        permit_id,
        perm,
    )


def permit_list(
    user, *, community_id: int | None = None, status: str = "", q: str = ""
) -> QuerySet[DecorationPermit]:
    rows = scope(DecorationPermit.objects.all(), user, Perm.FRONTDESK_VIEW)
    if community_id:
        rows = rows.filter(community_id=community_id)
    if status:
        rows = rows.filter(status=status)
    q = (q or "").strip()
    if q:
        rows = rows.filter(
            Q(house__code__startswith=q.upper())
            | Q(number__startswith=q.upper())
            | Q(contractor_name__startswith=q)
        )
    return rows.select_related("house", "owner", "community").order_by("-applied_at", "-id")


@dataclass(frozen=True)
class DepositState:
    """Where a permit's deposit stands in the fee ledger.

    `status`: "none" (the community takes none), "unpaid" (billed, owed at the cashier desk),
    "paid", "refund_pending" (a refund waits for a supervisor's approval) or "refunded"."""

    status: str
    refunded_at: datetime.datetime | None = None
    refund_rejected: bool = False


def deposit_state(permit: DecorationPermit) -> DepositState:
    if not permit.deposit_fen or permit.deposit_bill_id is None:
        return DepositState("none")
    refund = permit.deposit_refund
    if refund is not None and refund.status == LedgerAdjustment.Status.APPROVED:
        return DepositState("refunded", refunded_at=refund.decided_at)
    if refund is not None and refund.status == LedgerAdjustment.Status.PENDING:
        return DepositState("refund_pending")
    rejected = refund is not None  # a rejected refund may be asked for again
    if bill_outstanding_fen(permit.deposit_bill) > 0:
        return DepositState("unpaid", refund_rejected=rejected)
    return DepositState("paid", refund_rejected=rejected)


def permit_detail(user, permit_id) -> DecorationPermit:
    permit = permit_for_user(user, permit_id)
    permit.deposit_state = deposit_state(permit)
    permit.plan_list = list(permit.plan_documents.order_by("id"))
    permit.patrol_list = list(
        DecorationPatrol.objects.filter(permit=permit)
        .select_related("patrolled_by", "request")
        .order_by("-patrolled_at", "-id")
    )
    permit.rules = decoration_rules_for(permit.community_id)
    permit.timeline = _timeline("decorationpermit", permit.id)
    return permit


def active_permit_for_house(house: House, *, on: datetime.date | None = None):
    """The permit under which works may go on at `house` today (noise complaints show it)."""
    on = on or timezone.localdate()
    permit = (
        DecorationPermit.objects.filter(
            community_id=house.community_id,
            house_id=house.pk,
            status=PermitStatus.ISSUED,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .select_related("house")
        .order_by("-issued_at")
        .first()
    )
    if permit is not None:
        permit.rules = decoration_rules_for(house.community_id)
    return permit


def _timeline(object_type: str, object_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )
