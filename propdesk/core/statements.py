"""Statements the ORM writes once per shape and the database runs many times (issue 20).

A few read statements run on every queue page or search, and for them the ORM spent more CPU
writing the SQL than the database answering it. Such a statement is built once per database and
shape (what changes its SQL: how many values an `IN` holds, whether a cursor is set, the LIMIT),
from the query written as usual but with a mark in place of each value. Later calls run the same
SQL with their own values where the marks were, through the converters the ORM would apply.

The marks must be values the ORM passes through unchanged (ints, strings) and must differ from
each other and from every constant of the query: a parameter that is not a mark means the query
holds a value of its own, and building stops rather than run it with the wrong one.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet


@dataclass(frozen=True)
class Statement:
    sql: str
    slots: tuple[int, ...]  # for each parameter of the SQL, the position of its value
    names: tuple[str, ...]  # the columns, as `.values()` names them
    converters: dict

    def run(self, values: Sequence[Any]) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [values[slot] for slot in self.slots])
            fetched = cursor.fetchall()
        if not self.converters:
            return fetched
        rows = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for position, (functions, expression) in self.converters.items():
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            rows.append(tuple(row))
        return rows


_BUILT: dict[tuple, Statement] = {}
# Shapes are few (an API page's limit is at most 100, a user's communities a handful of counts),
# but a process never holds more than this many statements: past it, the cache starts afresh.
MAX_BUILT = 2000


def statement(shape: tuple, build: Callable[[list], QuerySet], marks: list) -> Statement:
    """The statement of `build(marks)` for this database and shape, built on first use.

    `shape` must name everything that changes the SQL; `marks` are the values `build` puts where
    the real values go, in the order `Statement.run` will be given them."""
    key = (connection.vendor, *shape)
    built = _BUILT.get(key)
    if built is None:
        built = _build(build(marks), marks)
        if len(_BUILT) >= MAX_BUILT:
            _BUILT.clear()
        _BUILT[key] = built
    return built


def _build(queryset: QuerySet, marks: list) -> Statement:
    slot_of = {mark: position for position, mark in enumerate(marks)}
    if len(slot_of) != len(marks):
        raise AssertionError("the marks of a statement must differ from each other")
    query = queryset.query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    slots = []
    for param in params:
        if param not in slot_of or type(param) is not type(marks[slot_of[param]]):
            raise AssertionError(f"a statement holds a value that is not a mark: {param!r}")
        slots.append(slot_of[param])
    names = (*query.values_select, *query.annotation_select)
    converters = compiler.get_converters([column for column, _, _ in compiler.select])
    return Statement(sql=sql, slots=tuple(slots), names=names, converters=converters)
