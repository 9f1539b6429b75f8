"""Worker tasks of service requests (huey; `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def requests_sla_sweep() -> int:
    """Every minute: escalate SLA thresholds that have come, each once (tickets.services.sla)."""
    from propdesk.tickets.services.sla import sla_sweep

    return sla_sweep()
