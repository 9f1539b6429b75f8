"""New rows from statements built once (core.rows): the same row as save(), ids in order."""

import pytest

from propdesk.core.models import NumberSequence
from propdesk.core.rows import insert_row, insert_rows

pytestmark = pytest.mark.django_db


def test_a_row_is_written_as_save_would_and_gets_its_id():
    row = NumberSequence(scope="rows:one", last_value=7)
    insert_row(row)
    assert row.pk is not None and not row._state.adding
    assert NumberSequence.objects.filter(pk=row.pk).values("scope", "last_value").get() == {
        "scope": "rows:one",
        "last_value": 7,
    }


def test_several_rows_are_one_statement_with_their_ids_in_order(django_assert_num_queries):
    rows = [NumberSequence(scope=f"rows:{n}", last_value=n) for n in range(3)]
    with django_assert_num_queries(1):
        insert_rows(rows)
    assert [NumberSequence.objects.get(pk=row.pk).scope for row in rows] == [
        "rows:0",
        "rows:1",
        "rows:2",
    ]


def test_nothing_to_insert_runs_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_rows([])


def test_a_conflicting_row_is_skipped_when_asked_and_the_others_written():
    insert_row(NumberSequence(scope="rows:taken"))
    rows = [NumberSequence(scope="rows:taken", last_value=5), NumberSequence(scope="rows:free")]
    insert_rows(rows, ignore_conflicts=True)
    assert dict(NumberSequence.objects.values_list("scope", "last_value")) == {
        "rows:taken": 0,
        "rows:free": 0,
    }
    assert [row.pk for row in rows] == [None, None]  # which one was skipped is not known


def test_a_hostile_value_is_a_parameter_not_sql():
    hostile = "x'); DROP TABLE core_numbersequence; --"
    insert_row(NumberSequence(scope=hostile))
    assert NumberSequence.objects.get(scope=hostile).last_value == 0
