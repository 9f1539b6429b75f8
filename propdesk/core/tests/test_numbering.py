"""Gap-free numbering (core.numbering) and the unified archive number built on it (DOMAIN.md §1)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

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


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_a_transaction():
    with pytest.raises(RuntimeError, match="must run inside a transaction"):
        next_number("x")
    assert _counters() == {}


@pytest.mark.django_db(transaction=True)
def test_committed_and_rolled_back_numbers_stay_gap_free_across_real_transactions():
    with transaction.atomic():
        assert next_number("x") == 1
    with pytest.raises(Abort), transaction.atomic():
        next_number("x")
        raise Abort
    with transaction.atomic():
        assert next_number("x") == 2
    assert _counters() == {"x": 2}


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
