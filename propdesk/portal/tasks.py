"""Worker tasks of the owner portal (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def payment_orders_expire() -> int:
    """Every five minutes: online payment orders left unpaid past their time expire."""
    from propdesk.portal.services.payments import payment_orders_expire as expire

    return expire()


@db_periodic_task(crontab(hour="10", minute="30"))
def payments_reconcile() -> int:
    """Each morning (the providers publish the day's statement by 10:00 Beijing time): match
    yesterday's WeChat Pay and Alipay statements with the payments recorded here."""
    import datetime

    from django.utils import timezone

    from propdesk.portal.services.reconciliation import payments_reconcile as reconcile

    return len(reconcile(day=timezone.localdate() - datetime.timedelta(days=1)))


@db_periodic_task(crontab(minute="*/10"))
def refunds_check_pending() -> dict:
    """Every ten minutes: refunds whose notification has not come after ten minutes are asked
    about at the provider and settled from its answer."""
    from propdesk.portal.services.refunds import refunds_check_pending as check

    return check()
