"""Two workers handed the same billing run at once bill it once (PostgreSQL; SQLite runs one
writing transaction at a time): the claim is one UPDATE testing the run's status on its row, and
the sweep resumes a stuck run once however many sweeps run. Counted at the edge: bills written,
the run's totals and the owners' messages queued."""

import datetime

import pytest

from propdesk.billing.models import Bill, BillingRun
from propdesk.billing.services import runs
from propdesk.billing.tests.conftest import NOW
from propdesk.core.tests.concurrency import require_postgresql, run_together

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
JULY = datetime.date(2026, 7, 1)
Status = BillingRun.Status


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()


@pytest.fixture
def told(monkeypatch):
    """The runs whose owners were told of their bills (once per finished run)."""
    calls = []
    monkeypatch.setattr(runs, "_owners_tell", calls.append)
    return calls


@pytest.fixture
def company_run(admin, house_a, house_b, company, monkeypatch):
    from propdesk.estates import services as estates

    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    monkeypatch.setattr(runs, "CHUNK_COMMUNITIES", 1)
    monkeypatch.setattr(runs, "_enqueue", lambda run_id: None)
    return runs.billing_run_start(actor=admin, period=JULY, company=company)


def test_two_workers_on_one_run_bill_every_house_once(company_run, told):
    outcomes = run_together(2, lambda _i: runs.billing_run_execute(company_run.pk).status)

    assert [o.get("error") for o in outcomes] == [None, None]
    company_run.refresh_from_db()
    assert (company_run.status, company_run.communities_done) == (Status.DONE, 2)
    assert Bill.objects.filter(period=JULY).count() == 2
    assert company_run.bills_created == 2
    assert told == [company_run.pk]


def test_two_sweeps_resume_a_stuck_run_once(clock, company_run, told, monkeypatch):
    BillingRun.objects.filter(pk=company_run.pk).update(status=Status.RUNNING, heartbeat_at=NOW)
    clock.move_to(NOW + runs.STUCK_AFTER * 2)
    handed = []
    monkeypatch.setattr(runs, "_enqueue", handed.append)

    outcomes = run_together(2, lambda _i: runs.billing_runs_sweep())

    assert [o.get("error") for o in outcomes] == [None, None]
    assert sum(len(o["value"]["resumed"]) for o in outcomes) == 1
    assert handed == [company_run.pk]
    company_run.refresh_from_db()
    assert (company_run.status, company_run.auto_resumes) == (Status.QUEUED, 1)
    outcomes = run_together(2, lambda _i: runs.billing_run_execute(company_run.pk).status)
    assert Bill.objects.filter(period=JULY).count() == 2
    assert told == [company_run.pk]
