"""Read state: an owner opening an announcement or an inbox message (idempotent)."""

from django.db import IntegrityError, transaction

from propdesk.core.models import OutboxMessage
from propdesk.notices.models import Announcement, AnnouncementRead, InboxRead


def announcement_mark_read(*, user, announcement: Announcement) -> None:
    """Record that `user` opened `announcement` (callers fetched it through the owner selectors);
    its copy in their inbox counts as read too."""
    try:
        with transaction.atomic():
            AnnouncementRead.objects.get_or_create(user=user, announcement=announcement)
    except IntegrityError:  # opened twice at the same moment
        pass
    copy = OutboxMessage.objects.filter(
        recipient_user=user,
        channel=OutboxMessage.Channel.IN_APP,
        dedupe_key=f"announcement:{announcement.id}:in_app:{user.username}",
    ).first()
    if copy is not None:
        inbox_mark_read(user=user, message=copy)


def inbox_mark_read(*, user, message: OutboxMessage) -> None:
    if message.recipient_user_id != user.pk:
        raise ValueError("not this person's message")
    try:
        with transaction.atomic():
            InboxRead.objects.get_or_create(user=user, message=message)
    except IntegrityError:
        pass
