"""Gap-free numbering (core.numbering) and the unified archive number built on it (DOMAIN.md §1)."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections, transaction

from propdesk.core.models import NumberSequence
from propdesk.core.numbering import next_number
from propdesk.estates.services import archive_number_next

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Abort(Exception):
    pass


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 9, 30, tzinfo=SHANGHAI), tick=False):
        yield


def _counters() -> dict[str, int]:
    return dict(NumberSequence.objects.values_list("scope", "last_value"))


def test_a_new_counter_starts_at_one_and_counts_up(db):
    with transaction.atomic():
        assert [next_number("receipt:1") for _ in range(3)] == [1, 2, 3]
    assert _counters() == {"receipt:1": 3}


def test_each_scope_counts_on_its_own(db):
    with transaction.atomic():
        assert next_number("x") == 1
        assert next_number("y") == 1
        assert next_number("x") == 2
    assert _counters() == {"x": 2, "y": 1}


def test_a_rolled_back_transaction_gives_its_number_back(db):
    with transaction.atomic():
        assert next_number("x") == 1
    with pytest.raises(Abort), transaction.atomic():
        assert next_number("x") == 2
        raise Abort
    assert _counters() == {"x": 1}
    with transaction.atomic():
        assert next_number("x") == 2


def test_a_rolled_back_first_number_leaves_no_counter_behind(db):
    with pytest.raises(Abort), transaction.atomic():
        assert next_number("fresh") == 1
        raise Abort
    assert _counters() == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_must_run_inside_a_transaction():
    with pytest.raises(RuntimeError, match="must run inside a transaction"):
        next_number("x")
    assert _counters() == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_committed_and_rolled_back_numbers_stay_gap_free_across_real_transactions():
    with transaction.atomic():
        assert next_number("x") == 1
    with pytest.raises(Abort), transaction.atomic():
        next_number("x")
        raise Abort
    with transaction.atomic():
        assert next_number("x") == 2
    assert _counters() == {"x": 2}


def _in_thread(work):
    """Run `work` on its own database connection, as a second request would."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        except Exception as exc:  # reported to the test below
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_waiting_transaction_gets_the_number_a_rolled_back_one_gave_back():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs two writing transactions at once")
    with transaction.atomic():
        assert next_number("x") == 1
    holding = threading.Event()

    def first():
        with transaction.atomic():
            number = next_number("x")
            holding.set()
            threading.Event().wait(0.5)  # the second transaction queues on the counter meanwhile
            raise Abort(number)

    def second():
        holding.wait(5)
        with transaction.atomic():
            return next_number("x")

    first_thread, first_outcome = _in_thread(first)
    second_thread, second_outcome = _in_thread(second)
    first_thread.join(10)
    second_thread.join(10)
    assert first_outcome["error"].args == (2,)
    assert second_outcome == {"value": 2}
    assert _counters() == {"x": 2}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transactions_never_share_a_number():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs two writing transactions at once")

    def take():
        with transaction.atomic():
            return next_number("receipt")

    runs = [_in_thread(take) for _ in range(6)]
    for thread, _outcome in runs:
        thread.join(10)
    assert sorted(outcome["value"] for _thread, outcome in runs) == [1, 2, 3, 4, 5, 6]
    assert _counters() == {"receipt": 6}


# The unified archive number: PREFIX-YYYY-NNNNNN per community and year


def test_archive_numbers_count_per_community(community_a, community_b):
    with transaction.atomic():
        numbers = [
            archive_number_next(community_a),
            archive_number_next(community_a),
            archive_number_next(community_b),
            archive_number_next(community_a),
        ]
    assert numbers == ["A-2026-000001", "A-2026-000002", "B-2026-000001", "A-2026-000003"]
    assert _counters() == {
        f"archive:{community_a.id}:2026": 3,
        f"archive:{community_b.id}:2026": 1,
    }


def test_archive_numbers_start_again_each_year(community_a):
    with transaction.atomic():
        assert archive_number_next(community_a) == "A-2026-000001"
        assert archive_number_next(community_a) == "A-2026-000002"
    with (
        time_machine.travel(datetime.datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI), tick=False),
        transaction.atomic(),
    ):
        assert archive_number_next(community_a) == "A-2027-000001"
    with transaction.atomic():
        assert archive_number_next(community_a) == "A-2026-000003"


def test_the_year_is_the_local_year_in_shanghai(community_a):
    # 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Shanghai.
    moment = datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), transaction.atomic():
        assert archive_number_next(community_a) == "A-2027-000001"


def test_archive_numbers_use_the_communitys_prefix_not_its_code(community_a):
    community_a.archive_prefix = "XF"
    community_a.save(update_fields=["archive_prefix"])
    with transaction.atomic():
        assert archive_number_next(community_a) == "XF-2026-000001"


def test_a_rolled_back_archive_number_is_given_back(community_a):
    with pytest.raises(Abort), transaction.atomic():
        assert archive_number_next(community_a) == "A-2026-000001"
        raise Abort
    with transaction.atomic():
        assert archive_number_next(community_a) == "A-2026-000001"


def test_archive_numbers_past_a_million_keep_every_digit(community_a):
    NumberSequence.objects.create(scope=f"archive:{community_a.id}:2026", last_value=999_999)
    with transaction.atomic():
        assert archive_number_next(community_a) == "A-2026-1000000"
