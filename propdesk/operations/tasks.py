"""The worker's operations jobs: fold old readings into hourly rows every night; schedule patrol
rounds a day ahead and close those whose time is over; open maintenance work orders ahead of
their day and escalate the overdue ones."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from propdesk.operations import readings
from propdesk.operations.services import maintenance, patrol


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("operations-downsample")
def readings_downsample() -> int:
    return readings.downsample()


@db_periodic_task(crontab(minute="*/15"))
@lock_task("operations-patrol-schedule")
def patrol_rounds_schedule() -> int:
    return patrol.rounds_schedule()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("operations-patrol-sweep")
def patrol_rounds_sweep() -> int:
    return patrol.rounds_sweep()


@db_periodic_task(crontab(hour="5", minute="7"))
@lock_task("operations-work-orders-open")
def maintenance_work_orders_open() -> int:
    return maintenance.work_orders_open()


@db_periodic_task(crontab(minute="23"))
@lock_task("operations-work-orders-escalate")
def maintenance_work_orders_escalate() -> int:
    return maintenance.work_orders_escalate()
