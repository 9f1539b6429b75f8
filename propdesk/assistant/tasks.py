"""Worker tasks of the assistant (huey; `manage.py run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def assistant_record_suggestions() -> int:
    """Every minute: record the suggestion and the final labels of new requests."""
    from propdesk.assistant.recording import record_new_requests

    return record_new_requests()
