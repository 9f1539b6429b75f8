"""Assessment rules (考核规则): the weights of the six dimensions and the deductions, the
company's row (no community) or a community's own, changed through this module only, each change
in the history (who, when, before → after).

Checks: each weight a whole number from 0 to 100 and the six adding up to 100; the deductions
whole points from 0 to 100; the data-entry error target a percentage from 0 to 20 with at most
one decimal. The company's rules are an administrator's; a supervisor sets (or removes, going
back to the company's) the rules of the communities they work in.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.core.permissions import Perm, is_company_wide, require
from propdesk.quality import error_codes
from propdesk.quality.models import AssessmentRules
from propdesk.quality.models.assessment import DIMENSIONS
from propdesk.quality.services.assessment import rules_for

WEIGHTS = tuple(f"weight_{name}" for name in DIMENSIONS)
POINTS = ("late_feedback_points", "overdue_points", "entry_error_points")
TARGET = "entry_error_target_percent"
FIELDS = (*WEIGHTS, *POINTS, TARGET)
MAX_TARGET = Decimal(20)


def _require_scope(actor, community) -> None:
    if community is None:
        require(actor, Perm.ASSESSMENT_MANAGE)
        if not is_company_wide(actor):
            raise PermissionDenied(
                _("Only an administrator changes the company's rules."),
                code=error_codes.COMPANY_RULES,
            )
    else:
        require(actor, Perm.ASSESSMENT_MANAGE, community.pk)


def _whole(name: str, value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        number = None
    if number is None or not 0 <= number <= 100:
        raise ValidationFailed(
            _("Enter a whole number from 0 to 100."), code=error_codes.BAD_VALUE, field=name
        )
    return number


def clean_rules(values: dict) -> dict:
    """The rules' values checked, every field present; an error names its field."""
    cleaned = {}
    for name in FIELDS:
        if name not in values or values[name] is None or values[name] == "":
            raise ValidationFailed(_("Enter a value."), code=error_codes.BAD_VALUE, field=name)
    for name in (*WEIGHTS, *POINTS):
        cleaned[name] = _whole(name, values[name])
    try:
        target = Decimal(str(values[TARGET]).strip()[:20])
        if not target.is_finite() or target != target.quantize(Decimal("0.1")):
            raise InvalidOperation
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a percentage from 0 to 20 with at most one decimal."),
            code=error_codes.BAD_VALUE,
            field=TARGET,
        ) from exc
    if not Decimal(0) <= target <= MAX_TARGET:
        raise ValidationFailed(
            _("Enter a percentage from 0 to 20 with at most one decimal."),
            code=error_codes.BAD_VALUE,
            field=TARGET,
        )
    cleaned[TARGET] = target.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    total = sum(cleaned[name] for name in WEIGHTS)
    if total != 100:
        raise ValidationFailed(
            _("The six weights add up to %(total)s; they must add up to 100.") % {"total": total},
            code=error_codes.WEIGHTS_SUM,
            field="weight_attitude",
        )
    return cleaned


@transaction.atomic
def rules_save(*, actor, community=None, values: dict) -> AssessmentRules:
    """Set the company's rules (community None) or a community's own; the history keeps the
    change. Months already computed keep their scores until they are computed again."""
    _require_scope(actor, community)
    cleaned = clean_rules(values)
    community_id = community.pk if community is not None else None
    row = (
        AssessmentRules.objects.select_for_update()
        .filter(Q(community_id=community_id) if community_id else Q(community__isnull=True))
        .first()
    )
    if row is None:
        inherited = rules_for(community_id) if community_id else AssessmentRules()
        row = AssessmentRules(
            community=community, **{name: getattr(inherited, name) for name in FIELDS}
        )
        changes = audit.apply_changes(row, cleaned)
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError as exc:
            raise ValidationFailed(
                _("These rules were just created by someone else; open them again."),
                code=error_codes.BAD_VALUE,
                field="community",
            ) from exc
        audit.record_change(actor=actor, instance=row, action="create", changes=changes)
        return row
    changes = audit.apply_changes(row, cleaned)
    if changes:
        row.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=row, action="update", changes=changes)
    return row


@transaction.atomic
def rules_remove(*, actor, community) -> bool:
    """A community goes back to the company's rules (its own row removed, kept in the history)."""
    _require_scope(actor, community)
    row = AssessmentRules.objects.select_for_update().filter(community=community).first()
    if row is None:
        return False
    audit.record_change(
        actor=actor,
        instance=row,
        action="delete",
        changes={name: [getattr(row, name), None] for name in FIELDS},
    )
    row.delete()
    return True


def rules_history(*, actor, community=None, limit: int = 50):
    """The changes of the company's rules or of one community's, newest first (supervisors read
    the company's too: their communities follow them)."""
    if community is not None:
        require(actor, Perm.ASSESSMENT_MANAGE, community.pk)
    else:
        require(actor, Perm.ASSESSMENT_MANAGE)
    events = AuditEvent.objects.filter(object_type=AssessmentRules._meta.model_name)
    events = (
        events.filter(community_id=community.pk)
        if community is not None
        else events.filter(community_id__isnull=True)
    )
    return events.select_related("actor").order_by("-at", "-id")[:limit]
