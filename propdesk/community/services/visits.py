"""Regular owner visits (业主走访) and owner forums (座谈会) (seed 003 ch.6; DOMAIN.md §6).

- A visit plan per building says how often its houses are visited (every 90 days by default);
  recording a visit moves the building's next due date; an overdue list shows the buildings
  whose visit is late, and a count per month shows the work done.
- The opinions an owner gives on a visit, or at a forum, become a suggestion (建议) request for
  the house, so they are answered and followed up like any other.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import error_codes
from propdesk.community.models import (
    Activity,
    ActivityKind,
    ForumOpinion,
    OwnerVisit,
    OwnerVisitPlan,
)
from propdesk.community.services._common import clean_date
from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Building, House

MAX_EVERY_DAYS = 366
MAX_PAST = datetime.timedelta(days=60)


def _every(value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        every = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            _("Enter a whole number of days."), code=error_codes.BAD_NUMBER, field="every_days"
        ) from exc
    if not 1 <= every <= MAX_EVERY_DAYS:
        raise ValidationFailed(
            _("Enter between 1 and %(n)d days.") % {"n": MAX_EVERY_DAYS},
            code=error_codes.BAD_NUMBER,
            field="every_days",
        )
    return every


@transaction.atomic
def visit_plan_set(*, actor, building: Building, every_days: int = 90) -> OwnerVisitPlan:
    """Plan the visits of a building (the first is due today), or change how often."""
    require(actor, Perm.ACTIVITY_MANAGE, building.community_id)
    every = _every(every_days)
    plan = OwnerVisitPlan.objects.select_for_update().filter(building=building).first()
    if plan is None:
        plan = OwnerVisitPlan.objects.create(
            community_id=building.community_id,
            building=building,
            every_days=every,
            next_due_on=timezone.localdate(),
            created_by=actor,
        )
        audit.record_change(
            actor=actor, instance=plan, action="create", changes={"every_days": [None, every]}
        )
        return plan
    values = {"every_days": every}
    if plan.last_visit_on:
        values["next_due_on"] = plan.last_visit_on + datetime.timedelta(days=every)
    changes = audit.apply_changes(plan, values)
    if changes:
        plan.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=plan, action="update", changes=changes)
    return plan


def _suggestion(actor, house: House, text: str):
    from propdesk.tickets.services.intake import request_create

    return request_create(
        actor=actor,
        kind="suggestion",
        category="service",
        urgency="normal",
        description=text,
        channel="walk_in",
        house=house,
    )


@transaction.atomic
def owner_visit_record(
    *, actor, house: House, visited_on: datetime.date, opinions: str = "", note: str = ""
) -> OwnerVisit:
    """Record a visit to a house; its opinions become a suggestion request, and the building's
    plan (made on the first visit if there is none) moves on."""
    require(actor, Perm.ACTIVITY_MANAGE, house.community_id)
    today = timezone.localdate()
    visited_on = clean_date("visited_on", visited_on, required=True, not_after=today)
    if visited_on < today - MAX_PAST:
        raise ValidationFailed(
            _("Record visits within 60 days."), code=error_codes.VISIT_TOO_OLD, field="visited_on"
        )
    opinions = clean_text("opinions", opinions, max_length=2000)
    note = clean_text("note", note, max_length=500)
    request = (
        _suggestion(actor, house, _("Opinion on an owner visit: %(text)s") % {"text": opinions})
        if opinions
        else None
    )
    visit = OwnerVisit.objects.create(
        community_id=house.community_id,
        building_id=house.building_id,
        house=house,
        visited_on=visited_on,
        visited_by=actor,
        opinions=opinions,
        note=note,
        request=request,
    )
    plan = OwnerVisitPlan.objects.select_for_update().filter(building_id=house.building_id).first()
    if plan is None:
        plan = OwnerVisitPlan.objects.create(
            community_id=house.community_id,
            building_id=house.building_id,
            next_due_on=visited_on,
            created_by=actor,
        )
    if plan.last_visit_on is None or visited_on >= plan.last_visit_on:
        OwnerVisitPlan.objects.filter(pk=plan.pk).update(
            last_visit_on=visited_on,
            next_due_on=visited_on + datetime.timedelta(days=plan.every_days),
        )
    audit.record_change(
        actor=actor,
        instance=visit,
        action="create",
        house_id=house.id,
        note=str(visited_on),
        object_repr=_("Owner visit"),
    )
    return visit


@transaction.atomic
def forum_opinion_record(*, actor, activity: Activity, house: House, text: str) -> ForumOpinion:
    """An opinion heard at an owner forum becomes a suggestion request for the speaker's house."""
    require(actor, Perm.ACTIVITY_MANAGE, activity.community_id)
    if activity.kind != ActivityKind.FORUM:
        raise ValidationFailed(
            _("Opinions are collected at owner forums."),
            code=error_codes.NOT_A_FORUM,
            field="activity",
        )
    if house.community_id != activity.community_id:
        from propdesk.core.errors import NotFound

        raise NotFound(
            _("No such house in this community."), code=error_codes.NOT_FOUND, field="house"
        )
    text = clean_text("text", text, max_length=2000, required=True)
    request = _suggestion(
        actor, house, _("Opinion at %(title)s: %(text)s") % {"title": activity.title, "text": text}
    )
    return ForumOpinion.objects.create(
        community_id=activity.community_id,
        activity=activity,
        house=house,
        text=text,
        request=request,
        recorded_by=actor,
    )
