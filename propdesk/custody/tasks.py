"""Worker tasks of keys: the overdue sweep (safe to run twice; each loan is flagged once)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/10"))
def key_loans_overdue_sweep() -> int:
    """Every ten minutes: flag keys not returned in time and tell whoever lent them."""
    from propdesk.custody.services.keys import key_loans_flag_overdue

    return key_loans_flag_overdue()
