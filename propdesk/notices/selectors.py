"""Reads of the notices app: staff lists (scoped by community) and owners' own feeds.

Owner-facing reads start from the owner's houses (their `Owner.user` link and current
ownerships): an announcement is theirs when it is published in their community and targets the
whole community or a building they own in; an inbox message is theirs when addressed to them.
Anything else is NotFound, whatever the id.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from propdesk.core.errors import NotFound
from propdesk.core.models import OutboxMessage
from propdesk.core.permissions import Perm, get_scoped, scope
from propdesk.estates import owner_access
from propdesk.estates.models import House
from propdesk.notices.delivery_policy import preference_of
from propdesk.notices.models import Announcement, AnnouncementRead, InboxRead

# --- staff -------------------------------------------------------------------------------------


def announcements_for_staff(
    user, *, q: str = "", status: str = "", community_id: int | None = None
) -> QuerySet:
    rows = scope(Announcement.objects.all(), user, Perm.ANNOUNCEMENT_WRITE)
    if community_id:
        rows = rows.filter(community_id=community_id)
    if status in Announcement.Status.values:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(title__icontains=q[:100])
    return rows.select_related("community", "created_by").order_by("-created_at", "-id")


def announcement_for_staff(user, announcement_id) -> Announcement:
    return get_scoped(
        Announcement.objects.select_related("community", "created_by", "published_by"),
        user,
        announcement_id,
        Perm.ANNOUNCEMENT_WRITE,
    )


def delivery_summary(announcement: Announcement) -> list[dict]:
    """How the announcement's messages stand: count per channel and status."""
    from django.db.models import Count

    rows = list(
        OutboxMessage.objects.filter(dedupe_key__startswith=f"announcement:{announcement.id}:")
        .values("channel", "status")
        .annotate(n=Count("id"))
        .order_by("channel", "status")
    )
    channels = dict(OutboxMessage.Channel.choices)
    statuses = dict(OutboxMessage.Status.choices)
    for row in rows:
        row["channel_label"] = channels.get(row["channel"], row["channel"])
        row["status_label"] = statuses.get(row["status"], row["status"])
    return rows


# --- owners ------------------------------------------------------------------------------------


def owner_houses(user) -> QuerySet:
    """The houses a portal account stands for in the registry (owner, resident, tenant, agent);
    none for staff."""
    return House.objects.filter(id__in=owner_access.house_ids(user))


def announcements_for_owner(user) -> QuerySet:
    houses = list(owner_houses(user).values_list("community_id", "building_id"))
    if not houses:
        return Announcement.objects.none().annotate(is_read=Value(False))
    communities = {c for c, _b in houses}
    buildings = {b for _c, b in houses}
    untargeted = ~Exists(Announcement.buildings.through.objects.filter(announcement=OuterRef("pk")))
    targeted = Exists(
        Announcement.buildings.through.objects.filter(
            announcement=OuterRef("pk"), building_id__in=buildings
        )
    )
    read = Exists(AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user))
    return (
        Announcement.objects.filter(
            Q(untargeted) | Q(targeted),
            community_id__in=communities,
            status=Announcement.Status.PUBLISHED,
        )
        .annotate(is_read=read)
        .select_related("community")
        .order_by("-published_at", "-id")
    )


def announcement_for_owner(user, announcement_id) -> Announcement:
    try:
        pk = int(announcement_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    found = announcements_for_owner(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def latest_announcements_for(user, limit: int = 3) -> list[Announcement]:
    """The portal home's newest announcements for this owner (with `is_read`)."""
    return list(announcements_for_owner(user)[: max(0, min(limit, 50))])


def inbox_for(user) -> QuerySet:
    """The owner's in-app messages that have arrived (not skipped, not failed, not future)."""
    if not (user and user.is_authenticated):
        return OutboxMessage.objects.none()
    read = Exists(InboxRead.objects.filter(message=OuterRef("pk"), user=user))
    return (
        OutboxMessage.objects.filter(
            recipient_user=user,
            channel=OutboxMessage.Channel.IN_APP,
            status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.PENDING],
            next_attempt_at__lte=timezone.now(),
        )
        .annotate(is_read=read)
        .order_by("-created_at", "-id")
    )


def inbox_message_for(user, message_id) -> OutboxMessage:
    try:
        pk = int(message_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    found = inbox_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def unread_counts(user) -> dict:
    return {
        "announcements": announcements_for_owner(user).filter(is_read=False).count(),
        "inbox": inbox_for(user).filter(is_read=False).count(),
    }


def unread_count(user) -> int:
    """Unread announcements plus unread inbox messages: the portal home's badge."""
    counts = unread_counts(user)
    return counts["announcements"] + counts["inbox"]


def preference_for(user):
    """The person's own preferences (defaults when never saved)."""
    return preference_of(user)
