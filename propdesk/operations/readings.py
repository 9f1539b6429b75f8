"""Device readings: parse what devices publish, store it, and raise or clear alerts.

A device publishes on `propdesk/<community code>/<equipment code>/<metric>` a JSON object
`{"value": 0.12, "at": "2026-07-08T10:00:00+08:00"}` (or a bare number, read at arrival). The
reader (`manage.py read_devices`) hands messages over in batches: one insert for the batch,
replays of a reading already stored are ignored, and the rules are applied to the newest value of
each equipment and metric only, so a burst of low readings opens one alert and one request.
"""

import dataclasses
import datetime
import json
import logging
import math
import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.operations.models import (
    METRIC_RANGE,
    Alert,
    Equipment,
    EquipmentRequest,
    EquipmentStatus,
    Metric,
    Reading,
    ReadingHour,
    ThresholdRule,
)

log = logging.getLogger("propdesk.operations.readings")

TOPIC_PREFIX = "propdesk"
MAX_PAYLOAD_BYTES = 1024
# A device's clock may run a little ahead; a reading further in the future is refused.
MAX_CLOCK_AHEAD = datetime.timedelta(minutes=5)
RAW_RETENTION = datetime.timedelta(days=7)
CACHE_SECONDS = 60


class Refused(ValueError):
    """A message that is not a reading this installation can store; the reason is logged."""


@dataclasses.dataclass(frozen=True)
class ParsedReading:
    equipment_id: int
    community_id: int
    kind: str
    metric: str
    at: datetime.datetime
    value: float


@dataclasses.dataclass
class BatchResult:
    stored: int = 0
    refused: int = 0
    alerts_opened: int = 0
    alerts_closed: int = 0


class _Directory:
    """Equipment by (community code, equipment code) and the rules, cached per process."""

    def __init__(self) -> None:
        self.loaded_at = 0.0
        self.equipment: dict[tuple[str, str], tuple[int, int, str, str]] = {}
        self.rules: dict[tuple[int | None, str, str], ThresholdRule] = {}

    def refresh(self) -> None:
        rows = Equipment.objects.values_list(
            "community__code", "code", "id", "community_id", "kind", "status"
        )
        self.equipment = {(c, e): (i, ci, k, s) for c, e, i, ci, k, s in rows}
        self.rules = {
            (r.community_id, r.kind, r.metric): r for r in ThresholdRule.objects.filter(active=True)
        }
        self.loaded_at = time.monotonic()

    def stale(self) -> bool:
        return time.monotonic() - self.loaded_at > CACHE_SECONDS

    def find(self, community_code: str, equipment_code: str):
        if self.stale():
            self.refresh()
        found = self.equipment.get((community_code, equipment_code))
        if found is None and time.monotonic() - self.loaded_at > 1:
            self.refresh()  # registered since the last load
            found = self.equipment.get((community_code, equipment_code))
        return found

    def rule(self, community_id: int, kind: str, metric: str) -> ThresholdRule | None:
        return self.rules.get((community_id, kind, metric)) or self.rules.get((None, kind, metric))


directory = _Directory()


def directory_clear() -> None:
    """Forget the cached equipment and rules (after a change, and between tests)."""
    directory.loaded_at = 0.0


def parse(topic: str, payload: bytes, received_at: datetime.datetime) -> ParsedReading:
    """One message → a reading, or Refused with a reason that names what is wrong."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != TOPIC_PREFIX:
        raise Refused(f"topic is not {TOPIC_PREFIX}/<community>/<equipment>/<metric>")
    _prefix, community_code, equipment_code, metric = parts
    if metric not in Metric.values:
        raise Refused(f"unknown metric {metric[:40]!r}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise Refused(f"payload over {MAX_PAYLOAD_BYTES} bytes")
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused("payload is not JSON") from exc
    at = received_at
    if isinstance(data, dict):
        if "at" in data:
            at = _moment(data["at"], received_at)
        data = data.get("value")
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise Refused("value is not a number")
    value = float(data)
    low, high = METRIC_RANGE[metric]
    if not math.isfinite(value) or not low <= value <= high:
        raise Refused(f"value {value!r} outside {low}..{high}")
    found = directory.find(community_code, equipment_code)
    if found is None:
        raise Refused("no such equipment in that community")
    equipment_id, community_id, kind, status = found
    if status == EquipmentStatus.RETIRED:
        raise Refused("equipment is retired")
    return ParsedReading(equipment_id, community_id, kind, metric, at, value)


def _moment(value, received_at: datetime.datetime) -> datetime.datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise Refused("at is not an ISO 8601 time")
    try:
        at = datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise Refused("at is not an ISO 8601 time") from exc
    if at.tzinfo is None:
        raise Refused("at has no time zone")
    if at > received_at + MAX_CLOCK_AHEAD:
        raise Refused("at is in the future")
    return at


def ingest(messages, *, received_at: datetime.datetime | None = None) -> BatchResult:
    """Store a batch of (topic, payload) messages and apply the rules to the newest values."""
    received_at = received_at or timezone.now()
    result = BatchResult()
    readings: list[ParsedReading] = []
    for topic, payload in messages:
        try:
            readings.append(parse(topic, payload, received_at))
        except Refused as exc:
            result.refused += 1
            log.warning("reading refused on %s: %s", topic[:120], exc)
    if not readings:
        return result
    Reading.objects.bulk_create(
        [
            Reading(
                community_id=r.community_id,
                equipment_id=r.equipment_id,
                metric=r.metric,
                at=r.at,
                value=r.value,
            )
            for r in readings
        ],
        ignore_conflicts=True,  # a replayed reading (same equipment, metric and time)
        batch_size=1000,
    )
    result.stored = len(readings)
    newest: dict[tuple[int, str], ParsedReading] = {}
    for r in readings:
        key = (r.equipment_id, r.metric)
        if key not in newest or r.at >= newest[key].at:
            newest[key] = r
    for reading in newest.values():
        rule = directory.rule(reading.community_id, reading.kind, reading.metric)
        if rule is not None:
            opened, closed = apply_rule(rule, reading)
            result.alerts_opened += opened
            result.alerts_closed += closed
    return result


def _latest_at(reading: ParsedReading) -> datetime.datetime | None:
    return (
        Reading.objects.filter(equipment_id=reading.equipment_id, metric=reading.metric)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def apply_rule(rule: ThresholdRule, reading: ParsedReading) -> tuple[int, int]:
    """Open an alert (and its request) on a breach, close it on a normal reading.

    Only the newest reading of the equipment decides: a replayed old reading changes nothing."""
    latest = _latest_at(reading)
    if latest is not None and reading.at < latest:
        return 0, 0
    alert = Alert.objects.filter(equipment_id=reading.equipment_id, rule=rule, is_open=True).first()
    if rule.breached_by(reading.value):
        if alert is not None:
            Alert.objects.filter(pk=alert.pk).update(last_value=reading.value)
            return 0, 0
        return (1 if _open(rule, reading) else 0), 0
    if alert is not None and alert_recover(alert, reading):
        return 0, 1
    return 0, 0


@transaction.atomic
def _open(rule: ThresholdRule, reading: ParsedReading) -> bool:
    """The alert and its request in one transaction; a second reader racing us opens nothing."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                community_id=reading.community_id,
                equipment_id=reading.equipment_id,
                rule=rule,
                metric=reading.metric,
                first_value=reading.value,
                last_value=reading.value,
                opened_at=reading.at,
            )
    except IntegrityError:
        return False
    equipment = Equipment.objects.select_related("building", "community").get(
        pk=reading.equipment_id
    )
    request = _alert_request(equipment, rule, reading)
    Alert.objects.filter(pk=alert.pk).update(request=request)
    EquipmentRequest.objects.get_or_create(
        equipment=equipment, request=request, defaults={"community_id": equipment.community_id}
    )
    if equipment.status == EquipmentStatus.IN_SERVICE:
        from propdesk.operations.services import status_record

        status_record(
            actor=None,
            equipment=equipment,
            status=EquipmentStatus.FAULT,
            note=_("Alert: %(metric)s %(value)s") % _alert_words(rule, reading.value),
        )
    return True


def _alert_words(rule: ThresholdRule, value: float) -> dict:
    return {"metric": Metric(rule.metric).label, "value": f"{value:g}"}


def _alert_request(equipment: Equipment, rule: ThresholdRule, reading: ParsedReading):
    from propdesk.operations.services import monitor_account
    from propdesk.tickets.models import Channel
    from propdesk.tickets.services.intake import request_create

    words = _alert_words(rule, reading.value)
    bounds = []
    if rule.low is not None:
        bounds.append(_("below %(low)g") % {"low": rule.low})
    if rule.high is not None:
        bounds.append(_("above %(high)g") % {"high": rule.high})
    description = _(
        "Device alert on %(equipment)s (%(location)s): %(metric)s read %(value)s, "
        "normal is not %(bounds)s."
    ) % {
        "equipment": equipment.name,
        "location": equipment.location or equipment.building.name,
        "bounds": _(" or ").join(bounds),
        **words,
    }
    return request_create(
        actor=monitor_account(),
        kind="repair",
        category=rule.category,
        urgency="emergency" if rule.emergency else "normal",
        description=description,
        channel=Channel.DEVICE,
        building=equipment.building,
        location=equipment.location or equipment.name,
    )


@transaction.atomic
def alert_recover(alert: Alert, reading: ParsedReading) -> bool:
    """A normal reading again: close the alert and say so on its request's timeline."""
    changed = Alert.objects.filter(pk=alert.pk, is_open=True).update(
        is_open=False, closed_at=reading.at, last_value=reading.value
    )
    if not changed:
        return False
    if alert.request_id:
        from propdesk.operations.services import monitor_account
        from propdesk.tickets.models import ServiceRequest
        from propdesk.tickets.services.work import note_add

        request = ServiceRequest.objects.get(pk=alert.request_id)
        if request.is_open:
            note_add(
                actor=monitor_account(),
                request=request,
                text=_("The readings are normal again: %(metric)s %(value)s.")
                % {"metric": Metric(alert.metric).label, "value": f"{reading.value:g}"},
            )
    return True


def downsample(*, now: datetime.datetime | None = None, batch_hours: int = 24 * 31) -> int:
    """Fold raw readings older than the retention into hourly rows; return the rows folded."""
    from django.db.models import Avg, Count, Max, Min
    from django.db.models.functions import TruncHour

    now = now or timezone.now()
    cutoff = (now - RAW_RETENTION).replace(minute=0, second=0, microsecond=0)
    old = Reading.objects.filter(at__lt=cutoff)
    folded = 0
    with transaction.atomic():
        hours = (
            old.annotate(hour=TruncHour("at", tzinfo=datetime.UTC))
            .values("community_id", "equipment_id", "metric", "hour")
            .annotate(n=Count("id"), lo=Min("value"), hi=Max("value"), mean=Avg("value"))
        )
        rows = [
            ReadingHour(
                community_id=h["community_id"],
                equipment_id=h["equipment_id"],
                metric=h["metric"],
                hour=h["hour"],
                count=h["n"],
                minimum=h["lo"],
                maximum=h["hi"],
                mean=h["mean"],
            )
            for h in hours
        ]
        for row in rows:
            existing = ReadingHour.objects.filter(
                equipment_id=row.equipment_id, metric=row.metric, hour=row.hour
            ).first()
            if existing is None:
                row.save(force_insert=True)
                continue
            total = existing.count + row.count
            existing.mean = (existing.mean * existing.count + row.mean * row.count) / total
            existing.minimum = min(existing.minimum, row.minimum)
            existing.maximum = max(existing.maximum, row.maximum)
            existing.count = total
            existing.save(update_fields=["mean", "minimum", "maximum", "count"])
        folded, _deleted = old.delete()
    return folded
