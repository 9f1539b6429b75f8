"""Maintenance outreach: the ranked list a desk agent calls from, and what each call recorded.

The list (`outreach_list`) is the prediction of `assistant.maintenance` for one community, minus
the places called in the last `OUTREACH_QUIET_DAYS`, with each place's house or building and the
owner to call. `outreach_record` keeps the call; a booked visit becomes a repair request through
the request service (so it gets its number, department, clocks and the owner's message like any
other), with the visit time the owner chose.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.assistant import error_codes, maintenance
from propdesk.assistant.models import MaintenanceOutreach, OutreachOutcome
from propdesk.core.audit import record_change
from propdesk.core.cleaning import clean_choice, clean_datetime, clean_text
from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require

OUTREACH_QUIET_DAYS = 30
LIST_LENGTH = 50
MAX_NOTE = 500


@dataclass
class OutreachRow:
    candidate: maintenance.Candidate
    category_label: str
    place_label: str
    owner_name: str
    owner_mobile_masked: str


def _labels() -> dict[str, str]:
    from propdesk.tickets import configuration

    return {c.code: c.label for c in configuration.active_categories()}


def outreach_list(*, actor, community, as_of: datetime.datetime | None = None) -> list[OutreachRow]:
    """The places of `community` most likely to need the same repair soon, not called lately."""
    from propdesk.core.masking import mask_mobile
    from propdesk.estates.models import Building, House, Ownership

    require(actor, Perm.MAINTENANCE_OUTREACH, community.id)
    as_of = as_of or timezone.now()
    called = {
        maintenance.place_key(code, house_id, building_id)
        for code, house_id, building_id in MaintenanceOutreach.objects.filter(
            community=community,
            called_at__gte=as_of - datetime.timedelta(days=OUTREACH_QUIET_DAYS),
        ).values_list("category__code", "house_id", "building_id")
    }
    ranked = [
        c
        for c in maintenance.candidates_for(community.id, as_of, limit=LIST_LENGTH * 2)
        if c.key not in called
    ][:LIST_LENGTH]
    houses = House.objects.in_bulk([c.house_id for c in ranked if c.house_id])
    buildings = Building.objects.in_bulk([c.building_id for c in ranked if c.building_id])
    owners = {}
    for ownership in (
        Ownership.objects.filter(house_id__in=houses, end_on__isnull=True)
        .select_related("owner")
        .order_by("house_id", "id")
    ):
        owners.setdefault(ownership.house_id, ownership.owner)
    labels = _labels()
    rows = []
    for candidate in ranked:
        house = houses.get(candidate.house_id)
        building = buildings.get(candidate.building_id)
        if house is not None:
            place = house.code
        elif building is not None:
            place = _("Building %(name)s (common parts)") % {"name": building.name}
        else:
            place = _("Common areas")
        owner = owners.get(candidate.house_id)
        rows.append(
            OutreachRow(
                candidate=candidate,
                category_label=labels.get(candidate.category, candidate.category),
                place_label=place,
                owner_name=owner.name if owner else "",
                owner_mobile_masked=mask_mobile(owner.mobile) if owner and owner.mobile else "",
            )
        )
    return rows


@transaction.atomic
def outreach_record(
    *,
    actor,
    community,
    category: str,
    house_id: int | None = None,
    building_id: int | None = None,
    outcome: str,
    note: str = "",
    visit_at: datetime.datetime | None = None,
) -> MaintenanceOutreach:
    """Keep one outreach call; a booked visit files the repair request with its visit time."""
    from propdesk.estates.models import Building, House, Ownership
    from propdesk.tickets.models import Category, Channel
    from propdesk.tickets.services.intake import request_create

    require(actor, Perm.MAINTENANCE_OUTREACH, community.id)
    if category not in maintenance.REPAIR_CATEGORIES:
        raise ValidationFailed(
            _("Choose one of the repair categories."), code=error_codes.BAD_CHOICE, field="category"
        )
    category_row = Category.objects.filter(code=category).first()
    if category_row is None:
        raise NotFound(_("No such category."), code=error_codes.NOT_FOUND, field="category")
    house = building = None
    if house_id is not None:
        house = House.objects.filter(pk=house_id, community=community).first()
        if house is None:
            raise NotFound(
                _("No such house in this community."), code=error_codes.NOT_FOUND, field="house"
            )
        building = house.building
    elif building_id is not None:
        building = Building.objects.filter(pk=building_id, community=community).first()
        if building is None:
            raise NotFound(
                _("No such building in this community."),
                code=error_codes.NOT_FOUND,
                field="building",
            )
    else:
        raise ValidationFailed(
            _("Name the house or the building called about."),
            code=error_codes.REQUIRED,
            field="house",
        )
    outcome = clean_choice("outcome", outcome, OutreachOutcome)
    note = clean_text("note", note, max_length=MAX_NOTE)
    visit_at = clean_datetime("visit_at", visit_at)
    now = timezone.now()
    if outcome == OutreachOutcome.BOOKED:
        if visit_at is None:
            raise ValidationFailed(
                _("Enter the visit time the owner chose."),
                code=error_codes.REQUIRED,
                field="visit_at",
            )
        if visit_at <= now or visit_at > now + datetime.timedelta(days=60):
            raise ValidationFailed(
                _("The visit must be within the next 60 days."),
                code=error_codes.BAD_DATE,
                field="visit_at",
            )
    elif visit_at is not None:
        raise ValidationFailed(
            _("Only a booked visit has a visit time."), code=error_codes.INVALID, field="visit_at"
        )
    as_of = now
    ranked = {
        c.key: c for c in maintenance.candidates_for(community.id, as_of, limit=LIST_LENGTH * 4)
    }
    found = ranked.get(
        maintenance.place_key(
            category, house.pk if house else None, building.pk if building else None
        )
    )
    reason = found.reason if found else _("called from the outreach list")
    outreach = MaintenanceOutreach.objects.create(
        community=community,
        category=category_row,
        house=house if category not in maintenance.BUILDING_CATEGORIES else None,
        building=building,
        reason=reason[:300],
        score=found.score if found else 0,
        outcome=outcome,
        note=note,
        called_by=actor,
        called_at=now,
    )
    if outcome == OutreachOutcome.BOOKED:
        owner = None
        if house is not None:
            ownership = (
                Ownership.objects.filter(house=house, end_on__isnull=True)
                .select_related("owner")
                .order_by("id")
                .first()
            )
            owner = ownership.owner if ownership else None
        description = _(
            "Preventive visit booked from the maintenance outreach list: %(reason)s."
        ) % {"reason": reason}
        if note:
            description += " " + note
        outreach.request = request_create(
            actor=actor,
            kind="repair",
            category=category,
            urgency="normal",
            description=description,
            channel=Channel.PHONE,
            house=house if category not in maintenance.BUILDING_CATEGORIES else None,
            building=building if category in maintenance.BUILDING_CATEGORIES or not house else None,
            caller_owner=owner,
            preferred_visit_at=visit_at,
        )
        outreach.save(update_fields=["request"])
    record_change(
        actor=actor,
        instance=outreach,
        action="create",
        changes={"outcome": [None, outcome]},
        house_id=house.pk if house else None,
        note=note,
        object_repr=f"{category_row.label} · {house.code if house else building.name}",
    )
    return outreach
