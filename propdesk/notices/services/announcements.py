"""Announcements (公告): staff draft, publishers publish now or on schedule (DOMAIN.md §6).

- Writers (Perm.ANNOUNCEMENT_WRITE) create and edit drafts for a community of theirs, targeting
  the whole community or some of its buildings.
- Publishers (Perm.ANNOUNCEMENT_PUBLISH) publish at once or schedule a time; the worker's
  `announcements_publish_due` publishes what has come due.
- Publishing only marks the announcement published; after commit the worker tells every owner
  and resident of a targeted house through the outbox (`announcement_deliver_pending`), once per
  person and channel (dedupe keys `announcement:<id>:<channel>:<address>`), and records
  `delivered_at`, so a duplicate or retried task adds nothing. The every-minute sweep
  (`announcements_deliver_overdue`) delivers those whose task was lost.
- A published announcement is withdrawn, never deleted; owners stop seeing it.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Building, Community, House, Ownership, Resident
from propdesk.notices.models import Announcement
from propdesk.notices.services._common import clean_bool, clean_line
from propdesk.notices.services.delivery import Person, people_notify

Status = Announcement.Status
MAX_BODY = 5000
MAX_SCHEDULE_AHEAD = datetime.timedelta(days=366)
# Published this long ago and still undelivered: its task was lost (a worker killed, a queue down).
DELIVERY_OVERDUE_AFTER = datetime.timedelta(minutes=2)
# At ~1.3 s for a 5,000-house community, a sweep stays well inside its minute.
DELIVERY_SWEEP_BATCH = 20

logger = logging.getLogger("propdesk.notices")


def _clean_buildings(community: Community, building_ids) -> list[Building]:
    try:
        ids = sorted({int(b) for b in building_ids or []})
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Send building ids as whole numbers."), field="buildings") from exc
    if len(ids) > 500:
        raise ValidationFailed(_("Too many buildings."), field="buildings")
    buildings = list(Building.objects.filter(community_id=community.id, id__in=ids))
    if len(buildings) != len(ids):
        raise ValidationFailed(
            _("Choose buildings of the announcement's community."), field="buildings"
        )
    return buildings


def _values(title, body, urgent) -> dict:
    return {
        "title": clean_line("title", title, max_length=100, required=True),
        "body": clean_text("body", body, max_length=MAX_BODY, required=True),
        "urgent": clean_bool("urgent", urgent),
    }


@transaction.atomic
def announcement_create(
    *,
    actor,
    community: Community,
    title: str,
    body: str,
    building_ids: list[int] | None = None,
    urgent: bool = False,
) -> Announcement:
    """Write a draft for the whole community or some of its buildings."""
    require(actor, Perm.ANNOUNCEMENT_WRITE, community.id)
    values = _values(title, body, urgent)
    buildings = _clean_buildings(community, building_ids)
    announcement = Announcement.objects.create(community=community, created_by=actor, **values)
    announcement.buildings.set(buildings)
    audit.record_change(
        actor=actor,
        instance=announcement,
        action="create",
        changes={"buildings": [None, [b.id for b in buildings]]},
    )
    return announcement


def _locked(announcement: Announcement) -> Announcement:
    return Announcement.objects.select_for_update().get(pk=announcement.pk)


@transaction.atomic
def announcement_update(
    *,
    actor,
    announcement: Announcement,
    title: str,
    body: str,
    building_ids: list[int] | None = None,
    urgent: bool = False,
) -> Announcement:
    """Change a draft or a scheduled announcement; a published one is withdrawn instead."""
    require(actor, Perm.ANNOUNCEMENT_WRITE, announcement.community_id)
    announcement = _locked(announcement)
    if announcement.status not in (Status.DRAFT, Status.SCHEDULED):
        raise Conflict(_("Only drafts and scheduled announcements can be changed."), field="status")
    values = _values(title, body, urgent)
    buildings = _clean_buildings(announcement.community, building_ids)
    changes = audit.apply_changes(announcement, values)
    before = sorted(announcement.buildings.values_list("id", flat=True))
    after = sorted(b.id for b in buildings)
    if before != after:
        announcement.buildings.set(buildings)
        changes["buildings"] = [before, after]
    if changes:
        announcement.updated_at = timezone.now()
        announcement.save(update_fields=[*(c for c in changes if c != "buildings"), "updated_at"])
        audit.record_change(actor=actor, instance=announcement, action="update", changes=changes)
    return announcement


@transaction.atomic
def announcement_publish(
    *, actor, announcement: Announcement, publish_at: datetime.datetime | None = None
) -> Announcement:
    """Publish now, or schedule `publish_at` (in the future, within a year)."""
    require(actor, Perm.ANNOUNCEMENT_PUBLISH, announcement.community_id)
    announcement = _locked(announcement)
    if announcement.status not in (Status.DRAFT, Status.SCHEDULED):
        raise Conflict(_("This announcement is already published or withdrawn."), field="status")
    now = timezone.now()
    if publish_at is not None:
        if timezone.is_naive(publish_at):
            publish_at = timezone.make_aware(publish_at)
        if publish_at <= now:
            raise ValidationFailed(_("Choose a time in the future."), field="publish_at")
        if publish_at > now + MAX_SCHEDULE_AHEAD:
            raise ValidationFailed(_("Schedule at most a year ahead."), field="publish_at")
        before = announcement.status
        announcement.status = Status.SCHEDULED
        announcement.publish_at = publish_at
        announcement.published_by = actor
        announcement.updated_at = now
        announcement.save(update_fields=["status", "publish_at", "published_by", "updated_at"])
        audit.record_change(
            actor=actor,
            instance=announcement,
            action="schedule",
            changes={"status": [before, Status.SCHEDULED], "publish_at": [None, str(publish_at)]},
        )
        return announcement
    return _publish(announcement, actor=actor, now=now)


def _publish(announcement: Announcement, *, actor, now) -> Announcement:
    before = announcement.status
    announcement.status = Status.PUBLISHED
    announcement.published_at = now
    announcement.published_by = actor
    announcement.updated_at = now
    announcement.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit.record_change(
        actor=actor,
        instance=announcement,
        action="publish",
        changes={"status": [before, Status.PUBLISHED]},
    )
    # The audience of a large community takes seconds to compute: the worker does it.
    announcement_id = announcement.id
    transaction.on_commit(lambda: _deliver_soon(announcement_id))
    return announcement


def _deliver_soon(announcement_id: int) -> None:
    from propdesk.notices.tasks import announcement_deliver_task

    try:
        announcement_deliver_task(announcement_id)
    except Exception:  # a queue that is down: the every-minute sweep delivers it anyway
        logger.exception("announcement %s: the delivery could not be queued", announcement_id)


def audience(announcement: Announcement) -> list[Person]:
    """The current owners and residents of the targeted houses, owners first."""
    houses = House.objects.filter(community_id=announcement.community_id)
    building_ids = list(announcement.buildings.values_list("id", flat=True))
    if building_ids:
        houses = houses.filter(building_id__in=building_ids)
    return houses_audience(community_id=announcement.community_id, houses=houses)


def houses_audience(*, community_id: int, houses) -> list[Person]:
    """The current owners and residents (with a mobile) of `houses` (a queryset of one
    community's houses), owners first, each owner once: the audience of an announcement and of
    an emergency broadcast."""
    house_ids = houses.values("id")
    people: list[Person] = []
    seen_owners: set[int] = set()
    for ownership in (
        Ownership.objects.filter(
            community_id=community_id, house_id__in=house_ids, end_on__isnull=True
        )
        .select_related("owner", "owner__user")
        .order_by("owner_id")
    ):
        owner = ownership.owner
        if owner.id in seen_owners:
            continue
        seen_owners.add(owner.id)
        user = owner.user if owner.user_id and owner.user.is_active else None
        people.append(Person(name=owner.name, mobile=owner.mobile, user=user))
    residents = Resident.objects.filter(
        Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=timezone.localdate()),
        community_id=community_id,
        house_id__in=house_ids,
    ).exclude(mobile="")
    people.extend(Person(name=r.name, mobile=r.mobile) for r in residents)
    return people


def announcement_deliver(*, announcement: Announcement) -> int:
    """Queue the announcement to its audience; return how many people it reached."""
    published = announcement.published_at or timezone.now()
    return people_notify(
        people=audience(announcement),
        event="announcement",
        outbox_event="announcement.published",
        context={
            "community": announcement.community.name,
            "title": announcement.title,
            "body": announcement.body,
            "published": formats.date_format(timezone.localtime(published), "Y-m-d H:i"),
        },
        community=announcement.community,
        dedupe_base=f"announcement:{announcement.id}",
        urgent=announcement.urgent,
    )


@transaction.atomic
def announcement_deliver_pending(announcement_id: int) -> bool:
    """Queue a published announcement's messages once (the worker, after publishing); True when
    this call queued them.

    The row stays locked while the audience is computed, so a duplicate task waits and then finds
    it delivered; one withdrawn before this ran gets no messages (DOMAIN.md §6). Messages already
    in the outbox for it (a rerun) are skipped by their dedupe keys, never queued twice.
    """
    announcement = (
        Announcement.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk=announcement_id, status=Status.PUBLISHED, delivered_at__isnull=True)
        .first()
    )
    if announcement is None:
        return False
    before = announcement.recipients
    announcement.recipients = announcement_deliver(announcement=announcement)
    announcement.delivered_at = timezone.now()
    announcement.save(update_fields=["recipients", "delivered_at"])
    audit.record_change(
        actor=None,
        instance=announcement,
        action="deliver",
        changes={"recipients": [before, announcement.recipients]},
    )
    return True


def announcements_deliver_overdue(*, now: datetime.datetime | None = None) -> int:
    """Deliver announcements published a while ago whose delivery task never ran (the worker,
    every minute); return how many it delivered.

    Oldest first, at most DELIVERY_SWEEP_BATCH, each in its own transaction; one that fails is
    logged and left for the next sweep without holding up the others.
    """
    now = now or timezone.now()
    ids = list(
        Announcement.objects.filter(
            status=Status.PUBLISHED,
            delivered_at__isnull=True,
            published_at__lte=now - DELIVERY_OVERDUE_AFTER,
        )
        .order_by("published_at", "id")
        .values_list("id", flat=True)[:DELIVERY_SWEEP_BATCH]
    )
    delivered = 0
    for announcement_id in ids:
        try:
            delivered += announcement_deliver_pending(announcement_id)
        except Exception:
            logger.exception("announcement %s: delivery failed", announcement_id)
    return delivered


@transaction.atomic
def announcement_withdraw(*, actor, announcement: Announcement) -> Announcement:
    """Take an announcement back: owners stop seeing it. Messages already queued stay queued;
    one whose messages the worker has not queued yet gets none."""
    require(actor, Perm.ANNOUNCEMENT_PUBLISH, announcement.community_id)
    announcement = _locked(announcement)
    if announcement.status == Status.WITHDRAWN:
        raise Conflict(_("This announcement is already withdrawn."), field="status")
    before = announcement.status
    announcement.status = Status.WITHDRAWN
    announcement.updated_at = timezone.now()
    announcement.save(update_fields=["status", "updated_at"])
    audit.record_change(
        actor=actor,
        instance=announcement,
        action="withdraw",
        changes={"status": [before, Status.WITHDRAWN]},
    )
    return announcement


def announcements_publish_due(*, now: datetime.datetime | None = None) -> int:
    """Publish the scheduled announcements whose time has come (the worker, every minute).

    Each is claimed and published in its own transaction; a second worker finds it published.
    """
    now = now or timezone.now()
    ids = list(
        Announcement.objects.filter(status=Status.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "id")
        .values_list("id", flat=True)[:100]
    )
    published = 0
    for announcement_id in ids:
        with transaction.atomic():
            announcement = (
                Announcement.objects.select_for_update(of=("self",))
                .select_related("community", "published_by")
                .filter(pk=announcement_id, status=Status.SCHEDULED)
                .first()
            )
            if announcement is None:
                continue
            _publish(announcement, actor=announcement.published_by, now=now)
            published += 1
    return published
