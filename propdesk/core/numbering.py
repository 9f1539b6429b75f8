"""Gap-free numbering: the unified archive number now, receipts later.

The counter row is locked for the rest of the caller's transaction, so two numbers are never the
same and a rolled-back transaction gives its number back.
"""

from django.db import transaction

from propdesk.core.models import NumberSequence


def next_number(scope: str) -> int:
    """Return the next value of the counter `scope`; call inside the transaction that uses it."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    value = _increment(connection, scope)
    if value is None:  # the scope's first number
        NumberSequence.objects.get_or_create(scope=scope)
        value = _increment(connection, scope)
    return value


def _increment(connection, scope: str) -> int | None:
    """One statement: count up and read the value under the row lock (SQLite ≥ 3.35, PostgreSQL).

    Numbers are taken on every request, receipt and archived document, so this runs as one
    prepared UPDATE … RETURNING rather than three ORM statements."""
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 WHERE scope = %s "  # noqa: S608
            "RETURNING last_value",
            [scope],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]
