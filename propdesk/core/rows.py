"""New rows inserted from statements built once per model (the API's busiest writes).

`save()` and `bulk_create()` compile their INSERT anew on every call: for a telephone event or a
new service request that cost more CPU than the database spent writing (bench/README-requests.md,
issue 20). These write the same columns with the same values — every concrete field, prepared by
the field itself (`pre_save`, `get_db_prep_save`), as `save(force_insert=True)` would — from a
statement built the first time a model is written. Only for models whose `save()` is Django's
own and that no signal receiver watches: nothing else runs.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Field, Model

_SQL: dict[tuple, tuple[str, list[Field]]] = {}


def _statement(model: type[Model], rows: int, ignore_conflicts: bool) -> tuple[str, list[Field]]:
    key = (model, connection.vendor, rows, ignore_conflicts)
    built = _SQL.get(key)
    if built is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
        q = connection.ops.quote_name
        one = f"({', '.join(['%s'] * len(fields))})"
        # SQLite and PostgreSQL both read ON CONFLICT DO NOTHING before RETURNING; a row skipped
        # returns no id. A model without an id of its own (a composite key) returns nothing.
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        returning = f" RETURNING {q(meta.auto_field.column)}" if meta.auto_field else ""
        sql = (
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)})"  # noqa: S608
            f" VALUES {', '.join([one] * rows)}{conflict}{returning}"
        )
        built = _SQL[key] = (sql, fields)
    return built


def insert_row(instance: Model) -> None:
    """Insert `instance` as a new row and give it its id."""
    insert_rows([instance])


def insert_rows(instances: Sequence[Model], *, ignore_conflicts: bool = False) -> None:
    """Insert new rows of one model in one statement and give each its id (in the order sent;
    with `ignore_conflicts`, a row that met a unique constraint is skipped and gets none)."""
    if not instances:
        return
    sql, fields = _statement(type(instances[0]), len(instances), ignore_conflicts)
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for instance in instances
        for field in fields
    ]
    auto_field = instances[0]._meta.auto_field
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = [row[0] for row in cursor.fetchall()] if auto_field else []
    if auto_field and len(ids) != len(instances):
        ids = [None] * len(instances)  # rows were skipped, and which is not known: no ids
    for n, instance in enumerate(instances):
        if auto_field:
            setattr(instance, auto_field.attname, ids[n])
        instance._state.adding = False
        instance._state.db = connection.alias
