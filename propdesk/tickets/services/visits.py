"""The promised visit window of a repair (seed 003 ch.3 §2: "明天上午9点到11点之间上门").

The agent or the engineer on the job tells the owner when someone will come: a window with a
start and an end, on the timeline and in the owner's message, shown on the portal, on the
engineer's list and in the API.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm
from propdesk.tickets import clock, error_codes
from propdesk.tickets.models import OPEN_STATUSES, EventAction, ServiceRequest
from propdesk.tickets.owner_text import visit_window_text
from propdesk.tickets.services import notify
from propdesk.tickets.services._common import (
    clean_note,
    event_record,
    lock_request,
    require_on_request,
)

SHORTEST = datetime.timedelta(minutes=15)
LONGEST = datetime.timedelta(hours=12)
FURTHEST = datetime.timedelta(days=60)
# A window may start a little before now: it is often set while the engineer is on the way.
GRACE = datetime.timedelta(minutes=30)


def _clean_moment(field: str, value) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationFailed(_("Enter a date and time."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def clean_window(
    start, end, *, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """A window that ends after it starts, lasts 15 minutes to 12 hours, and starts between
    half an hour ago and 60 days ahead; each refusal names its field."""
    start = _clean_moment("visit_from", start)
    end = _clean_moment("visit_until", end)
    if start < now - GRACE:
        raise ValidationFailed(
            _("The visit cannot start in the past."),
            code=error_codes.VISIT_IN_PAST,
            field="visit_from",
        )
    if start > now + FURTHEST:
        raise ValidationFailed(
            _("Promise a visit within the next 60 days."),
            code=error_codes.BAD_VISIT_WINDOW,
            field="visit_from",
        )
    if end <= start:
        raise ValidationFailed(
            _("The window must end after it starts."),
            code=error_codes.BAD_VISIT_WINDOW,
            field="visit_until",
        )
    if end - start < SHORTEST or end - start > LONGEST:
        raise ValidationFailed(
            _("A visit window lasts between 15 minutes and 12 hours."),
            code=error_codes.BAD_VISIT_WINDOW,
            field="visit_until",
        )
    return start, end


@transaction.atomic
def visit_window_set(
    *, actor, request: ServiceRequest, visit_from, visit_until, note: str = ""
) -> ServiceRequest:
    """Promise the owner a visit between two times (or move a promised one)."""
    request = lock_request(request)
    require_on_request(actor, Perm.REQUEST_WORK, request)
    if request.status not in OPEN_STATUSES:
        raise Conflict(
            _("A visit is promised while the request is open."),
            code=error_codes.REQUEST_NOT_OPEN,
            field="status",
        )
    now = clock.now()
    start, end = clean_window(visit_from, visit_until, now=now)
    note = clean_note("note", note, max_length=300)
    previous = (
        visit_window_text(request.visit_from, request.visit_until) if request.visit_from else ""
    )
    request.visit_from, request.visit_until, request.updated_at = start, end, now
    request.save(update_fields=["visit_from", "visit_until", "updated_at"])
    window = visit_window_text(start, end)
    event = event_record(
        request=request,
        actor=actor,
        action=EventAction.VISIT_PROMISED,
        note=note or window,
        data={
            "visit_from": start.isoformat(),
            "visit_until": end.isoformat(),
            **({"previous": previous} if previous else {}),
        },
        at=now,
    )
    notify.owner_notify(
        request=request,
        event=event,
        extra=_("We will come between %(window)s.") % {"window": window},
    )
    return request
