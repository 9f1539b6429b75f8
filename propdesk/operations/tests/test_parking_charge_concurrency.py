"""Two guards taking the fee of one stay at the same moment, in two processes on PostgreSQL: the
stay is paid once. Counted at the edge: the payment rows written for the stay, the receipts
numbered, and what each process reports (one receipt number, one refusal)."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine

from propdesk.accounts.models import Role
from propdesk.billing.models import Payment, Receipt
from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.conftest import make_user
from propdesk.core.tests.concurrency import process_environment, require_postgresql
from propdesk.operations.models import StayStatus
from propdesk.operations.services import parking
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _postgresql():
    require_postgresql()


@pytest.fixture
def due_stay(community_a):
    billing_defaults_ensure(community=community_a)
    north = make_user("guard-north", Role.GUARD, community_a)
    make_user("guard-south", Role.GUARD, community_a)
    with time_machine.travel(at("2026-07-08 09:00"), tick=False):
        stay = parking.stay_enter(actor=north, community=community_a, plate="粤B12345")
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        return parking.stay_leave(actor=north, stay=stay)


def test_two_guards_charging_one_stay_at_once_take_one_payment(due_stay, tmp_path):
    assert due_stay.status == StayStatus.DUE and due_stay.fee_fen == 500
    go = tmp_path / "go"
    guards = [
        subprocess.Popen(  # noqa: S603 — this interpreter running our own worker module
            [
                sys.executable,
                "-m",
                "propdesk.operations.tests.parking_charge_worker",
                str(go),
                str(due_stay.pk),
                username,
                f"gate-{username}-0001",
            ],
            cwd=REPO,
            env=process_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username in ("guard-north", "guard-south")
    ]
    deadline = time.monotonic() + 180
    while len(list(tmp_path.glob("go.*.ready"))) < 2:
        assert time.monotonic() < deadline, "the guards' processes did not start"
        assert all(g.poll() is None for g in guards), [g.communicate()[1][-2000:] for g in guards]
        time.sleep(0.05)
    go.touch()
    results = [g.communicate(timeout=120) for g in guards]
    assert [g.returncode for g in guards] == [0, 0], [err[-2000:] for _out, err in results]

    outcomes = sorted(out.strip().splitlines()[-1] for out, _err in results)
    assert outcomes[0].startswith("paid ") and outcomes[1] == "refused stay_not_due", outcomes
    number = outcomes[0].removeprefix("paid ")
    payments = Payment.objects.filter(reference=f"parking:{due_stay.pk}")
    assert payments.count() == 1
    assert Payment.objects.count() == 1
    assert list(Receipt.objects.values_list("payment_id", flat=True)) == [payments.get().pk]
    assert Receipt.objects.get().display_number == number
    due_stay.refresh_from_db()
    assert (due_stay.status, due_stay.payment_id) == (StayStatus.PAID, payments.get().pk)
