"""Worker tasks of the community app (`manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def incident_broadcast_task(broadcast_id: int) -> bool:
    """After a broadcast is written: queue its messages to every affected resident (once,
    however often it runs)."""
    from propdesk.community.services.incidents import broadcast_deliver

    return broadcast_deliver(broadcast_id)


@db_periodic_task(crontab(minute="*"))
def incident_broadcasts_sweep() -> int:
    """Every minute: queue the broadcasts whose task was lost or whose worker died."""
    from propdesk.community.services.incidents import broadcasts_deliver_overdue

    return broadcasts_deliver_overdue()


@db_periodic_task(crontab(minute="*/15"))
def birthday_greetings() -> int:
    """Every quarter of an hour: greet today's birthdays (from 09:00; once a person a year)."""
    from propdesk.community.services.greetings import birthday_greetings_send

    return birthday_greetings_send()


@db_periodic_task(crontab(minute="*"))
def weather_warnings_due() -> int:
    """Every minute: queue the severe-weather warnings whose time has come."""
    from propdesk.community.services.warnings import weather_warnings_send_due

    return weather_warnings_send_due()
