"""Worker tasks of service requests (huey; `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def requests_sla_sweep() -> int:
    """Every minute: escalate SLA thresholds that have come, each once (tickets.services.sla)."""
    from propdesk.tickets.services.sla import sla_sweep

    return sla_sweep()


@db_task()
def request_owner_notices() -> int:
    """Woken after new requests commit: queue their owners' messages (tickets.services.notify)."""
    from propdesk.tickets.services.notify import owner_notices_send

    return owner_notices_send()


@db_periodic_task(crontab(minute="*"))
def requests_owner_notices_sweep() -> int:
    """Every minute: the owners' messages of requests whose wake-up was lost."""
    from propdesk.tickets.services.notify import owner_notices_send

    return owner_notices_send()
