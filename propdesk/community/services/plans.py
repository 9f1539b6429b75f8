"""Emergency plans (应急预案, seed 003 ch.4): each community's ordered checklist per kind of
incident. A community starts from the company defaults (`community.plans.DEFAULT_PLANS`) and
edits its own copy; opening an incident starts the steps of that copy."""

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.accounts.models import Department
from propdesk.community import error_codes
from propdesk.community.models import IncidentKind, PlanStep
from propdesk.community.plans import DEFAULT_PLANS
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community

MAX_STEPS = 30
MAX_DUE_MINUTES = 7 * 24 * 60


def _defaults(community: Community, kind: str) -> list[PlanStep]:
    departments = {d.code: d for d in Department.objects.all()}
    return [
        PlanStep(
            community=community,
            kind=kind,
            position=i,
            title=title,
            department=departments.get(code),
            due_minutes=minutes,
        )
        for i, (title, code, minutes) in enumerate(DEFAULT_PLANS[kind], start=1)
    ]


def plan_steps(*, community: Community, kind: str) -> list[PlanStep]:
    """The community's steps for `kind`, in order; the company defaults (unsaved) until the
    community saves its own."""
    clean_choice("kind", kind, IncidentKind)
    steps = list(
        PlanStep.objects.filter(community_id=community.id, kind=kind).select_related("department")
    )
    return steps or _defaults(community, kind)


def _clean_steps(steps) -> list[dict]:
    if not isinstance(steps, list | tuple):
        raise ValidationFailed(
            _("Send the steps as a list."), code=error_codes.BAD_STEPS, field="steps"
        )
    if not steps:
        raise ValidationFailed(
            _("A plan needs at least one step."), code=error_codes.BAD_STEPS, field="steps"
        )
    if len(steps) > MAX_STEPS:
        raise ValidationFailed(
            _("At most %(n)d steps.") % {"n": MAX_STEPS}, code=error_codes.TOO_MANY, field="steps"
        )
    departments = {d.id: d for d in Department.objects.all()}
    cleaned = []
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            raise ValidationFailed(
                _("Send each step with its title."), code=error_codes.BAD_STEPS, field="steps"
            )
        title = clean_text(f"steps.{i}.title", step.get("title"), max_length=200, required=True)
        department_id = step.get("department")
        department = None
        if department_id not in (None, ""):
            try:
                department = departments[int(department_id)]
            except (KeyError, TypeError, ValueError) as exc:
                raise ValidationFailed(
                    _("Choose one of the listed departments."),
                    code=error_codes.BAD_CHOICE,
                    field=f"steps.{i}.department",
                ) from exc
        minutes = step.get("due_minutes")
        try:
            minutes = int(minutes)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                _("Enter the minutes as a whole number."),
                code=error_codes.BAD_NUMBER,
                field=f"steps.{i}.due_minutes",
            ) from exc
        if isinstance(step.get("due_minutes"), bool) or not 0 <= minutes <= MAX_DUE_MINUTES:
            raise ValidationFailed(
                _("Enter between 0 and %(n)d minutes.") % {"n": MAX_DUE_MINUTES},
                code=error_codes.BAD_NUMBER,
                field=f"steps.{i}.due_minutes",
            )
        cleaned.append({"title": title, "department": department, "due_minutes": minutes})
    return cleaned


@transaction.atomic
def plan_save(*, actor, community: Community, kind: str, steps: list[dict]) -> list[PlanStep]:
    """Replace the community's plan for `kind` with `steps` (title, department id, minutes),
    in that order. Incidents already opened keep the tasks they started with."""
    require(actor, Perm.INCIDENT_PLANS, community.id)
    kind = clean_choice("kind", kind, IncidentKind)
    cleaned = _clean_steps(steps)
    before = [s.title for s in plan_steps(community=community, kind=kind)]
    PlanStep.objects.filter(community_id=community.id, kind=kind).delete()
    saved = PlanStep.objects.bulk_create(
        PlanStep(community=community, kind=kind, position=i, **values)
        for i, values in enumerate(cleaned, start=1)
    )
    audit.record_change(
        actor=actor,
        instance=community,
        action="incident_plan_saved",
        changes={"plan": [before, [s.title for s in saved]]},
        note=str(IncidentKind(kind).label),
    )
    return saved


@transaction.atomic
def plan_reset(*, actor, community: Community, kind: str) -> list[PlanStep]:
    """Go back to the company's default plan for `kind`."""
    require(actor, Perm.INCIDENT_PLANS, community.id)
    kind = clean_choice("kind", kind, IncidentKind)
    deleted, _rows = PlanStep.objects.filter(community_id=community.id, kind=kind).delete()
    if deleted:
        audit.record_change(
            actor=actor,
            instance=community,
            action="incident_plan_reset",
            note=str(IncidentKind(kind).label),
        )
    return plan_steps(community=community, kind=kind)
