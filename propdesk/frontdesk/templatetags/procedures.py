"""Template helpers of the procedure pages: how the history names each action."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ACTION_LABELS = {
    "move_in_started": _("Move-in started"),
    "move_in_item_checked": _("Checklist item ticked"),
    "move_in_item_unchecked": _("Checklist item unticked"),
    "move_in_document_scanned": _("Document scanned into the archive"),
    "move_in_step": _("Step done"),
    "move_in_completed": _("Move-in completed"),
    "move_in_cancelled": _("Move-in cancelled"),
    "inspection_started": _("Inspection started"),
    "inspection_item_recorded": _("Item recorded"),
    "inspection_submitted": _("Inspection submitted"),
    "inspection_closed": _("Inspection closed"),
    "reinspection_started": _("Re-inspection started"),
    "permit_applied": _("Decoration applied for"),
    "permit_plan_filed": _("Plan filed"),
    "permit_identity_verified": _("Identity verified"),
    "permit_plan_reviewed": _("Plan reviewed"),
    "permit_agreement_signed": _("Agreement signed"),
    "permit_issued": _("Permit issued"),
    "permit_patrolled": _("Patrol recorded"),
    "permit_accepted": _("Works accepted"),
    "permit_deposit_refund_requested": _("Deposit refund requested"),
    "permit_cancelled": _("Application cancelled"),
}


@register.filter
def procedure_action(code: str) -> str:
    from propdesk.core.audit import ACTION_LABELS as REGISTRY_LABELS

    return str(ACTION_LABELS.get(code) or REGISTRY_LABELS.get(code, code))


FIELD_LABELS = {
    "step": _("step"),
    "item": _("item"),
    "document": _("archive document"),
    "applicant_kind": _("who came"),
    "failed": _("failed items"),
    "fee": _("decoration management fee"),
    "plan": _("plan"),
    "plan_decision": _("plan review"),
    "deposit": _("deposit"),
    "request": _("request"),
}


@register.filter
def procedure_field(name: str) -> str:
    from propdesk.core.audit import FIELD_LABELS as REGISTRY_FIELDS

    return str(FIELD_LABELS.get(name) or REGISTRY_FIELDS.get(name, name))


@register.filter
def procedure_value(value):
    """A step, checklist or status code in the history, by its name."""
    from propdesk.frontdesk.models import (
        ApplicantKind,
        InspectionStatus,
        MoveInStatus,
        Outcome,
        PermitStatus,
        PlanDecision,
    )
    from propdesk.frontdesk.procedures import DOCUMENTS, FORMS, STEPS

    if not isinstance(value, str):
        return value
    if value in STEPS:
        return str(STEPS[value])
    if value in DOCUMENTS:
        return str(DOCUMENTS[value][0])
    if value in FORMS:
        return str(FORMS[value])
    for choices in (
        ApplicantKind,
        MoveInStatus,
        InspectionStatus,
        PermitStatus,
        PlanDecision,
        Outcome,
    ):
        if value in choices.values:
            return str(choices(value).label)
    return value


@register.filter
def outcome_css(outcome: str) -> str:
    return {"pass": "text-bg-success", "fail": "text-bg-danger"}.get(outcome, "text-bg-secondary")


@register.filter
def status_css(status: str) -> str:
    return {
        "in_progress": "text-bg-primary",
        "open": "text-bg-primary",
        "applied": "text-bg-primary",
        "defects": "text-bg-warning",
        "issued": "text-bg-success",
        "completed": "text-bg-secondary",
        "closed": "text-bg-secondary",
        "cancelled": "text-bg-light",
    }.get(status, "text-bg-light")


@register.simple_tag
def active_permit_of(house):
    """The permit in force at `house` today, for pages of other apps that show it (noise)."""
    from propdesk.frontdesk.selectors import active_permit_for_house

    return active_permit_for_house(house) if house is not None else None
