"""Worker tasks of the fees app: they take ids, load, call one service, and are safe to repeat."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def billing_run_task(run_id: int) -> str:
    """Bill what a run has not billed yet; a second copy of the task finds nothing to claim."""
    from propdesk.billing.services.runs import billing_run_execute

    return billing_run_execute(run_id).status


@db_periodic_task(crontab(minute="*/15"))
def billing_figures_refresh_periodic() -> int:
    """Every quarter of an hour: the finance dashboard's figures of the communities whose money
    moved since (and of every community once a day)."""
    from propdesk.billing.services.figures import figures_refresh

    return figures_refresh(only_changed=True)


@db_task()
def billing_figures_refresh_task(community_ids: list[int]) -> int:
    """A supervisor asked for fresh figures of these communities."""
    from propdesk.billing.services.figures import figures_refresh

    return figures_refresh(community_ids)
