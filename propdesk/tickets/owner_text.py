"""What the owner is told about a request: the status line of the portal and of notifications.

DOMAIN.md §2: confirm receipt with the request number and when it will be handled; keep progress
transparent (status, who handles it, expected completion time). Texts name the department, never
a staff member's private details.
"""

import datetime

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from propdesk.tickets.models import ServiceRequest, Status


def when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return _("as soon as possible")
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def visit_window_text(start: datetime.datetime | None, end: datetime.datetime | None) -> str:
    """ "2026-03-17 09:00–11:00" (the end's date too when the window crosses midnight)."""
    if start is None or end is None:
        return ""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def owner_status_text(request: ServiceRequest) -> str:
    """One sentence for the owner about where their request stands."""
    department = request.department.name if request.department_id else _("the service centre")
    values = {
        "number": request.number,
        "due": when(request.promised_at),
        "department": department,
        "reason": request.cancel_reason,
        "resolved": when(request.resolved_at),
    }
    status = request.status
    if status in (Status.NEW, Status.ACCEPTED):
        text = _("Received as %(number)s. We will have it handled by %(due)s.")
    elif status == Status.DISPATCHED and request.reopen_count:
        text = _(
            "Reopened after your feedback and passed to %(department)s again; "
            "expected to be done by %(due)s."
        )
    elif status == Status.DISPATCHED:
        text = _("Passed to %(department)s; expected to be done by %(due)s.")
    elif status == Status.IN_PROGRESS:
        text = _("%(department)s is working on it; expected to be done by %(due)s.")
    elif status == Status.WAITING_OWNER:
        text = _("Waiting for you: please contact the service centre so that we can go on.")
    elif status in (Status.RESOLVED, Status.FOLLOW_UP):
        text = _("Done on %(resolved)s. Please tell us whether you are satisfied.")
    elif status == Status.CLOSED:
        text = _("Closed. Thank you for your feedback.")
    else:
        text = _("Cancelled: %(reason)s")
    return text % values


def in_owner_language(func, *args, **kwargs):
    """Render an owner message in the site's default language (owners' messages are Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return func(*args, **kwargs)
