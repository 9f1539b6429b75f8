"""The monthly six-dimension assessment (绩效考核), issue 16 (DOMAIN.md §8, seed 004).

Every agent of a community gets a scorecard per month, each dimension 0–100 from the records of
the month, with the figures it came from kept as its evidence:

- service attitude: the points kept on the review items about attitude;
- knowledge: the best exam score finished in the month (or the three months before);
- communication: the points kept on the communication items, less the rules' points for each
  first response the agent's requests missed (late feedback);
- problem solving: the mean of the resolution deadlines met, the follow-up (回访) rating and the
  share of the agent's requests that did not come back as a repeat;
- efficiency: the points kept on the process items (100 without reviews), less the rules'
  points for each request assigned to the agent that missed its resolution deadline;
- owner satisfaction: the mean of the survey satisfaction of the houses whose requests the
  agent took and the share of the agent's complaints rated 4–5 at the follow-up.

A dimension without records has no score, and the total is the weighted mean of the scores there
are, less the data-entry deduction (points per percentage point of errors above the target).
Computing again replaces an open month's scorecards (keeping a supervisor's adjustments);
closing the month freezes them.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, holders_q, require
from propdesk.quality import error_codes
from propdesk.quality.models import (
    AssessmentDimension,
    AssessmentMonth,
    AssessmentRules,
    EntryCheck,
    ExamAttempt,
    MonthState,
    ReviewMark,
    ReviewState,
    ScoreAdjustment,
    Scorecard,
    SurveyResponse,
)
from propdesk.quality.models.assessment import DIMENSIONS
from propdesk.quality.services._common import now, today

ONE = Decimal("0.1")
HUNDRED = Decimal(100)


def _q(value) -> Decimal | None:
    if value is None:
        return None
    value = max(Decimal(0), min(HUNDRED, Decimal(value)))
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


def _percent(part, whole) -> Decimal | None:
    return None if not whole else Decimal(part) * 100 / Decimal(whole)


def _mean(values) -> Decimal | None:
    present = [Decimal(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def rules_for(community_id: int) -> AssessmentRules:
    """The community's own rules, else the company's, else the defaults."""
    rows = {
        row.community_id: row
        for row in AssessmentRules.objects.filter(
            Q(community_id=community_id) | Q(community__isnull=True)
        )
    }
    return rows.get(community_id) or rows.get(None) or AssessmentRules()


def month_bounds(period: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    from django.utils import timezone

    start_day = period.replace(day=1)
    end_day = (start_day + datetime.timedelta(days=32)).replace(day=1)
    start = timezone.make_aware(datetime.datetime.combine(start_day, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(end_day, datetime.time()))
    return start, end


def _agents(community_id: int):
    from propdesk.accounts.models import User

    return list(
        User.objects.filter(holders_q(Perm.CALL_TAKE), communities__id=community_id)
        .filter(~Q(pk__in=User.objects.filter(holders_q(Perm.REVIEW_WRITE)).values("pk")))
        .distinct()
        .order_by("id")
    )


def _review_points(community_id, start, end) -> dict[tuple[int, str], tuple[int, int]]:
    """(agent, dimension) → (points possible, points deducted) over the month's reviews."""
    rows = (
        ReviewMark.objects.filter(
            review__community_id=community_id,
            review__created_at__gte=start,
            review__created_at__lt=end,
        )
        .exclude(review__state=ReviewState.SUPERSEDED)
        .values("review__agent_id", "item__dimension")
        .annotate(possible=Sum("item__points"), deducted=Sum("deducted"))
    )
    return {
        (row["review__agent_id"], row["item__dimension"]): (row["possible"], row["deducted"])
        for row in rows
    }


def _kept(points, agent_id, dimension) -> tuple[Decimal | None, dict]:
    possible, deducted = points.get((agent_id, dimension), (0, 0))
    return _percent(possible - deducted, possible), {"possible": possible, "deducted": deducted}


def _request_figures(community_id, start, end) -> dict[int, dict]:
    """Per agent: the month's requests they took, with the clocks, ratings and repeats."""
    from propdesk.tickets.models import ClockState, FollowUp, ServiceRequest, SlaClock

    figures: dict[int, dict] = {}

    def row(agent_id):
        return figures.setdefault(
            agent_id,
            {
                "taken": 0,
                "repeats": 0,
                "resolution_met": 0,
                "resolution_total": 0,
                "late_first_response": 0,
                "overdue_assigned": 0,
                "rating_sum": 0,
                "rating_count": 0,
                "complaints_rated": 0,
                "complaints_good": 0,
            },
        )

    taken = (
        ServiceRequest.objects.filter(
            community_id=community_id, created_at__gte=start, created_at__lt=end
        )
        .exclude(created_by__isnull=True)
        .values("created_by_id")
        .annotate(n=Count("id"), repeats=Count("id", filter=Q(recurrence_of__isnull=False)))
    )
    for item in taken:
        figure = row(item["created_by_id"])
        figure["taken"], figure["repeats"] = item["n"], item["repeats"]
    clocks = (
        SlaClock.objects.filter(
            community_id=community_id,
            stopped_at__gte=start,
            stopped_at__lt=end,
            state__in=[ClockState.MET, ClockState.BREACHED],
        )
        .exclude(request__created_by__isnull=True)
        .values("request__created_by_id", "target", "state")
        .annotate(n=Count("id"))
    )
    for item in clocks:
        figure = row(item["request__created_by_id"])
        if item["target"] == "resolution":
            figure["resolution_total"] += item["n"]
            if item["state"] == ClockState.MET:
                figure["resolution_met"] += item["n"]
        elif item["target"] == "first_response" and item["state"] == ClockState.BREACHED:
            figure["late_first_response"] += item["n"]
    overdue = (
        SlaClock.objects.filter(
            community_id=community_id,
            stopped_at__gte=start,
            stopped_at__lt=end,
            target="resolution",
            state=ClockState.BREACHED,
        )
        .exclude(request__assignee__isnull=True)
        .values("request__assignee_id")
        .annotate(n=Count("id"))
    )
    for item in overdue:
        row(item["request__assignee_id"])["overdue_assigned"] += item["n"]
    ratings = (
        FollowUp.objects.filter(
            community_id=community_id,
            completed_at__gte=start,
            completed_at__lt=end,
            satisfaction__isnull=False,
        )
        .exclude(request__created_by__isnull=True)
        .values("request__created_by_id")
        .annotate(
            total=Sum("satisfaction"),
            n=Count("id"),
            complaints=Count("id", filter=Q(request__kind__code="complaint")),
            good=Count("id", filter=Q(request__kind__code="complaint", satisfaction__gte=4)),
        )
    )
    for item in ratings:
        figure = row(item["request__created_by_id"])
        figure["rating_sum"], figure["rating_count"] = item["total"], item["n"]
        figure["complaints_rated"], figure["complaints_good"] = item["complaints"], item["good"]
    return figures


def _survey_figures(community_id, start, end) -> dict[int, tuple[int, int]]:
    """Per agent: (scale answers, satisfied answers) of the month's survey responses from the
    houses whose requests the agent took in the month."""
    from propdesk.tickets.models import ServiceRequest

    responses = {
        row["house_id"]: (row["scale_count"], row["satisfied_count"])
        for row in SurveyResponse.objects.filter(
            community_id=community_id, answered_at__gte=start, answered_at__lt=end
        ).values("house_id", "scale_count", "satisfied_count")
    }
    if not responses:
        return {}
    pairs = (
        ServiceRequest.objects.filter(
            community_id=community_id,
            created_at__gte=start,
            created_at__lt=end,
            house_id__in=list(responses),
        )
        .exclude(created_by__isnull=True)
        .values_list("created_by_id", "house_id")
        .distinct()
    )
    found: dict[int, tuple[int, int]] = {}
    for agent_id, house_id in pairs:
        scale, ok = responses[house_id]
        before = found.get(agent_id, (0, 0))
        found[agent_id] = (before[0] + scale, before[1] + ok)
    return found


def _exam_best(community_id, end) -> dict[int, Decimal]:
    """Per person: the best exam score finished in the 120 days up to the month's end (exams of
    the company and of the community)."""
    since = end - datetime.timedelta(days=120)
    rows = (
        ExamAttempt.objects.filter(finished_at__gte=since, finished_at__lt=end, score__isnull=False)
        .filter(Q(community_id=community_id) | Q(exam__community__isnull=True))
        .values("taker_id")
        .annotate(best=Max("score"))
    )
    return {row["taker_id"]: row["best"] for row in rows}


def _entry_errors(community_id, period) -> dict[int, tuple[int, int]]:
    rows = (
        EntryCheck.objects.filter(community_id=community_id, period=period)
        .values("agent_id")
        .annotate(fields=Sum("fields_checked"), errors=Sum("field_errors"))
    )
    return {row["agent_id"]: (row["fields"], row["errors"]) for row in rows}


def score_agent(agent_id: int, rules: AssessmentRules, data: dict) -> dict:
    """One agent's six scores, evidence and total from the month's figures (pure: testable)."""
    points = data["points"]
    requests = data["requests"].get(agent_id, {})
    evidence: dict[str, dict] = {}
    scores: dict[str, Decimal | None] = {}

    attitude, evidence["attitude"] = _kept(points, agent_id, "attitude")
    scores["attitude"] = _q(attitude)

    best = data["exams"].get(agent_id)
    scores["knowledge"] = _q(best)
    evidence["knowledge"] = {"best_exam_score": best}

    communication, evidence["communication"] = _kept(points, agent_id, "communication")
    late = requests.get("late_first_response", 0)
    evidence["communication"]["late_first_responses"] = late
    if communication is not None or late:
        base = HUNDRED if communication is None else communication
        scores["communication"] = _q(base - late * rules.late_feedback_points)
    else:
        scores["communication"] = None

    met = _percent(requests.get("resolution_met", 0), requests.get("resolution_total", 0))
    rating = (
        Decimal(requests["rating_sum"]) * 20 / requests["rating_count"]
        if requests.get("rating_count")
        else None
    )
    not_repeated = (
        HUNDRED - _percent(requests["repeats"], requests["taken"])
        if requests.get("taken")
        else None
    )
    scores["problem_solving"] = _q(_mean([met, rating, not_repeated]))
    evidence["problem_solving"] = {
        "resolution_met": requests.get("resolution_met", 0),
        "resolution_total": requests.get("resolution_total", 0),
        "rating_count": requests.get("rating_count", 0),
        "rating_percent": rating,
        "requests_taken": requests.get("taken", 0),
        "repeats": requests.get("repeats", 0),
    }

    process, evidence["efficiency"] = _kept(points, agent_id, "efficiency")
    overdue = requests.get("overdue_assigned", 0)
    evidence["efficiency"]["overdue_requests"] = overdue
    if process is not None or overdue or requests.get("taken"):
        base = HUNDRED if process is None else process
        scores["efficiency"] = _q(base - overdue * rules.overdue_points)
    else:
        scores["efficiency"] = None

    scale, satisfied = data["surveys"].get(agent_id, (0, 0))
    survey = _percent(satisfied, scale)
    complaints = _percent(requests.get("complaints_good", 0), requests.get("complaints_rated", 0))
    scores["satisfaction"] = _q(_mean([survey, complaints]))
    evidence["satisfaction"] = {
        "survey_answers": scale,
        "survey_satisfied": satisfied,
        "complaints_rated": requests.get("complaints_rated", 0),
        "complaints_rated_good": requests.get("complaints_good", 0),
    }

    fields, errors = data["entries"].get(agent_id, (0, 0))
    entry_percent = _percent(errors, fields)
    total = weighted_total(scores, rules, entry_percent)
    evidence["entry"] = {"fields_checked": fields, "field_errors": errors}
    return {
        "scores": scores,
        "evidence": _plain(evidence),
        "entry_error_percent": (
            None if entry_percent is None else entry_percent.quantize(Decimal("0.01"))
        ),
        "total": total,
    }


def weighted_total(scores: dict, rules: AssessmentRules, entry_percent) -> Decimal | None:
    weights = rules.weights()
    present = {name: score for name, score in scores.items() if score is not None}
    weight = sum(weights[name] for name in present)
    if not weight:
        return None
    total = sum(Decimal(score) * weights[name] for name, score in present.items()) / weight
    if entry_percent is not None and entry_percent > rules.entry_error_target_percent:
        total -= (entry_percent - rules.entry_error_target_percent) * rules.entry_error_points
    return _q(total)


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value.quantize(ONE, rounding=ROUND_HALF_UP))
    return value


def _clean_period(period) -> datetime.date:
    if not isinstance(period, datetime.date):
        raise ValidationFailed(_("Choose a month."), code=error_codes.BAD_PERIOD, field="period")
    period = period.replace(day=1)
    if period > today().replace(day=1):
        raise ValidationFailed(
            _("This month has not begun."), code=error_codes.BAD_PERIOD, field="period"
        )
    return period


@transaction.atomic
def assessment_compute(*, actor, community, period: datetime.date) -> AssessmentMonth:
    """Score every agent of `community` for the month of `period` (again, while it is open)."""
    require(actor, Perm.ASSESSMENT_MANAGE, community.pk)
    period = _clean_period(period)
    month, _created = AssessmentMonth.objects.get_or_create(community=community, period=period)
    month = AssessmentMonth.objects.select_for_update().get(pk=month.pk)
    if month.state == MonthState.CLOSED:
        raise Conflict(_("This month is closed."), code=error_codes.MONTH_CLOSED)
    compute_month(month)
    audit.record_change(actor=actor, instance=month, action="update", note="computed")
    return month


def compute_month(month: AssessmentMonth) -> int:
    """Write the month's scorecards (a supervisor's adjustments are kept); returns how many."""
    community_id = month.community_id
    start, end = month_bounds(month.period)
    rules = rules_for(community_id)
    data = {
        "points": _review_points(community_id, start, end),
        "requests": _request_figures(community_id, start, end),
        "surveys": _survey_figures(community_id, start, end),
        "exams": _exam_best(community_id, end),
        "entries": _entry_errors(community_id, month.period),
    }
    existing = {card.agent_id: card for card in Scorecard.objects.filter(month=month)}
    written = []
    for agent in _agents(community_id):
        result = score_agent(agent.pk, rules, data)
        card = existing.get(agent.pk) or Scorecard(
            month=month, community_id=community_id, agent=agent
        )
        for name, score in result["scores"].items():
            setattr(card, name, score)
        for name, value in card.adjusted.items():
            setattr(card, name, Decimal(value))
        card.evidence = result["evidence"]
        card.entry_error_percent = result["entry_error_percent"]
        card.total = weighted_total(card.scores(), rules, card.entry_error_percent)
        written.append(card)
    new = [card for card in written if card.pk is None]
    Scorecard.objects.bulk_create(new, batch_size=500)
    fields = [*DIMENSIONS, "evidence", "entry_error_percent", "total"]
    Scorecard.objects.bulk_update([c for c in written if c not in new], fields, batch_size=500)
    month.computed_at = now()
    month.save(update_fields=["computed_at"])
    return len(written)


@transaction.atomic
def scorecard_adjust(*, actor, scorecard: Scorecard, dimension, score, reason) -> Scorecard:
    """A supervisor sets one dimension's score with a reason (kept in the history); the total is
    weighed again. A closed month's scorecards do not change."""
    scorecard = Scorecard.objects.select_for_update().select_related("month").get(pk=scorecard.pk)
    require(actor, Perm.ASSESSMENT_MANAGE, scorecard.community_id)
    if scorecard.month.state == MonthState.CLOSED:
        raise Conflict(_("This month is closed."), code=error_codes.MONTH_CLOSED)
    if scorecard.agent_id == actor.pk:
        raise ValidationFailed(
            _("Nobody adjusts their own score."), code=error_codes.OWN_WORK, field="dimension"
        )
    dimension = clean_choice("dimension", dimension, AssessmentDimension)
    reason = clean_text("reason", reason, max_length=300, required=True)
    try:
        value = Decimal(str(score))
        if not value.is_finite():
            raise ArithmeticError
        value = value.quantize(ONE, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValidationFailed(
            _("Enter a score from 0 to 100."), code=error_codes.BAD_SCORE, field="score"
        ) from exc
    if not Decimal(0) <= value <= HUNDRED:
        raise ValidationFailed(
            _("Enter a score from 0 to 100."), code=error_codes.BAD_SCORE, field="score"
        )
    before = getattr(scorecard, dimension)
    ScoreAdjustment.objects.create(
        scorecard=scorecard,
        dimension=dimension,
        before=before,
        after=value,
        reason=reason,
        adjusted_by=actor,
        adjusted_at=now(),
    )
    setattr(scorecard, dimension, value)
    scorecard.adjusted = {**scorecard.adjusted, dimension: str(value)}
    scorecard.total = weighted_total(
        scorecard.scores(), rules_for(scorecard.community_id), scorecard.entry_error_percent
    )
    scorecard.save(update_fields=[dimension, "adjusted", "total"])
    audit.record_change(
        actor=actor,
        instance=scorecard,
        action="update",
        changes={dimension: [before, value]},
        note=reason,
    )
    return scorecard


@transaction.atomic
def assessment_close(*, actor, month: AssessmentMonth) -> AssessmentMonth:
    """Close the month: its scorecards are final. Only one close wins."""
    require(actor, Perm.ASSESSMENT_MANAGE, month.community_id)
    changed = AssessmentMonth.objects.filter(pk=month.pk, state=MonthState.OPEN).update(
        state=MonthState.CLOSED, closed_by=actor, closed_at=now()
    )
    if not changed:
        raise Conflict(_("This month is closed."), code=error_codes.MONTH_CLOSED)
    month.refresh_from_db()
    audit.record_change(
        actor=actor,
        instance=month,
        action="update",
        changes={"state": [MonthState.OPEN, MonthState.CLOSED]},
    )
    return month


@transaction.atomic
def entry_check_record(
    *, actor, community, agent, period, records_checked, fields_checked, field_errors, note=""
) -> EntryCheck:
    """Record a sample of an agent's records checked field by field (000 二(2))."""
    require(actor, Perm.ASSESSMENT_MANAGE, community.pk)
    period = _clean_period(period)
    if community.pk not in community_ids(agent):
        raise ValidationFailed(
            _("This agent does not work in this community."),
            code=error_codes.OTHER_COMMUNITY,
            field="agent",
        )
    numbers = {}
    for name, value in (
        ("records_checked", records_checked),
        ("fields_checked", fields_checked),
        ("field_errors", field_errors),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
            raise ValidationFailed(
                _("Enter a whole number from 0 to 1000000."),
                code=error_codes.BAD_VALUE,
                field=name,
            )
        numbers[name] = value
    if numbers["fields_checked"] < 1 or numbers["records_checked"] < 1:
        raise ValidationFailed(
            _("Check at least one record."), code=error_codes.BAD_VALUE, field="fields_checked"
        )
    if numbers["field_errors"] > numbers["fields_checked"]:
        raise ValidationFailed(
            _("More errors than fields checked."), code=error_codes.BAD_VALUE, field="field_errors"
        )
    check = EntryCheck.objects.create(
        community=community,
        agent=agent,
        period=period,
        note=clean_text("note", note, max_length=300),
        checked_by=actor,
        checked_at=now(),
        **numbers,
    )
    audit.record_change(actor=actor, instance=check, action="create")
    return check
