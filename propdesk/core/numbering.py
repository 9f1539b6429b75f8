"""Gap-free numbering: the unified archive number now, receipts later.

The counter row is locked for the rest of the caller's transaction, so two numbers are never the
same and a rolled-back transaction gives its number back.
"""

from django.db import transaction
from django.db.models import F

from propdesk.core.models import NumberSequence


def next_number(scope: str) -> int:
    """Return the next value of the counter `scope`; call inside the transaction that uses it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside a transaction")
    NumberSequence.objects.get_or_create(scope=scope)
    NumberSequence.objects.filter(scope=scope).update(last_value=F("last_value") + 1)
    return (
        NumberSequence.objects.select_for_update()
        .values_list("last_value", flat=True)
        .get(scope=scope)
    )
