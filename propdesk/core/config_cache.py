"""A small per-process cache for configuration rows read on every request.

Intake, the fee gate and the message senders read rows that change a few times a year (the
request taxonomy, routing, SLA policies, calendars, message templates). Lookups are kept for
`CACHE_SECONDS`: a change saved in this process clears the cache at once through the model
signals each app wires in its `ready()` (`clear_on_change`), and other worker processes see it
within `CACHE_SECONDS`. Tests clear it before each test.
"""

import threading
import time
from collections.abc import Callable, Iterable

CACHE_SECONDS = 60.0
_cache: dict[tuple, tuple[float, object]] = {}
_cache_lock = threading.Lock()


def cached(key: tuple, load: Callable[[], object]):
    """`load()`'s value under `key`, reused for CACHE_SECONDS."""
    now = time.monotonic()
    entry = _cache.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    value = load()
    with _cache_lock:
        _cache[key] = (now + CACHE_SECONDS, value)
    return value


def cached_row(key: tuple, load: Callable[[], dict], pk):
    """The row `pk` of the mapping `load()` returns, cached under `key`; a miss loads the mapping
    again at once (a row added in another process since), and None means there is no such row."""
    rows = cached(key, load)
    if pk not in rows:
        rows = load()
        with _cache_lock:
            _cache[key] = (time.monotonic() + CACHE_SECONDS, rows)
    return rows.get(pk)


def clear_cache(*_args, **_kwargs) -> None:
    with _cache_lock:
        _cache.clear()


def clear_on_change(models: Iterable, uid: str) -> None:
    """Clear the cache whenever a row of one of `models` is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                clear_cache,
                sender=model,
                dispatch_uid=f"{uid}-{model._meta.label}-{signal is post_save}",
            )
