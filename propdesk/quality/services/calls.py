"""Hotline calls (来电记录), issue 16 and DOMAIN.md §7: recording a call, its outcome, and the
callback of one nobody answered.

Every way in — the call desk, the telephone system's events, an imported call-detail file —
ends in `call_derive`, which computes the state, the wait, the talk time and the rings from the
times alone (so events may arrive in any order), and in `callbacks_settle`, which takes unanswered
calls of a number off the call-back queue once that number has been reached.
"""

import datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core import error_codes as core_codes
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.estates.models import Community, House, Owner, Ownership
from propdesk.quality import error_codes
from propdesk.quality.models import (
    CALLBACK_STATES,
    Call,
    CallDirection,
    CallOutcome,
    CallSource,
    CallState,
)
from propdesk.quality.services._common import clean_phone, now, settings_for
from propdesk.tickets.models import ServiceRequest

MAX_NOTE = 2000
VOICEMAIL_CAUSES = {"voicemail"}
ABANDON_CAUSES = {"caller", "abandoned", "caller_hangup"}

# What an agent may record as the end of a call, per direction.
INBOUND_OUTCOMES = {
    CallOutcome.ON_THE_SPOT,
    CallOutcome.REQUEST_CREATED,
    CallOutcome.REQUEST_LINKED,
    CallOutcome.MESSAGE_TAKEN,
    CallOutcome.WRONG_NUMBER,
}
OUTBOUND_OUTCOMES = INBOUND_OUTCOMES | {CallOutcome.UNREACHABLE}
NEEDS_REQUEST = {
    CallOutcome.REQUEST_CREATED,
    CallOutcome.REQUEST_LINKED,
    CallOutcome.MESSAGE_TAKEN,
}


def _seconds(start, end) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds()))


def call_derive(call: Call, *, ring_cycle_seconds: int | None = None) -> None:
    """State, wait, talk and rings from the times and the hang-up cause (no save)."""
    if call.answered_at is not None:
        call.state = CallState.TALKING if call.ended_at is None else CallState.ANSWERED
        call.wait_seconds = _seconds(call.ring_at, call.answered_at)
        call.talk_seconds = _seconds(call.answered_at, call.ended_at)
    elif call.ended_at is None:
        call.state = CallState.RINGING
        call.wait_seconds = None
        call.talk_seconds = None
    else:
        cause = (call.hangup_cause or "").lower()
        if cause in VOICEMAIL_CAUSES:
            call.state = CallState.VOICEMAIL
        elif cause in ABANDON_CAUSES:
            call.state = CallState.ABANDONED
        else:
            call.state = CallState.MISSED
        call.wait_seconds = _seconds(call.ring_at, call.ended_at)
        call.talk_seconds = None
    if call.rings_reported:
        return
    if call.wait_seconds is None:
        call.rings = None
        return
    cycle = ring_cycle_seconds or settings_for(call.community_id).ring_cycle_seconds or 5
    # Answered during the first ring is ring 1; each full cycle waited is one more ring.
    call.rings = min(call.wait_seconds // cycle + 1, 32767)


def party_mobile(number: str) -> str | None:
    """The number as an owner's mobile is stored (a normalized 11-digit mobile), else None."""
    return number if len(number) == 11 and number.startswith("1") else None


def party_match_sql(community: str) -> str:
    """One row (owner_id, house_id): the one owner with the mobile (the statement's parameter,
    NULL matches nobody) in the community (`community`, an SQL expression), and their house when
    they hold exactly one; NULL for no one or for several. Indexed lookups by the mobile and by
    the owner. The rule's one statement: `party_match_ids` runs it alone, the telephone system's
    events inside the statement that finds their call (services.pbx)."""
    q = connection.ops.quote_name
    owner, ownership = q(Owner._meta.db_table), q(Ownership._meta.db_table)
    return (
        "SELECT o.id AS owner_id, (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(s.house_id) END"  # noqa: S608
        f" FROM {ownership} s WHERE s.owner_id = o.id AND s.end_on IS NULL) AS house_id"
        " FROM (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(id) END AS id"
        f" FROM {owner} WHERE mobile = %s AND community_id = {community}) o"
    )


def party_match_ids(community_id: int, number: str) -> tuple[int | None, int | None]:
    """The caller matched by number: the id of the one owner with this mobile in the community,
    and of their house when they hold exactly one (`party_match_sql`); no model is loaded."""
    mobile = party_mobile(number)
    if mobile is None:
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(party_match_sql("%s"), [mobile, community_id])
        owner_id, house_id = cursor.fetchone()
    return owner_id, house_id


def party_match(community_id: int, number: str) -> tuple[Owner | None, House | None]:
    """The owner with this mobile in the community, and their house when they hold exactly one."""
    owner_id, house_id = party_match_ids(community_id, number)
    owner = Owner.objects.get(pk=owner_id) if owner_id is not None else None
    house = House.objects.get(pk=house_id) if house_id is not None else None
    return owner, house


def callbacks_settle(call: Call, *, by=None) -> int:
    """An answered call reaches its number: earlier unanswered inbound calls from it leave the
    call-back queue. Returns how many did."""
    if call.state not in (CallState.ANSWERED, CallState.TALKING) or not call.party_number:
        return 0
    return (
        Call.objects.filter(
            community_id=call.community_id,
            party_tail=call.party_number[-4:],
            party_number=call.party_number,
            direction=CallDirection.INBOUND,
            state__in=CALLBACK_STATES,
            called_back_at__isnull=True,
            ring_at__lte=call.ring_at,
        )
        .exclude(pk=call.pk)
        .update(
            called_back_at=call.answered_at or call.ring_at,
            called_back_by_id=by.pk if by is not None else call.agent_id,
            updated_at=now(),
        )
    )


def _ensure_can_work(actor, call: Call) -> None:
    require(actor, Perm.CALL_TAKE, call.community_id)
    if call.agent_id not in (None, actor.pk) and not has_perm(actor, Perm.CALL_MANAGE):
        raise PermissionDenied(_("This call is another agent's."), code=error_codes.CALL_NOT_YOURS)


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


@transaction.atomic
def call_start(
    *,
    actor,
    community: Community,
    number: str,
    direction: str = CallDirection.INBOUND,
    ring_at: datetime.datetime | None = None,
    callback_of: Call | None = None,
) -> Call:
    """The agent picks up (or dials): the call desk opens the record, answered now by the agent."""
    require(actor, Perm.CALL_TAKE, community.id)
    if direction not in CallDirection.values:
        raise ValidationFailed(
            _("Choose one of the listed values."), code=core_codes.BAD_CHOICE, field="direction"
        )
    number = clean_phone("number", number)
    at = now()
    if ring_at is not None and (ring_at > at or at - ring_at > datetime.timedelta(minutes=10)):
        raise ValidationFailed(
            _("The call rang at most ten minutes ago."), code=error_codes.BAD_VALUE, field="ring_at"
        )
    owner, house = party_match(community.id, number)
    call = Call(
        community=community,
        direction=direction,
        source=CallSource.CONSOLE,
        party_number=number,
        party_tail=number[-4:],
        owner=owner,
        house=house,
        agent=actor,
        ring_at=ring_at or at,
        answered_at=at,
        callback_of=callback_of,
        created_at=at,
        updated_at=at,
    )
    call_derive(call)
    call.save()
    callbacks_settle(call, by=actor)
    audit.record_change(
        actor=actor,
        instance=call,
        action="create",
        house_id=house.pk if house else None,
        owner_id=owner.pk if owner else None,
        object_repr=str(call),
    )
    return call


@transaction.atomic
def callback_start(*, actor, call: Call) -> Call:
    """Call back an unanswered call from the queue: an outbound call tied to it. The queue item
    stays until the callback reaches someone (`call_finish` with any outcome but unreachable)."""
    require(actor, Perm.CALL_TAKE, call.community_id)
    call = _lock(call)
    if not call.awaits_callback:
        raise Conflict(
            _("This call is not waiting for a callback."), code=error_codes.NOT_AWAITING_CALLBACK
        )
    if not call.party_number:
        raise ValidationFailed(
            _("The caller's number is unknown."), code=error_codes.BAD_NUMBER, field="number"
        )
    Call.objects.filter(pk=call.pk).update(
        callback_attempts=call.callback_attempts + 1, updated_at=now()
    )
    outbound = Call(
        community_id=call.community_id,
        direction=CallDirection.OUTBOUND,
        source=CallSource.CONSOLE,
        party_number=call.party_number,
        party_tail=call.party_tail,
        owner_id=call.owner_id,
        house_id=call.house_id,
        agent=actor,
        ring_at=now(),
        answered_at=now(),
        callback_of=call,
        created_at=now(),
        updated_at=now(),
    )
    # On the line from the moment the agent dials; "nobody answered" undoes the answer.
    call_derive(outbound)
    outbound.save()
    audit.record_change(actor=actor, instance=outbound, action="create", object_repr=str(outbound))
    return outbound


@transaction.atomic
def call_finish(
    *,
    actor,
    call: Call,
    outcome: str,
    note: str = "",
    request: ServiceRequest | None = None,
) -> Call:
    """The call ends: its outcome (and the request it led to), the note; the talk time stops.

    An outbound callback that reached someone takes its missed call off the queue."""
    _ensure_can_work(actor, call)
    call = _lock(call)
    if call.ended_at is not None:
        raise Conflict(_("This call has already ended."), code=error_codes.CALL_ENDED)
    allowed = OUTBOUND_OUTCOMES if call.direction == CallDirection.OUTBOUND else INBOUND_OUTCOMES
    if outcome not in allowed:
        raise ValidationFailed(
            _("Choose one of the listed values."), code=core_codes.BAD_CHOICE, field="outcome"
        )
    if outcome in NEEDS_REQUEST and request is None:
        raise ValidationFailed(
            _("Name the request this call led to."),
            code=error_codes.OUTCOME_NEEDS_REQUEST,
            field="request",
        )
    if request is not None and request.community_id != call.community_id:
        raise ValidationFailed(
            _("This belongs to another community."),
            code=error_codes.OTHER_COMMUNITY,
            field="request",
        )
    note = _clean_note(note)
    at = now()
    if call.answered_at is None:
        call.answered_at = at
    call.ended_at = at
    if outcome == CallOutcome.UNREACHABLE:
        call.answered_at = None
        call.hangup_cause = "no_answer"
    call.outcome = outcome
    call.note = note or call.note
    call.request = request if outcome in NEEDS_REQUEST else None
    call.agent = call.agent or actor
    call.updated_at = at
    call_derive(call)
    call.save()
    if call.callback_of_id and outcome != CallOutcome.UNREACHABLE:
        Call.objects.filter(pk=call.callback_of_id, called_back_at__isnull=True).update(
            called_back_at=at, called_back_by=actor, updated_at=at
        )
    callbacks_settle(call, by=actor)
    audit.record_change(
        actor=actor,
        instance=call,
        action="update",
        changes={"outcome": ["", outcome]},
        object_repr=str(call),
    )
    return call


def _clean_note(note) -> str:
    from propdesk.core.cleaning import clean_text

    return clean_text("note", note, max_length=MAX_NOTE)


@transaction.atomic
def call_annotate(
    *,
    actor,
    call: Call,
    note: str | None = None,
    recording_url: str | None = None,
    recording_file=None,
) -> Call:
    """Add the note or the recording afterwards (the agent who took it, or a supervisor)."""
    _ensure_can_work(actor, call)
    call = _lock(call)
    values: dict = {}
    if note is not None:
        values["note"] = _clean_note(note)
    if recording_url is not None:
        values["recording_url"] = clean_recording_url(recording_url)
    changes = audit.apply_changes(call, values)
    if recording_file is not None:
        check_recording_file(recording_file)
        call.recording_file = recording_file
        changes["recording_file"] = ["", recording_file.name[:100]]
    if changes:
        call.updated_at = now()
        call.save()
        audit.record_change(
            actor=actor,
            instance=call,
            action="update",
            changes={k: v for k, v in changes.items() if k != "note"},
            object_repr=str(call),
        )
    return call


RECORDING_TYPES = {".mp3": b"ID3", ".wav": b"RIFF", ".m4a": None, ".amr": b"#!AMR"}
MAX_RECORDING_BYTES = 20 * 1024 * 1024


def clean_recording_url(value) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from propdesk.core.cleaning import clean_text

    text = clean_text("recording_url", value, max_length=500)
    if not text:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(text)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Enter a web address starting with https://."),
            code=error_codes.BAD_RECORDING,
            field="recording_url",
        ) from exc
    return text


def check_recording_file(upload) -> None:
    import os

    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in RECORDING_TYPES:
        raise ValidationFailed(
            _("Upload an MP3, WAV, M4A or AMR recording."),
            code=error_codes.BAD_RECORDING,
            field="recording_file",
        )
    if upload.size > MAX_RECORDING_BYTES:
        raise ValidationFailed(
            _("The recording is larger than 20 MB."),
            code=error_codes.BAD_VALUE,
            field="recording_file",
        )
    magic = RECORDING_TYPES[ext]
    head = upload.read(8)
    upload.seek(0)
    mp3_frame = ext == ".mp3" and head[:1] == b"\xff"
    if magic is not None and not head.startswith(magic) and not mp3_frame:
        raise ValidationFailed(
            _("This file is not a recording of the type its name says."),
            code=error_codes.BAD_RECORDING,
            field="recording_file",
        )


@transaction.atomic
def call_request_record(*, actor, call: Call, note: str = "", **request_fields) -> Call:
    """The call led to a request: record it (tickets' intake, by phone) and end the call with
    it, in one transaction — both or neither."""
    from propdesk.tickets.services import request_create

    _ensure_can_work(actor, call)
    if call.ended_at is not None:
        raise Conflict(_("This call has already ended."), code=error_codes.CALL_ENDED)
    request_fields.setdefault("channel", "phone")
    if not request_fields.get("caller_mobile") and _is_mobile(call.party_number):
        request_fields["caller_mobile"] = call.party_number
    created = request_create(actor=actor, **request_fields)
    return call_finish(
        actor=actor, call=call, outcome=CallOutcome.REQUEST_CREATED, note=note, request=created
    )


@transaction.atomic
def call_request_link(*, actor, call: Call, request: ServiceRequest, note: str) -> Call:
    """The caller rang again about an open request: the call is added to it (tickets' service)
    and ends with it."""
    from propdesk.tickets.services import request_link_call

    _ensure_can_work(actor, call)
    if call.ended_at is not None:
        raise Conflict(_("This call has already ended."), code=error_codes.CALL_ENDED)
    request_link_call(actor=actor, request=request, note=note)
    return call_finish(
        actor=actor, call=call, outcome=CallOutcome.REQUEST_LINKED, note=note, request=request
    )


@transaction.atomic
def call_message_take(
    *, actor, call: Call, house: House, category, message: str, caller_name: str = ""
) -> Call:
    """A message for a colleague with a callback promise (000 二): an inquiry request, whose SLA
    holds the promise, and the call ends with it."""
    from propdesk.tickets.services import request_create

    _ensure_can_work(actor, call)
    if call.ended_at is not None:
        raise Conflict(_("This call has already ended."), code=error_codes.CALL_ENDED)
    created = request_create(
        actor=actor,
        kind="inquiry",
        category=category,
        urgency="normal",
        description=message,
        channel="phone",
        house=house,
        caller_owner=call.owner
        if call.owner and call.owner.community_id == house.community_id
        else None,
        caller_name=caller_name,
        caller_mobile=call.party_number if _is_mobile(call.party_number) else "",
    )
    return call_finish(
        actor=actor, call=call, outcome=CallOutcome.MESSAGE_TAKEN, note=message, request=created
    )


def _is_mobile(number: str) -> bool:
    return len(number or "") == 11 and number.startswith("1")
