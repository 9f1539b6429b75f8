"""Statements built once per shape with marks in place of their values, run with new values."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from propdesk.core import statements


def _users(marks):
    return (
        get_user_model()
        .objects.filter(username__in=marks[:-1], is_active=True, id__gt=marks[-1])
        .order_by("username")
        .values("username", "date_joined")
    )


@pytest.fixture
def people(db):
    joined = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    model = get_user_model()
    return [
        model.objects.create(username=name, date_joined=joined + datetime.timedelta(days=n))
        for n, name in enumerate(["li", "wang", "zhao"])
    ]


def test_a_statement_is_built_once_and_run_with_each_calls_values(people):
    shape = ("test users", 2)
    marks = ["\x00a", "\x00b", -1]
    first = statements.statement(shape, _users, marks)
    assert statements.statement(shape, _users, marks) is first
    rows = first.run(["zhao", "li", 0])
    assert [dict(zip(first.names, row, strict=True)) for row in rows] == list(
        _users(["zhao", "li", 0])
    )
    assert first.run(["wang", "nobody", 0]) == [("wang", people[1].date_joined)]
    assert first.run(["wang", "li", people[1].pk]) == []


def test_the_columns_come_back_as_the_orm_converts_them(people):
    statement = statements.statement(("test users", 1), _users, ["\x00a", -1])
    [(name, joined)] = statement.run(["li", 0])
    assert (name, joined) == ("li", people[0].date_joined)
    assert isinstance(joined, datetime.datetime) and joined.tzinfo is not None


def test_a_query_holding_a_value_of_its_own_is_refused(db):
    def holding(marks):
        return get_user_model().objects.filter(username__in=marks, last_name="wang")

    with pytest.raises(AssertionError, match="not a mark"):
        statements.statement(("test holding", 1), holding, ["\x00a"])
    assert ("test holding", 1) not in [key[1:] for key in statements._BUILT]


def test_marks_must_differ(db):
    with pytest.raises(AssertionError, match="differ"):
        statements.statement(("test same marks", 2), _users, ["\x00a", "\x00a", -1])


def test_each_database_vendor_has_its_own_statement(people):
    statement = statements.statement(("test users", 1), _users, ["\x00a", -1])
    assert (connection.vendor, "test users", 1) in statements._BUILT
    assert statements._BUILT[(connection.vendor, "test users", 1)] is statement


def test_the_statements_kept_are_bounded(people, monkeypatch):
    monkeypatch.setattr(statements, "_BUILT", {})
    monkeypatch.setattr(statements, "MAX_BUILT", 3)
    for n in range(1, 5):
        statements.statement(("test users", n), _users, [f"\x00{k}" for k in range(n)] + [-1])
    assert len(statements._BUILT) == 1, "the fourth shape started the cache afresh"
    again = statements.statement(("test users", 2), _users, ["\x00a", "\x00b", -1])
    assert again.run(["li", "zhao", 0]) == [
        ("li", people[0].date_joined),
        ("zhao", people[2].date_joined),
    ]
