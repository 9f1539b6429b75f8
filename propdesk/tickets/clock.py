"""The time services of this app act at, and a way to run them at another time.

Services ask `clock.now()`, never `timezone.now()` directly. In normal running the two are the
same. Loading demo data replays a year of requests through the real services: it wraps each step
in `clock.travel(moment)`, so every timestamp, deadline and escalation is computed as if it had
happened then (tests use time-machine instead, which moves `timezone.now()` itself). `quiet()`
keeps such replays from queueing owner notifications about the past.
"""

import contextlib
import contextvars
import datetime

from django.utils import timezone

_moment: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "propdesk_tickets_now", default=None
)
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "propdesk_tickets_quiet", default=False
)


def now() -> datetime.datetime:
    return _moment.get() or timezone.now()


def is_quiet() -> bool:
    return _quiet.get()


@contextlib.contextmanager
def travel(moment: datetime.datetime):
    if timezone.is_naive(moment):
        raise ValueError("travel needs an aware datetime")
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


@contextlib.contextmanager
def quiet():
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)
