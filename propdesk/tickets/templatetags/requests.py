"""Template helpers of the request pages: deadline badges and times left."""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from propdesk.tickets import clock
from propdesk.tickets.models import NO_DEADLINE

register = template.Library()

SLA_BADGES = {
    "overdue": ("text-bg-danger", _("Overdue")),
    "due_soon": ("text-bg-warning", _("Due soon")),
    "on_time": ("text-bg-success", _("On time")),
    "paused": ("text-bg-secondary", _("Paused")),
}
STATUS_BADGES = {
    "new": "text-bg-primary",
    "accepted": "text-bg-info",
    "dispatched": "text-bg-info",
    "in_progress": "text-bg-warning",
    "waiting_owner": "text-bg-secondary",
    "resolved": "text-bg-success",
    "follow_up": "text-bg-success",
    "closed": "text-bg-light",
    "cancelled": "text-bg-light",
}


@register.simple_tag
def sla_badge(request, now=None):
    """(css class, label) of a request's deadline state, or None when it has none."""
    state = request.sla_state(now or clock.now())
    if not state:
        return None
    css, label = SLA_BADGES[state]
    return {"css": css, "label": label, "state": state}


@register.filter
def status_css(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light")


@register.filter
def deadline(moment) -> str:
    if not moment or moment >= NO_DEADLINE:
        return "—"
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


@register.filter
def time_left(moment) -> str:
    """'2 h 15 min left' or '40 min overdue'."""
    if not moment or moment >= NO_DEADLINE:
        return ""
    delta = moment - clock.now()
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    else:
        text = _("%(m)d min") % {"m": mins}
    if delta < datetime.timedelta(0):
        return _("%(t)s overdue") % {"t": text}
    return _("%(t)s left") % {"t": text}


@register.filter
def satisfaction(score) -> str:
    """A satisfaction score in stars and words: ★★★★☆ 满意."""
    from propdesk.tickets.satisfaction import satisfaction_text

    return satisfaction_text(score)


@register.filter
def satisfaction_stars(score) -> str:
    """An average score as stars: 4.3 → ★★★★☆."""
    from propdesk.tickets.satisfaction import stars

    return stars(score) if score not in (None, "") else ""
