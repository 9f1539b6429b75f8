"""Worker tasks of the fees app: they take ids, load, call one service, and are safe to repeat."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def billing_run_task(run_id: int) -> str:
    """Bill what a run has not billed yet; a second copy of the task finds nothing to claim."""
    from propdesk.billing.services.runs import billing_run_execute

    return billing_run_execute(run_id).status


@db_task()
def run_bills_notify_task(run_id: int) -> int:
    """After a billing run: tell the billed houses' account owners, apart from the run itself."""
    from propdesk.billing.services.bills import run_bills_notify

    return run_bills_notify(run_id)


@db_periodic_task(crontab(minute="*/5"))
def billing_runs_sweep_periodic() -> dict:
    """Every five minutes: a run whose task was lost is queued again, one whose worker died is
    resumed (or, after several stops, left interrupted for a supervisor)."""
    from propdesk.billing.services.runs import billing_runs_sweep

    return billing_runs_sweep()


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
