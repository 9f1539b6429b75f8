"""Worker tasks of the notices app (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def announcements_publish_due() -> int:
    """Every minute: publish the scheduled announcements whose time has come, and deliver the
    published ones whose delivery task was lost. Returns how many it published."""
    from propdesk.notices.services import announcements

    published = announcements.announcements_publish_due()
    announcements.announcements_deliver_overdue()
    return published


@db_task()
def announcement_deliver_task(announcement_id: int) -> bool:
    """After publishing: queue the announcement's messages to its audience (once, however often
    it runs)."""
    from propdesk.notices.services.announcements import announcement_deliver_pending

    return announcement_deliver_pending(announcement_id)


@db_periodic_task(crontab(minute="*/5"))
def sms_receipts_pull() -> dict:
    """Every five minutes: ask the SMS providers what became of the messages sent more than
    ten minutes ago with no delivery receipt (first receipt wins, as for pushed ones)."""
    from propdesk.notices.services.receipts import sms_receipts_pull as pull

    return pull()
