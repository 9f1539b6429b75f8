"""Worker tasks of the owner portal (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def payment_orders_expire() -> int:
    """Every five minutes: online payment orders left unpaid past their time expire."""
    from propdesk.portal.services.payments import payment_orders_expire as expire

    return expire()
