"""Special-care residents (特殊关怀, seed 003 ch.6 §8; DOMAIN.md §6): the elderly living alone,
the disabled and others the centre looks after, each with a visit frequency (monthly by
default). A visit plan keeps the next due date; a visit records who went, what they found and
what help was given, and a need found becomes a help (求助) request. Health and disability
details are personal data: masked, revealed only by roles with the right, each reveal logged.
When severe weather is coming they are phoned first (`care_calls_start`)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import error_codes
from propdesk.community.models import CareCall, CareCategory, CareResident, CareVisit
from propdesk.community.services._common import clean_date
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_mobile
from propdesk.estates.models import House

MAX_EVERY_DAYS = 366


def _values(
    *,
    name,
    mobile,
    category,
    visit_every_days,
    emergency_contact,
    emergency_mobile,
    health_notes,
    notes,
) -> dict:
    try:
        every = int(visit_every_days)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a whole number of days."),
            code=error_codes.BAD_NUMBER,
            field="visit_every_days",
        ) from exc
    if isinstance(visit_every_days, bool) or not 1 <= every <= MAX_EVERY_DAYS:
        raise ValidationFailed(
            _("Enter between 1 and %(n)d days.") % {"n": MAX_EVERY_DAYS},
            code=error_codes.BAD_NUMBER,
            field="visit_every_days",
        )
    return {
        "name": clean_text("name", name, max_length=100, required=True),
        "mobile": clean_field("mobile", normalize_mobile, mobile) if mobile else "",
        "category": clean_choice("category", category, CareCategory),
        "visit_every_days": every,
        "emergency_contact": clean_text("emergency_contact", emergency_contact, max_length=100),
        "emergency_mobile": clean_field("emergency_mobile", normalize_mobile, emergency_mobile)
        if emergency_mobile
        else "",
        "health_notes": clean_text("health_notes", health_notes, max_length=2000),
        "notes": clean_text("notes", notes, max_length=300),
    }


@transaction.atomic
def care_resident_add(
    *,
    actor,
    house: House,
    name: str,
    category: str,
    mobile: str = "",
    visit_every_days: int = 30,
    emergency_contact: str = "",
    emergency_mobile: str = "",
    health_notes: str = "",
    notes: str = "",
) -> CareResident:
    """Put a resident on the care list; the first visit is due today."""
    require(actor, Perm.CARE_MANAGE, house.community_id)
    values = _values(
        name=name,
        mobile=mobile,
        category=category,
        visit_every_days=visit_every_days,
        emergency_contact=emergency_contact,
        emergency_mobile=emergency_mobile,
        health_notes=health_notes,
        notes=notes,
    )
    resident = CareResident.objects.create(
        community_id=house.community_id,
        house=house,
        next_visit_on=timezone.localdate(),
        **values,
    )
    audit.record_change(
        actor=actor,
        instance=resident,
        action="care_added",
        house_id=house.id,
        changes={"category": [None, resident.category]},
        object_repr=_("Special-care resident"),
    )
    return resident


@transaction.atomic
def care_resident_update(*, actor, resident: CareResident, **fields) -> CareResident:
    """Change the record; a new frequency moves the next due date from the last visit."""
    require(actor, Perm.CARE_MANAGE, resident.community_id)
    resident = CareResident.objects.select_for_update().get(pk=resident.pk)
    current = {
        f: getattr(resident, f)
        for f in (
            "name",
            "mobile",
            "category",
            "visit_every_days",
            "emergency_contact",
            "emergency_mobile",
            "health_notes",
            "notes",
        )
    }
    unknown = set(fields) - set(current) - {"active"}
    if unknown:
        raise ValidationFailed(
            _("This field cannot be changed."),
            code=error_codes.NOT_CHANGEABLE,
            field=sorted(unknown)[0],
        )
    active = fields.pop("active", resident.active)
    values = _values(**{**current, **fields})
    values["active"] = bool(active)
    if resident.last_visit_on and values["visit_every_days"] != resident.visit_every_days:
        values["next_visit_on"] = resident.last_visit_on + datetime.timedelta(
            days=values["visit_every_days"]
        )
    changes = audit.apply_changes(resident, values)
    if changes:
        resident.save(update_fields=list(changes))
        # The history never holds the health details themselves.
        logged = {k: (["…", "…"] if k == "health_notes" else v) for k, v in changes.items()}
        audit.record_change(
            actor=actor,
            instance=resident,
            action="update",
            changes=logged,
            house_id=resident.house_id,
            object_repr=_("Special-care resident"),
        )
    return resident


@transaction.atomic
def care_health_reveal(*, actor, resident: CareResident, reason: str = "") -> str:
    """Show the health and disability details and write the access log."""
    try:
        require(actor, Perm.REVEAL_HEALTH, resident.community_id)
    except PermissionDenied as exc:
        raise PermissionDenied(
            _("Your role may not see this personal data."), code=error_codes.REVEAL_FORBIDDEN
        ) from exc
    reason = clean_text("reason", reason, max_length=200)
    audit.record_access(actor=actor, subject=resident, field="health_notes", reason=reason)
    return resident.health_notes


@transaction.atomic
def care_visit_record(
    *,
    actor,
    resident: CareResident,
    visited_on: datetime.date,
    findings: str,
    help_given: str = "",
    need: str = "",
    need_category: str = "service",
) -> CareVisit:
    """Record a visit; the next one is due a frequency later. A need found becomes a help
    request for the house."""
    from propdesk.tickets.services.intake import request_create

    require(actor, Perm.CARE_MANAGE, resident.community_id)
    resident = CareResident.objects.select_for_update().select_related("house").get(pk=resident.pk)
    if not resident.active:
        raise Conflict(
            _("This resident is no longer on the care list."),
            code=error_codes.NOT_ON_CARE_LIST,
            field="resident",
        )
    today = timezone.localdate()
    visited_on = clean_date("visited_on", visited_on, required=True, not_after=today)
    if visited_on < today - datetime.timedelta(days=60):
        raise ValidationFailed(
            _("Record visits within 60 days."), code=error_codes.VISIT_TOO_OLD, field="visited_on"
        )
    findings = clean_text("findings", findings, max_length=2000, required=True)
    help_given = clean_text("help_given", help_given, max_length=500)
    need = clean_text("need", need, max_length=2000)
    request = None
    if need:
        request = request_create(
            actor=actor,
            kind="help",
            category=need_category,
            urgency="normal",
            description=need,
            channel="patrol",
            house=resident.house,
            caller_name=resident.name,
            caller_mobile=resident.mobile,
        )
    visit = CareVisit.objects.create(
        community_id=resident.community_id,
        resident=resident,
        visited_on=visited_on,
        visited_by=actor,
        findings=findings,
        help_given=help_given,
        request=request,
    )
    if resident.last_visit_on is None or visited_on >= resident.last_visit_on:
        CareResident.objects.filter(pk=resident.pk).update(
            last_visit_on=visited_on,
            next_visit_on=visited_on + datetime.timedelta(days=resident.visit_every_days),
        )
    audit.record_change(
        actor=actor,
        instance=resident,
        action="care_visited",
        house_id=resident.house_id,
        note=str(visited_on),
        object_repr=_("Special-care resident"),
    )
    return visit


def care_calls_start(*, community_id: int, reason: str, source: str, due_at) -> int:
    """A phone call to each active care resident of the community (severe weather coming):
    they hear it from a person first. Once per source; returns how many calls were added."""
    residents = CareResident.objects.filter(community_id=community_id, active=True)
    calls = [
        CareCall(
            community_id=community_id, resident=r, reason=reason[:200], due_at=due_at, source=source
        )
        for r in residents
    ]
    created = CareCall.objects.bulk_create(calls, ignore_conflicts=True)
    return len(created)


@transaction.atomic
def care_call_done(*, actor, call: CareCall, outcome: str) -> CareCall:
    require(actor, Perm.CARE_MANAGE, call.community_id)
    call = CareCall.objects.select_for_update().get(pk=call.pk)
    if call.done_at is not None:
        raise Conflict(
            _("This call is already recorded."), code=error_codes.ALREADY_RECORDED, field="call"
        )
    outcome = clean_text("outcome", outcome, max_length=300, required=True)
    CareCall.objects.filter(pk=call.pk).update(
        done_at=timezone.now(), done_by=actor, outcome=outcome
    )
    call.refresh_from_db()
    return call
