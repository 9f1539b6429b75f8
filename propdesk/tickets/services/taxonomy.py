"""Changing what requests are made of — kinds, urgencies, categories — where they go (routing
rules) and when the service centre works (the working calendar), each change in the history.

- Kinds, urgencies and categories are the company's: only administrators add or change them.
  Their code is stable (requests, SLA policies and integrations name it) and a row is
  deactivated, never deleted; the last active row of a list stays.
- Routing rules and the working calendar belong to a community, or with no community to the whole
  company: supervisors change their communities' rows (`requests.configure`), administrators also
  the company's (tickets.services.configure.require_configure).
- Every change writes a history row (core.audit: who, what, before → after). The Django admin
  shows these rows read-only; the console's configuration pages and the API call these services.
"""

import datetime
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from propdesk.accounts.models import Department
from propdesk.core import audit
from propdesk.core.calendar_models import CalendarOverride, WorkingHours
from propdesk.core.cleaning import clean_date, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.core.permissions import Perm, require
from propdesk.tickets import error_codes
from propdesk.tickets.models import Category, RequestKind, RoutingRule, Urgency
from propdesk.tickets.services.configure import require_configure

TAXONOMY = {"kind": RequestKind, "urgency": Urgency, "category": Category}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
TIME_RE = re.compile(r"^\d{2}:\d{2}(:00)?$")
MAX_DESCRIPTION = 1000


def _clean_bool(field: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1", "true", "false", "on", ""):
        return value in (1, "1", "true", "on")
    raise ValidationFailed(_("Answer yes or no."), field=field)


def _clean_order(value) -> int:
    if value in (None, ""):
        return 0
    text = str(value)
    if isinstance(value, bool) or not text.isdigit() or int(text) > 999:
        raise ValidationFailed(_("Enter a whole number from 0 to 999."), field="sort_order")
    return int(text)


def _clean_code(value) -> str:
    code = clean_text("code", value, max_length=40, required=True)
    if not CODE_RE.match(code):
        raise ValidationFailed(
            _("Use 2 to 40 lower-case letters, digits and underscores, starting with a letter."),
            code=error_codes.BAD_CODE,
            field="code",
        )
    return code


def _clean_department_code(value) -> str:
    code = clean_text("department_code", value, max_length=40)
    if code and not Department.objects.filter(code=code).exists():
        raise ValidationFailed(
            _("Choose one of the listed departments."),
            code=error_codes.UNKNOWN_DEPARTMENT,
            field="department_code",
        )
    return code


def _taxonomy_cleaners(model) -> dict:
    cleaners = {
        "name": lambda v: clean_text("name", v, max_length=60, required=True),
        "name_en": lambda v: clean_text("name_en", v, max_length=60),
        "sort_order": _clean_order,
        "is_active": lambda v: _clean_bool("is_active", v),
    }
    if model in (Category, Urgency):
        cleaners["description"] = lambda v: clean_text("description", v, max_length=MAX_DESCRIPTION)
    if model is Category:
        cleaners["department_code"] = _clean_department_code
        cleaners["refers_outside"] = lambda v: _clean_bool("refers_outside", v)
        cleaners["common_area"] = lambda v: _clean_bool("common_area", v)
    if model is Urgency:
        cleaners["is_emergency"] = lambda v: _clean_bool("is_emergency", v)
    return cleaners


def _taxonomy_model(kind: str):
    model = TAXONOMY.get(kind)
    if model is None:
        raise ValidationFailed(_("Choose one of the listed values."), field="kind")
    return model


@transaction.atomic
def taxonomy_create(*, actor, kind: str, code, **values):
    """Add a request kind, urgency or category (administrators)."""
    model = _taxonomy_model(kind)
    require_configure(actor, None)
    code = _clean_code(code)
    cleaners = _taxonomy_cleaners(model)
    cleaned = {name: cleaners[name](value) for name, value in values.items() if name in cleaners}
    if "name" not in cleaned:
        cleaned["name"] = cleaners["name"]("")
    if model.objects.filter(code=code).exists():
        raise Conflict(
            _("This code is taken: choose another."), code=error_codes.CODE_TAKEN, field="code"
        )
    row = model.objects.create(code=code, **cleaned)
    audit.record_change(
        actor=actor,
        instance=row,
        action="create",
        changes={"code": [None, code], **{name: [None, value] for name, value in cleaned.items()}},
    )
    return row


@transaction.atomic
def taxonomy_update(*, actor, row, **values):
    """Change a kind's, urgency's or category's names, order, department or switches; the code
    stays. Switching the last active row of its list off is refused."""
    require_configure(actor, None)
    model = type(row)
    row = model.objects.select_for_update().get(pk=row.pk)
    cleaners = _taxonomy_cleaners(model)
    cleaned = {name: cleaners[name](value) for name, value in values.items() if name in cleaners}
    others_active = model.objects.filter(is_active=True).exclude(pk=row.pk)
    if cleaned.get("is_active") is False and row.is_active and not others_active.exists():
        raise Conflict(
            _("At least one of these must stay in use."),
            code=error_codes.LAST_ACTIVE,
            field="is_active",
        )
    changes = audit.apply_changes(row, cleaned)
    if changes:
        row.save(update_fields=list(changes))
        action = "update"
        if list(changes) == ["is_active"]:
            action = "activate" if row.is_active else "deactivate"
        audit.record_change(actor=actor, instance=row, action=action, changes=changes)
    return row


# --- routing rules ----------------------------------------------------------------------------


def _rule_words(rule: RoutingRule) -> dict:
    return {
        "community": rule.community.name if rule.community_id else None,
        "category": rule.category.code,
        "department": rule.department.code,
        "is_lead": rule.is_lead,
    }


@transaction.atomic
def routing_rule_create(*, actor, community, category, department, is_lead=True) -> RoutingRule:
    """Send a category's requests to a department, in one community or (no community) in all."""
    require_configure(actor, community.pk if community is not None else None)
    rule = RoutingRule(
        community=community,
        category=category,
        department=department,
        is_lead=_clean_bool("is_lead", is_lead),
    )
    try:
        with transaction.atomic():
            rule.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("This department already takes this category here."),
            code=error_codes.RULE_EXISTS,
            field="department",
        ) from exc
    audit.record_change(
        actor=actor,
        instance=rule,
        action="create",
        changes={name: [None, value] for name, value in _rule_words(rule).items()},
    )
    return rule


@transaction.atomic
def routing_rule_update(*, actor, rule: RoutingRule, department=None, is_lead=None) -> RoutingRule:
    """Change a rule's department or whether it leads."""
    rule = (
        RoutingRule.objects.select_for_update(of=("self",))
        .select_related("community", "category", "department")
        .get(pk=rule.pk)
    )
    require_configure(actor, rule.community_id)
    before = _rule_words(rule)
    if department is not None:
        rule.department = department
    if is_lead is not None:
        rule.is_lead = _clean_bool("is_lead", is_lead)
    after = _rule_words(rule)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if changes:
        try:
            with transaction.atomic():
                rule.save(update_fields=["department", "is_lead"])
        except IntegrityError as exc:
            raise Conflict(
                _("This department already takes this category here."),
                code=error_codes.RULE_EXISTS,
                field="department",
            ) from exc
        audit.record_change(actor=actor, instance=rule, action="update", changes=changes)
    return rule


@transaction.atomic
def routing_rule_delete(*, actor, rule: RoutingRule) -> None:
    """Remove a rule: the category's default department (or the other rules) take over."""
    rule = (
        RoutingRule.objects.select_for_update(of=("self",))
        .select_related("community", "category", "department")
        .get(pk=rule.pk)
    )
    require_configure(actor, rule.community_id)
    audit.record_change(
        actor=actor,
        instance=rule,
        action="delete",
        changes={name: [value, None] for name, value in _rule_words(rule).items()},
    )
    rule.delete()


# --- the working calendar ---------------------------------------------------------------------


def _clean_time(field: str, value, *, required: bool) -> datetime.time | None:
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise ValidationFailed(_("This field is required."), field=field)
        return None
    if TIME_RE.match(text):
        try:
            return datetime.time.fromisoformat(text[:5])
        except ValueError:
            pass
    raise ValidationFailed(_("Enter a time such as 08:30."), field=field)


def _clean_hours(opens_at, closes_at, *, required: bool) -> tuple:
    opens = _clean_time("opens_at", opens_at, required=required)
    closes = _clean_time("closes_at", closes_at, required=required)
    if (opens is None) != (closes is None):
        raise ValidationFailed(
            _("Give both the opening and the closing time, or neither."),
            code=error_codes.BAD_HOURS,
            field="closes_at" if closes is None else "opens_at",
        )
    if opens is not None and closes <= opens:
        raise ValidationFailed(
            _("Closing time must be after opening time."),
            code=error_codes.BAD_HOURS,
            field="closes_at",
        )
    return opens, closes


@transaction.atomic
def working_hours_set(*, actor, community=None, opens_at, closes_at) -> WorkingHours:
    """When a community's service centre (no community: the company default) opens and closes
    on a working day."""
    community_id = community.pk if community is not None else None
    require_configure(actor, community_id)
    opens, closes = _clean_hours(opens_at, closes_at, required=True)
    row = WorkingHours.objects.select_for_update().filter(community_id=community_id).first()
    if row is None:
        row = WorkingHours.objects.create(
            community_id=community_id, opens_at=opens, closes_at=closes
        )
        changes = {"opens_at": [None, opens], "closes_at": [None, closes]}
        audit.record_change(actor=actor, instance=row, action="create", changes=changes)
        return row
    changes = audit.apply_changes(row, {"opens_at": opens, "closes_at": closes})
    if changes:
        row.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=row, action="update", changes=changes)
    return row


def _override_values(date, is_working, opens_at, closes_at, note) -> dict:
    working = _clean_bool("is_working", is_working)
    opens, closes = _clean_hours(opens_at, closes_at, required=False)
    if not working and opens is not None:
        raise ValidationFailed(
            _("A day off has no opening hours."), code=error_codes.BAD_HOURS, field="opens_at"
        )
    return {
        "date": clean_date("date", date, required=True),
        "is_working": working,
        "opens_at": opens,
        "closes_at": closes,
        "note": clean_text("note", note, max_length=100),
    }


def _override_taken(exc) -> Conflict:
    return Conflict(
        _("This date already has an exception here: change that one."),
        code=error_codes.DAY_TAKEN,
        field="date",
    )


@transaction.atomic
def calendar_override_create(
    *, actor, community=None, date, is_working, opens_at=None, closes_at=None, note=""
) -> CalendarOverride:
    """A date that differs from the statutory calendar or the usual hours (a community's, or with
    no community every community's)."""
    community_id = community.pk if community is not None else None
    require_configure(actor, community_id)
    values = _override_values(date, is_working, opens_at, closes_at, note)
    row = CalendarOverride(community_id=community_id, **values)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as exc:
        raise _override_taken(exc) from exc
    audit.record_change(
        actor=actor,
        instance=row,
        action="create",
        changes={name: [None, value] for name, value in values.items()},
    )
    return row


@transaction.atomic
def calendar_override_update(
    *, actor, override: CalendarOverride, date, is_working, opens_at=None, closes_at=None, note=""
) -> CalendarOverride:
    row = CalendarOverride.objects.select_for_update().get(pk=override.pk)
    require_configure(actor, row.community_id)
    changes = audit.apply_changes(
        row, _override_values(date, is_working, opens_at, closes_at, note)
    )
    if changes:
        try:
            with transaction.atomic():
                row.save(update_fields=list(changes))
        except IntegrityError as exc:
            raise _override_taken(exc) from exc
        audit.record_change(actor=actor, instance=row, action="update", changes=changes)
    return row


@transaction.atomic
def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    row = CalendarOverride.objects.select_for_update().get(pk=override.pk)
    require_configure(actor, row.community_id)
    values = {
        "date": row.date,
        "is_working": row.is_working,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "note": row.note,
    }
    audit.record_change(
        actor=actor,
        instance=row,
        action="delete",
        changes={name: [value, None] for name, value in values.items()},
    )
    row.delete()


def configuration_history(*, actor, row, limit: int = 50):
    """The changes of one configuration row, newest first (also of a deleted one)."""
    require(actor, Perm.REQUEST_CONFIGURE)
    return (
        AuditEvent.objects.filter(object_type=row._meta.model_name, object_id=row.pk)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
