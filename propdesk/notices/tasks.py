"""Worker tasks of the notices app (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def announcements_publish_due() -> int:
    """Every minute: publish the scheduled announcements whose time has come."""
    from propdesk.notices.services.announcements import announcements_publish_due as publish

    return publish()


@db_task()
def run_bills_notify_task(run_id: int) -> int:
    """After a billing run: tell the billed houses' account owners, apart from the run itself."""
    from propdesk.notices.services.fees import run_bills_notify

    return run_bills_notify(run_id)
