"""The quality dashboard (issue 16): per community and month, the six figures a centre manager
reads first — answer rate, satisfaction, SLA met %, repeat rate, complaint success and exam pass
rate — against the community's targets (answer rate 98 %, satisfaction 90 % by default).

Everybody who may read scorecards (ASSESSMENT_VIEW) reads the figures of their own communities
only; one grouped query per figure covers every community and month asked for."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from propdesk.core.permissions import Perm, community_ids, require
from propdesk.quality.models import Call, CallDirection, ExamAttempt, SurveyResponse
from propdesk.quality.selectors.exams import FINISHED
from propdesk.quality.services._common import settings_by_community

FIGURES = (
    "answer_rate",
    "satisfaction",
    "sla_met",
    "repeat_rate",
    "complaint_success",
    "exam_pass_rate",
)


@dataclass
class MonthFigures:
    community_id: int
    community_name: str
    period: datetime.date
    answer_rate: Decimal | None = None
    satisfaction: Decimal | None = None
    sla_met: Decimal | None = None
    repeat_rate: Decimal | None = None
    complaint_success: Decimal | None = None
    exam_pass_rate: Decimal | None = None
    answer_rate_target: Decimal = Decimal(98)
    satisfaction_target: Decimal = Decimal(90)

    @property
    def answer_below_target(self) -> bool:
        return self.answer_rate is not None and self.answer_rate < self.answer_rate_target

    @property
    def satisfaction_below_target(self) -> bool:
        return self.satisfaction is not None and self.satisfaction < self.satisfaction_target


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def shift_month(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _month_of(bucket) -> datetime.date:
    if isinstance(bucket, datetime.datetime):
        bucket = timezone.localtime(bucket).date() if timezone.is_aware(bucket) else bucket.date()
    return bucket.replace(day=1)


def _grouped(queryset, stamp: str, **aggregates) -> dict[tuple[int, datetime.date], dict]:
    rows = (
        queryset.annotate(bucket=TruncMonth(stamp))
        .values("community_id", "bucket")
        .annotate(**aggregates)
        .order_by()
    )
    found: dict[tuple[int, datetime.date], dict] = {}
    for row in rows:
        key = (row["community_id"], _month_of(row["bucket"]))
        before = found.setdefault(key, {name: 0 for name in aggregates})
        for name in aggregates:
            before[name] += row[name] or 0
    return found


def dashboard(
    user, *, month: datetime.date, months: int = 6, community: int | None = None
) -> list[MonthFigures]:
    """The figures of `months` months up to `month`, per community the user works in (or the
    one chosen, when they work in it), oldest month first."""
    from propdesk.estates.models import Community
    from propdesk.tickets.models import ClockState, FollowUp, ServiceRequest, SlaClock

    require(user, Perm.ASSESSMENT_VIEW)
    ids = community_ids(user)
    if community is not None:
        ids = [cid for cid in ids if cid == community]
    last = month.replace(day=1)
    first = shift_month(last, -(months - 1))
    since, until = _start(first), _start(shift_month(last, 1))
    span = {"community_id__in": ids}

    def window(stamp: str) -> dict:
        return {**span, f"{stamp}__gte": since, f"{stamp}__lt": until}

    calls = _grouped(
        Call.objects.filter(direction=CallDirection.INBOUND, **window("ring_at")),
        "ring_at",
        calls=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
    )
    surveys = _grouped(
        SurveyResponse.objects.filter(**window("answered_at")),
        "answered_at",
        scale=Sum("scale_count"),
        satisfied=Sum("satisfied_count"),
    )
    clocks = _grouped(
        SlaClock.objects.filter(
            target="resolution",
            state__in=[ClockState.MET, ClockState.BREACHED],
            **window("stopped_at"),
        ),
        "stopped_at",
        stopped=Count("id"),
        met=Count("id", filter=Q(state=ClockState.MET)),
    )
    requests = _grouped(
        ServiceRequest.objects.filter(**window("created_at")),
        "created_at",
        taken=Count("id"),
        repeats=Count("id", filter=Q(recurrence_of__isnull=False)),
    )
    complaints = _grouped(
        FollowUp.objects.filter(
            request__kind__code="complaint", satisfaction__isnull=False, **window("completed_at")
        ),
        "completed_at",
        rated=Count("id"),
        good=Count("id", filter=Q(satisfaction__gte=4)),
    )
    exams = _grouped(
        ExamAttempt.objects.filter(state__in=FINISHED, **window("finished_at")),
        "finished_at",
        finished=Count("id"),
        passed=Count("id", filter=Q(passed=True)),
    )
    settings = settings_by_community(ids)
    names = dict(Community.objects.filter(pk__in=ids).values_list("id", "name"))
    periods = [shift_month(first, n) for n in range(months)]
    result = []
    for community_id in sorted(ids, key=lambda cid: names.get(cid, "")):
        row_settings = settings[community_id]
        for period in periods:
            key = (community_id, period)
            call = calls.get(key, {})
            survey = surveys.get(key, {})
            clock = clocks.get(key, {})
            taken = requests.get(key, {})
            complaint = complaints.get(key, {})
            exam = exams.get(key, {})
            result.append(
                MonthFigures(
                    community_id=community_id,
                    community_name=names.get(community_id, ""),
                    period=period,
                    answer_rate=_percent(call.get("answered", 0), call.get("calls", 0)),
                    satisfaction=_percent(survey.get("satisfied", 0), survey.get("scale", 0)),
                    sla_met=_percent(clock.get("met", 0), clock.get("stopped", 0)),
                    repeat_rate=_percent(taken.get("repeats", 0), taken.get("taken", 0)),
                    complaint_success=_percent(complaint.get("good", 0), complaint.get("rated", 0)),
                    exam_pass_rate=_percent(exam.get("passed", 0), exam.get("finished", 0)),
                    answer_rate_target=Decimal(row_settings.answer_rate_target_percent),
                    satisfaction_target=Decimal(row_settings.satisfaction_target_percent),
                )
            )
    return result


def chart(figures: list[MonthFigures], name: str, target_name: str, *, labels: dict) -> dict:
    """What quality/charts.js draws: one line per community over the months, with the target
    (the first community's; the company's default when every community keeps it)."""
    periods = sorted({f.period for f in figures})
    lines: dict[int, dict] = {}
    for figure in figures:
        line = lines.setdefault(figure.community_id, {"name": figure.community_name, "values": {}})
        value = getattr(figure, name)
        line["values"][figure.period] = float(value) if value is not None else None
    target = getattr(figures[0], target_name) if figures else None
    return {
        "periods": [f"{p:%Y-%m}" for p in periods],
        "series": [
            {"name": line["name"], "data": [line["values"].get(p) for p in periods]}
            for line in lines.values()
        ],
        "target": float(target) if target is not None else None,
        "target_label": str(labels["target"]),
        "axis_label": str(labels["axis"]),
    }
