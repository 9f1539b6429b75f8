"""Rendering notification templates safely: `{name}` placeholders from a whitelist, nothing else.

Templates are edited by administrators and their text reaches owners' phones, so the renderer
interprets nothing but bare placeholder names the event allows: no attribute or index access
(`{owner.__class__}`, `{house[0]}`), no conversions or format specs (`{amount!r}`,
`{amount:>99999}`), no positional fields, and never the Django template language. Values are
substituted as plain text; pages escape them as usual when they show a message.
"""

import re
import string
from dataclasses import dataclass

from django.utils.translation import gettext as _

from propdesk.core.config_cache import cached
from propdesk.core.errors import ValidationFailed
from propdesk.notices import error_codes
from propdesk.notices.events import DEFAULTS, EVENTS

NAME_RE = re.compile(r"^[a-z][a-z_]{0,30}$")
MAX_VALUE = 2000  # one variable never blows a message up


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def placeholders(text: str, *, field: str = "body") -> list[str]:
    """The placeholder names in `text`; a malformed or forbidden one raises ValidationFailed."""
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationFailed(
            _("Check the braces: write variables as {house}, and a brace itself as {{ or }}."),
            code=error_codes.BAD_TEMPLATE,
            field=field,
        ) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not NAME_RE.match(name) or spec or conversion:
            raise ValidationFailed(
                _("Only plain variables such as {house} are allowed; “%(text)s” is not one.")
                % {"text": "{" + name[:40] + "}"},
                code=error_codes.BAD_TEMPLATE,
                field=field,
            )
        names.append(name)
    return names


def template_check(event: str, text: str, *, field: str = "body") -> None:
    """Refuse a template that names a variable its event does not provide."""
    allowed = EVENTS[event].variables
    unknown = sorted(set(placeholders(text, field=field)) - set(allowed))
    if unknown:
        raise ValidationFailed(
            _("Unknown variables: %(names)s. This event offers %(known)s.")
            % {
                "names": ", ".join(unknown),
                "known": ", ".join("{" + n + "}" for n in allowed),
            },
            code=error_codes.UNKNOWN_VARIABLE,
            field=field,
        )


def fill(text: str, context: dict) -> str:
    """Substitute the placeholders of a checked template; unknown or bad ones become empty."""
    out = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return text
    for literal, name, spec, conversion in parsed:
        out.append(literal)
        if name is None:
            continue
        if NAME_RE.match(name) and not spec and not conversion:
            value = context.get(name, "")
            out.append(("" if value is None else str(value))[:MAX_VALUE])
    return "".join(out)


def _template_words(event: str, channel: str, community_id: int | None):
    """(subject, body) of the most specific saved template, or None; kept in the configuration
    cache (core.config_cache), which a saved template clears (notices.apps)."""
    return cached(
        ("notification_template", event, channel, community_id),
        lambda: _template_row_words(event, channel, community_id),
    )


def _template_row_words(event: str, channel: str, community_id: int | None):
    from django.db.models import Q

    from propdesk.notices.models import NotificationTemplate

    where = Q(community__isnull=True)
    if community_id:
        where |= Q(community_id=community_id)
    rows = NotificationTemplate.objects.filter(where, event=event, channel__in=[channel, "any"])

    def rank(row):
        return (row.community_id is None, row.channel == "any")

    row = min(rows, key=rank, default=None)
    return None if row is None else (row.subject, row.body)


def template_words(event: str, community=None, channel: str = "any") -> tuple[str, str]:
    """(subject, body) of the most specific template: the community's own for the channel, the
    community's for every channel, the company default for the channel, then for every channel."""
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    words = _template_words(event, channel, getattr(community, "id", community))
    if words is not None:
        return words
    return min(
        (c != channel, s, b) for e, c, s, b in DEFAULTS if e == event and c in (channel, "any")
    )[1:]


def render_words(event: str, words: tuple[str, str], context: dict) -> Rendered:
    allowed = {name: context.get(name, "") for name in EVENTS[event].variables}
    subject, body = words
    return Rendered(subject=fill(subject, allowed).strip(), body=fill(body, allowed).strip())


def render_notification(
    event: str, context: dict, community=None, *, channel: str = "any"
) -> Rendered:
    """The subject and body of `event`'s message for `channel` in `community`, with `context`'s
    values for the event's variables (others are ignored; missing ones are empty)."""
    return render_words(event, template_words(event, community, channel), context)
