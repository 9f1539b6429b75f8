"""Importing the telephone system's call-detail records (CDR) from a CSV file, issue 16.

First a dry run: every row is read and checked, and the bad ones are listed with the column at
fault. The import itself writes all good rows or none: a file with a bad row writes nothing.
A call already recorded (the same call id, from the webhook or an earlier import) is skipped,
so importing the same file twice records each call once.

Columns (a header row, in any order; Chinese headers are accepted too): call_id, direction,
line, number, agent, ring_at, answered_at, ended_at, cause, rings, recording_url. Times are
`YYYY-MM-DD HH:MM:SS` in the company's time zone, or ISO 8601 with an offset. UTF-8 (with or
without BOM) or GB18030, as Chinese telephone systems write.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core import error_codes as core_codes
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, require
from propdesk.quality import error_codes
from propdesk.quality.models import AgentExtension, Call, CallSource, HotlineLine
from propdesk.quality.services._common import clean_phone, now, settings_by_community
from propdesk.quality.services.calls import (
    call_derive,
    callbacks_settle,
    clean_recording_url,
    party_match_ids,
)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_SHOWN_ERRORS = 200
HEADERS = {
    "call_id": "call_id",
    "通话编号": "call_id",
    "direction": "direction",
    "方向": "direction",
    "line": "line",
    "热线号码": "line",
    "number": "number",
    "对方号码": "number",
    "来电号码": "number",
    "agent": "agent",
    "分机": "agent",
    "ring_at": "ring_at",
    "振铃时间": "ring_at",
    "answered_at": "answered_at",
    "接听时间": "answered_at",
    "ended_at": "ended_at",
    "挂机时间": "ended_at",
    "cause": "cause",
    "挂机原因": "cause",
    "rings": "rings",
    "响铃次数": "rings",
    "recording_url": "recording_url",
    "录音": "recording_url",
}
REQUIRED = ("call_id", "line", "ring_at")
DIRECTIONS = {
    "inbound": "inbound",
    "in": "inbound",
    "呼入": "inbound",
    "outbound": "outbound",
    "out": "outbound",
    "呼出": "outbound",
}


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    new: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(
        _("The file is not text in UTF-8 or GB18030."), code=error_codes.BAD_FILE, field="file"
    )


def _time(field_name: str, text: str, *, required: bool) -> datetime.datetime | None:
    text = text.strip()
    if not text:
        if required:
            raise ValidationFailed(
                _("This field is required."), code=core_codes.REQUIRED, field=field_name
            )
        return None
    value = parse_datetime(text.replace("/", "-"))
    if value is None:
        raise ValidationFailed(
            _("Enter a time as YYYY-MM-DD HH:MM:SS."), code=error_codes.BAD_VALUE, field=field_name
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@dataclass
class _Row:
    number: int
    values: dict


def _check_row(values: dict, lines: dict, extensions: dict, allowed: set[int], at) -> Call:
    call_id = values.get("call_id", "").strip()
    if not call_id:
        raise ValidationFailed(
            _("This field is required."), code=core_codes.REQUIRED, field="call_id"
        )
    if len(call_id) > 64 or any(ord(ch) < 32 for ch in call_id):
        raise ValidationFailed(
            _("At most %(n)d plain characters.") % {"n": 64},
            code=core_codes.TOO_LONG,
            field="call_id",
        )
    line_number = clean_phone("line", values.get("line", ""))
    line = lines.get(line_number)
    if line is None or line.community_id not in allowed:
        raise ValidationFailed(
            _("No hotline line in your communities has this number."),
            code=error_codes.UNKNOWN_LINE,
            field="line",
        )
    direction_text = values.get("direction", "").strip().lower() or "inbound"
    direction = DIRECTIONS.get(direction_text)
    if direction is None:
        raise ValidationFailed(
            _("Choose one of: inbound, outbound."), code=error_codes.BAD_VALUE, field="direction"
        )
    number = clean_phone("number", values.get("number", ""), required=False)
    ring_at = _time("ring_at", values.get("ring_at", ""), required=True)
    answered_at = _time("answered_at", values.get("answered_at", ""), required=False)
    ended_at = _time("ended_at", values.get("ended_at", ""), required=False)
    if ring_at > at:
        raise ValidationFailed(
            _("This time is in the future."), code=error_codes.BAD_VALUE, field="ring_at"
        )
    if answered_at is not None and answered_at < ring_at:
        raise ValidationFailed(
            _("Answered before it rang."), code=error_codes.BAD_VALUE, field="answered_at"
        )
    if ended_at is not None and ended_at < (answered_at or ring_at):
        raise ValidationFailed(
            _("Hung up before it rang or was answered."),
            code=error_codes.BAD_VALUE,
            field="ended_at",
        )
    if ended_at is None:
        raise ValidationFailed(
            _("A finished call has a hang-up time."), code=error_codes.BAD_VALUE, field="ended_at"
        )
    rings_text = values.get("rings", "").strip()
    rings = None
    if rings_text:
        if not rings_text.isdigit() or int(rings_text) > 100:
            raise ValidationFailed(
                _("Enter a whole number from 0 to 100."), code=error_codes.BAD_VALUE, field="rings"
            )
        rings = int(rings_text)
    cause = values.get("cause", "").strip().lower()
    if len(cause) > 20:
        raise ValidationFailed(
            _("At most %(n)d plain characters.") % {"n": 20},
            code=core_codes.TOO_LONG,
            field="cause",
        )
    agent_ext = values.get("agent", "").strip()
    if len(agent_ext) > 20:
        raise ValidationFailed(
            _("At most %(n)d plain characters.") % {"n": 20},
            code=core_codes.TOO_LONG,
            field="agent",
        )
    call = Call(
        community_id=line.community_id,
        direction=direction,
        source=CallSource.IMPORT,
        pbx_call_id=call_id,
        line=line.number,
        party_number=number,
        party_tail=number[-4:],
        agent_id=extensions.get(agent_ext),
        ring_at=ring_at,
        answered_at=answered_at,
        ended_at=ended_at,
        hangup_cause=cause,
        rings=rings,
        rings_reported=rings is not None,
        recording_url=clean_recording_url(values.get("recording_url", "")),
        created_at=at,
        updated_at=at,
    )
    return call


def calls_import(*, actor, upload, dry_run: bool = True) -> ImportReport:
    """Check (and unless `dry_run`, write) the calls of a call-detail CSV file."""
    require(actor, Perm.CALL_IMPORT)
    if upload is None:
        raise ValidationFailed(_("Choose a CSV file."), code=error_codes.BAD_VALUE, field="file")
    if upload.size > MAX_FILE_BYTES:
        raise ValidationFailed(
            _("The file is larger than 5 MB."), code=error_codes.BAD_FILE, field="file"
        )
    text = _decode(upload.read(MAX_FILE_BYTES + 1))
    if "\x00" in text:
        raise ValidationFailed(
            _("The file is not a CSV file."), code=error_codes.BAD_FILE, field="file"
        )
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed(
            _("The file is empty."), code=error_codes.BAD_FILE, field="file"
        ) from None
    except csv.Error as exc:
        raise ValidationFailed(
            _("The file is not a CSV file."), code=error_codes.BAD_FILE, field="file"
        ) from exc
    columns = [HEADERS.get(name.strip().lower(), HEADERS.get(name.strip())) for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValidationFailed(
            _("The header row lacks the column(s): %(names)s.") % {"names": ", ".join(missing)},
            code=error_codes.BAD_FILE,
            field="file",
        )
    allowed = set(community_ids(actor))
    lines = {line.number: line for line in HotlineLine.objects.filter(is_active=True)}
    extensions = dict(AgentExtension.objects.values_list("extension", "user_id"))
    report = ImportReport()
    at = now()
    calls: list[tuple[int, Call]] = []
    seen: set[str] = set()
    try:
        for index, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise ValidationFailed(
                    _("At most %(n)d rows per file.") % {"n": MAX_ROWS},
                    code=error_codes.BAD_FILE,
                    field="file",
                )
            values = {name: cell for name, cell in zip(columns, cells, strict=False) if name}
            try:
                call = _check_row(values, lines, extensions, allowed, at)
                require(actor, Perm.CALL_IMPORT, call.community_id)
            except AppError as exc:
                report.error_count += 1
                if len(report.errors) < MAX_SHOWN_ERRORS:
                    report.errors.append(RowError(index, exc.field or "", str(exc.message)))
                continue
            if call.pbx_call_id in seen:
                report.duplicates += 1
                continue
            seen.add(call.pbx_call_id)
            calls.append((index, call))
    except csv.Error as exc:
        raise ValidationFailed(
            _("The file is not a CSV file."), code=error_codes.BAD_FILE, field="file"
        ) from exc
    known = set()
    ids = [call.pbx_call_id for _index, call in calls]
    for start in range(0, len(ids), 500):
        known |= set(
            Call.objects.pbx(*ids[start : start + 500]).values_list("pbx_call_id", flat=True)
        )
    fresh = [call for _index, call in calls if call.pbx_call_id not in known]
    report.duplicates += len(calls) - len(fresh)
    report.new = len(fresh)
    if dry_run or not report.ok:
        return report
    _write(actor, fresh)
    report.written = True
    return report


@transaction.atomic
def _write(actor, calls: list[Call]) -> None:
    settings = settings_by_community(sorted({call.community_id for call in calls}))
    for call in calls:
        call.owner_id, call.house_id = party_match_ids(call.community_id, call.party_number)
        call_derive(call, ring_cycle_seconds=settings[call.community_id].ring_cycle_seconds)
    Call.objects.bulk_create(calls, batch_size=500)
    for call in sorted(calls, key=lambda c: c.ring_at):
        if call.state == "answered":
            callbacks_settle(call)
    for community_id in sorted({call.community_id for call in calls}):
        count = sum(1 for call in calls if call.community_id == community_id)
        audit.record_change(
            actor=actor,
            instance=calls[0]
            if calls[0].community_id == community_id
            else next(c for c in calls if c.community_id == community_id),
            action="import",
            note=_("%(n)d calls imported from a call-detail file.") % {"n": count},
            object_repr=_("Call-detail import"),
        )
