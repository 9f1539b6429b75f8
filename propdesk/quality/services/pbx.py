"""The telephone system's (CTI/PBX) events at /api/calls/events: ring, answer, hang-up.

Each request is signed: `X-PBX-Timestamp` (Unix seconds) and `X-PBX-Signature`
(`sha256=` and the hex HMAC-SHA256 of `timestamp.body` under the shared secret
`PBX_WEBHOOK_SECRET`). A request outside the time window (`PBX_WEBHOOK_WINDOW_SECONDS`, default
300 s either way) is refused, and each (call id, event) is applied once: a replayed event finds
its row and changes nothing, and a forged one is refused before anything is read. The body is at
most `MAX_BODY_BYTES`.

Body: {"call_id", "event": "ring|answer|hangup", "at": ISO 8601 with its offset,
"direction": "inbound|outbound", "line": the number dialled (inbound) or the hotline it was
dialled from (outbound), "number": the outside party, "agent": the extension (answer/hangup),
"cause": "caller|no_answer|voicemail|…" (hangup), "rings", "recording_url"}.
"""

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from propdesk.core import error_codes as core_codes
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.core.rows import insert_row
from propdesk.quality import error_codes
from propdesk.quality.models import (
    AgentExtension,
    Call,
    CallDirection,
    CallSource,
    HotlineLine,
    PbxEvent,
)
from propdesk.quality.services._common import clean_phone, now
from propdesk.quality.services.calls import (
    call_derive,
    callbacks_settle,
    party_match_sql,
    party_mobile,
)

SIGNATURE_HEADER = "X-PBX-Signature"
TIMESTAMP_HEADER = "X-PBX-Timestamp"
MAX_BODY_BYTES = 8 * 1024
EVENTS = ("ring", "answer", "hangup")
# An event's own time may lag the request a little (queues), never lead it by much.
MAX_EVENT_AGE = datetime.timedelta(days=1)


class Unauthorized(AppError):
    status = 401
    default_code = error_codes.BAD_SIGNATURE


class TooLarge(AppError):
    status = 413
    default_code = error_codes.TOO_LARGE


class NotConfigured(AppError):
    status = 503
    default_code = error_codes.NOT_CONFIGURED


def webhook_secret() -> bytes:
    return str(getattr(settings, "PBX_WEBHOOK_SECRET", "") or "").encode()


def window_seconds() -> int:
    return int(getattr(settings, "PBX_WEBHOOK_WINDOW_SECONDS", 300))


def sign(timestamp: str, body: bytes, secret: bytes | None = None) -> str:
    key = webhook_secret() if secret is None else secret
    digest = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(headers, body: bytes) -> None:
    """Refuse unless the body is signed with the shared secret within the time window."""
    secret = webhook_secret()
    if not secret:
        raise NotConfigured(_("The telephone system's webhook is not configured."))
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(_("The event is larger than %(n)d bytes.") % {"n": MAX_BODY_BYTES})
    stamp = str(headers.get(TIMESTAMP_HEADER, "")).strip()
    signature = str(headers.get(SIGNATURE_HEADER, "")).strip()
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 and signature):
        raise Unauthorized(_("The event is not signed."), code=error_codes.UNSIGNED)
    if not hmac.compare_digest(sign(stamp, body, secret).encode(), signature.encode()):
        raise Unauthorized(_("The event's signature is wrong."), code=error_codes.BAD_SIGNATURE)
    if abs(now().timestamp() - int(stamp)) > window_seconds():
        raise Unauthorized(
            _("The event's timestamp is outside the accepted window."), code=error_codes.STALE
        )


@dataclass
class PbxEventIn:
    call_id: str
    event: str
    at: datetime.datetime
    direction: str
    line: str
    number: str
    agent: str
    cause: str
    rings: int | None
    recording_url: str
    raw: dict


def _text(data: dict, field: str, max_length: int, *, required: bool = False) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationFailed(_("Enter text."), code=error_codes.BAD_BODY, field=field)
    text = str(value).strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code=core_codes.REQUIRED, field=field)
    if len(text) > max_length or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationFailed(
            _("At most %(n)d plain characters.") % {"n": max_length},
            code=error_codes.BAD_BODY,
            field=field,
        )
    return text


def parse(body: bytes) -> PbxEventIn:
    """The event's fields, each refused with a message naming it."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed(
            _("Send the event as a JSON object."), code=error_codes.BAD_BODY
        ) from exc
    if not isinstance(data, dict):
        raise ValidationFailed(_("Send the event as a JSON object."), code=error_codes.BAD_BODY)
    call_id = _text(data, "call_id", 64, required=True)
    event = _text(data, "event", 10, required=True)
    if event not in EVENTS:
        raise ValidationFailed(
            _("Choose one of: %(values)s.") % {"values": ", ".join(EVENTS)},
            code=core_codes.BAD_CHOICE,
            field="event",
        )
    at_text = _text(data, "at", 40, required=True)
    at = parse_datetime(at_text) if not at_text.isdigit() else None
    if at is None or at.tzinfo is None:
        raise ValidationFailed(
            _("Give the time in ISO 8601 with its offset, e.g. 2026-07-10T10:00:00+08:00."),
            code=error_codes.BAD_VALUE,
            field="at",
        )
    received = now()
    if at > received + datetime.timedelta(seconds=window_seconds()) or at < (
        received - MAX_EVENT_AGE
    ):
        raise ValidationFailed(
            _("The event's time is not plausible."), code=error_codes.BAD_VALUE, field="at"
        )
    direction = _text(data, "direction", 10) or CallDirection.INBOUND
    if direction not in CallDirection.values:
        raise ValidationFailed(
            _("Choose one of: inbound, outbound."), code=error_codes.BAD_VALUE, field="direction"
        )
    rings = data.get("rings")
    if rings is not None and (
        isinstance(rings, bool) or not isinstance(rings, int) or not 0 <= rings <= 100
    ):
        raise ValidationFailed(
            _("Enter a whole number from 0 to 100."), code=error_codes.BAD_VALUE, field="rings"
        )
    recording_url = _text(data, "recording_url", 500)
    if recording_url:
        from propdesk.quality.services.calls import clean_recording_url

        recording_url = clean_recording_url(recording_url)
    return PbxEventIn(
        call_id=call_id,
        event=event,
        at=at,
        direction=direction,
        line=clean_phone("line", _text(data, "line", 30), required=event == "ring"),
        number=clean_phone("number", _text(data, "number", 30), required=False),
        agent=_text(data, "agent", 20),
        cause=_text(data, "cause", 20).lower(),
        rings=rings,
        recording_url=recording_url,
        raw={k: data[k] for k in list(data)[:20] if isinstance(k, str) and len(k) <= 30},
    )


def event_apply(event: PbxEventIn) -> tuple[Call, bool]:
    """Apply one event; (call, False) when this (call id, event) was already applied.

    Deliveries racing (the first events of a new call have no row to lock yet, and the call is
    read before the transaction) meet at the unique call id, or at the unique (call id, event):
    the loser's transaction rolls back and it reads and tries once more, now waiting for the
    call's row and finding the event if it was the same one."""
    try:
        return _event_apply(event)
    except IntegrityError:
        try:
            return _event_apply(event)
        except IntegrityError:
            return Call.objects.pbx(event.call_id).get(), False


class EventContext(NamedTuple):
    """What applying an event needs to know, read in one statement (`event_context`)."""

    call_id: int | None  # the call of this call id, when it exists
    applied: bool  # this (call id, event) was applied before
    community_id: int | None  # the line's, when the line is in use
    owner_id: int | None  # the caller matched by mobile in that community (calls.party_match_sql)
    house_id: int | None
    agent_id: int | None  # the user of the event's extension


def event_context_query(event: PbxEventIn) -> tuple[str, list]:
    """The statement of `event_context` and its parameters. Each lookup goes through an index:
    the call through its partial unique one, whose condition is repeated (SQLite uses such an
    index only then), the event through (call id, event), the caller by mobile."""
    q = connection.ops.quote_name
    call, line = q(Call._meta.db_table), q(HotlineLine._meta.db_table)
    pbx_event, extension = q(PbxEvent._meta.db_table), q(AgentExtension._meta.db_table)
    sql = (
        f"WITH line AS (SELECT community_id FROM {line} WHERE number = %s AND is_active),"  # noqa: S608
        f" caller AS ({party_match_sql('(SELECT community_id FROM line)')})"
        f" SELECT (SELECT id FROM {call} WHERE pbx_call_id = %s AND NOT (pbx_call_id = '')),"
        f" EXISTS (SELECT 1 FROM {pbx_event} WHERE pbx_call_id = %s AND event = %s),"
        " (SELECT community_id FROM line), (SELECT owner_id FROM caller),"
        " (SELECT house_id FROM caller),"
        f" (SELECT user_id FROM {extension} WHERE extension = %s)"
    )
    params = [
        event.line,
        party_mobile(event.number),
        event.call_id,
        event.call_id,
        event.event,
        event.agent or None,
    ]
    return sql, params


def event_context(event: PbxEventIn) -> EventContext:
    """Everything an event needs read in one statement of indexed lookups: a new call's ring
    reads nothing else before its two rows are written (the ORM took five statements, and more
    CPU building them than the database spent answering)."""
    with connection.cursor() as cursor:
        cursor.execute(*event_context_query(event))
        call_id, applied, community_id, owner_id, house_id, agent_id = cursor.fetchone()
    return EventContext(call_id, bool(applied), community_id, owner_id, house_id, agent_id)


def _event_apply(event: PbxEventIn) -> tuple[Call, bool]:
    # The read comes before the transaction: on SQLite the transaction's BEGIN takes the
    # database's one write lock, which is then held for the writes alone (with two server
    # processes, the other waits on it). A delivery racing in between meets the unique call id
    # or event row, and event_apply reads again. A known call is locked and loaded inside.
    known = event_context(event)
    if known.applied:
        return Call.objects.get(pk=known.call_id), False
    if known.call_id is None and known.community_id is None:
        raise ValidationFailed(
            _("No hotline line has this number."), code=error_codes.UNKNOWN_LINE, field="line"
        )
    with transaction.atomic():
        return _event_write(event, known)


def _event_write(event: PbxEventIn, known: EventContext) -> tuple[Call, bool]:
    at = now()
    if known.call_id is not None:
        call = Call.objects.select_for_update().get(pk=known.call_id)
    else:
        call = Call(
            community_id=known.community_id,
            direction=event.direction,
            source=CallSource.PBX,
            pbx_call_id=event.call_id,
            line=event.line,
            party_number=event.number,
            party_tail=event.number[-4:],
            owner_id=known.owner_id,
            house_id=known.house_id,
            ring_at=event.at,
            created_at=at,
            updated_at=at,
        )
    if known.agent_id is not None:
        call.agent_id = known.agent_id
    if event.event == "ring":
        call.ring_at = min(call.ring_at, event.at)
    elif event.event == "answer":
        call.answered_at = event.at
    else:
        call.ended_at = event.at
        call.hangup_cause = event.cause
    if event.rings is not None:
        call.rings = event.rings
        call.rings_reported = True
    if event.recording_url:
        call.recording_url = event.recording_url
    if not call.party_number and event.number:
        call.party_number = event.number
        call.party_tail = event.number[-4:]
    call.updated_at = at
    call_derive(call)
    if call.pk is None:
        insert_row(call)
    else:
        call.save()
    insert_row(
        PbxEvent(
            pbx_call_id=event.call_id,
            event=event.event,
            at=event.at,
            received_at=at,
            call=call,
            body=event.raw,
        )
    )
    if call.answered_at is not None:
        callbacks_settle(call)
    return call, True
