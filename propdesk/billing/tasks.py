"""Worker tasks of the fees app: they take ids, load, call one service, and are safe to repeat."""

from huey.contrib.djhuey import db_task


@db_task()
def billing_run_task(run_id: int) -> str:
    """Bill what a run has not billed yet; a second copy of the task finds nothing to claim."""
    from propdesk.billing.services.runs import billing_run_execute

    return billing_run_execute(run_id).status
