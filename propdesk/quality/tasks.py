"""The quality app's worker jobs (huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from propdesk.quality.services.exams import attempts_expire
from propdesk.quality.services.surveys import surveys_open_monthly


@db_periodic_task(crontab(hour="8", minute="5"))
def surveys_monthly_open():
    """Every morning: in the first week of the month, open the monthly survey of each community
    on its opening day (DOMAIN.md §7). Opening is idempotent, so a repeated run does nothing."""
    return surveys_open_monthly()


@db_periodic_task(crontab(minute="*"))
def exam_attempts_expire():
    """Every minute: grade the exam attempts whose time is up with the answers they saved (the
    server keeps the time, whether or not the page is still open). Safe to run twice."""
    return attempts_expire()
