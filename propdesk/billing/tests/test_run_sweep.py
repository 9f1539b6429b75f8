"""The billing run sweep: a run whose task was lost is queued again, a run whose worker died
(no progress for STUCK_AFTER) is resumed from the community it stopped at, and a run that keeps
stopping is left interrupted, with a note on its page, for a supervisor. Time is pinned."""

import datetime

import pytest
from django.urls import reverse

from propdesk.billing.models import Bill, BillingRun
from propdesk.billing.services import runs
from propdesk.billing.tests.conftest import NOW

JULY = datetime.date(2026, 7, 1)
Status = BillingRun.Status


@pytest.fixture
def company_run(admin, house_a, house_b, company, monkeypatch):
    """A company run of two communities whose worker died after billing the first one."""
    from propdesk.estates import services as estates

    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    monkeypatch.setattr(runs, "CHUNK_COMMUNITIES", 1)
    run = runs.billing_run_start(actor=admin, period=JULY, company=company)
    BillingRun.objects.filter(pk=run.pk).update(status=Status.RUNNING, started_at=NOW)
    assert runs._bill_next_chunk(run.pk) is True  # the first community, then the worker died
    run.refresh_from_db()
    assert (run.status, run.communities_done, run.heartbeat_at) == (Status.RUNNING, 1, NOW)
    return run


def test_a_run_still_making_progress_is_left_alone(clock, company_run):
    clock.move_to(NOW + runs.STUCK_AFTER - datetime.timedelta(seconds=1))
    assert runs.billing_runs_sweep() == {"requeued": 0, "resumed": [], "failed": []}
    company_run.refresh_from_db()
    assert (company_run.status, company_run.auto_resumes) == (Status.RUNNING, 0)


def test_a_run_whose_worker_died_is_resumed_where_it_stopped(clock, company_run):
    clock.move_to(NOW + runs.STUCK_AFTER + datetime.timedelta(seconds=1))
    outcome = runs.billing_runs_sweep()  # the worker runs the resumed run inline in the tests
    assert outcome["resumed"] == [company_run.pk]
    company_run.refresh_from_db()
    assert (company_run.status, company_run.communities_done, company_run.bills_created) == (
        Status.DONE,
        2,
        2,
    )
    assert company_run.auto_resumes == 1
    assert Bill.objects.filter(run=company_run).count() == 2
    assert runs.billing_runs_sweep() == {"requeued": 0, "resumed": [], "failed": []}


def test_the_resumed_run_says_so_on_its_page(clock, client, company_run, admin):
    clock.move_to(NOW + runs.STUCK_AFTER * 2)
    runs.billing_runs_sweep()
    client.force_login(admin)
    page = client.get(reverse("billing_run_detail", args=[company_run.pk]))
    assert page.status_code == 200
    assert "工作进程中断过，本次开单已自动继续 1 次。" in page.content.decode()


def test_a_run_that_keeps_stopping_waits_for_a_supervisor(clock, client, company_run, admin):
    BillingRun.objects.filter(pk=company_run.pk).update(auto_resumes=runs.MAX_AUTO_RESUMES)
    clock.move_to(NOW + runs.STUCK_AFTER * 2)
    assert runs.billing_runs_sweep()["failed"] == [company_run.pk]
    company_run.refresh_from_db()
    assert company_run.status == Status.FAILED
    assert company_run.communities_done == 1
    client.force_login(admin)
    page = client.get(reverse("billing_run_detail", args=[company_run.pk])).content.decode()
    assert company_run.error in page
    assert "工作进程已中断 4 次" in company_run.error
    assert 'data-status="failed"' in page
    assert reverse("billing_run_resume", args=[company_run.pk]) in page
    assert runs.billing_runs_sweep()["failed"] == []  # said once


def test_a_queued_run_whose_task_was_lost_is_queued_again(clock, admin, house_a, schedule_a):
    run = runs.billing_run_start(actor=admin, period=JULY, community=schedule_a)
    clock.move_to(NOW + runs.REQUEUE_AFTER - datetime.timedelta(seconds=1))
    assert runs.billing_runs_sweep()["requeued"] == 0
    clock.move_to(NOW + runs.REQUEUE_AFTER + datetime.timedelta(seconds=1))
    assert runs.billing_runs_sweep()["requeued"] == 1
    run.refresh_from_db()
    assert (run.status, run.bills_created) == (Status.DONE, 1)


def test_a_finished_or_interrupted_run_is_not_touched(clock, company_run):
    BillingRun.objects.filter(pk=company_run.pk).update(status=Status.FAILED, error="stopped")
    clock.move_to(NOW + datetime.timedelta(days=1))
    assert runs.billing_runs_sweep() == {"requeued": 0, "resumed": [], "failed": []}
    company_run.refresh_from_db()
    assert (company_run.status, company_run.error) == (Status.FAILED, "stopped")
