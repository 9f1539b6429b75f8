"""Every read of the quality app, scoped to who asks (another community's call is a 404)."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from propdesk.core.permissions import (
    Perm,
    community_ids,
    company_wide_q,
    get_scoped,
    has_perm,
    require,
    scope,
)
from propdesk.quality.models import (
    CALLBACK_STATES,
    Call,
    CallDirection,
    CallOutcome,
    CallState,
)
from propdesk.quality.services._common import settings_by_community

CALL_RELATED = ("community", "agent", "house", "owner", "request")


def calls_visible_to(user) -> QuerySet[Call]:
    return scope(Call.objects.all(), user, Perm.CALL_VIEW)


def call_for_user(user, call_id, perm: Perm = Perm.CALL_VIEW) -> Call:
    return get_scoped(Call.objects.select_related(*CALL_RELATED), user, call_id, perm)


@dataclass
class CallFilters:
    community: int | None = None
    q: str = ""
    state: str = ""
    direction: str = ""
    outcome: str | None = None
    agent: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def call_log(user, filters: CallFilters) -> QuerySet[Call]:
    """The call log, newest first: by community, number tail, state, outcome, agent and dates."""
    require(user, Perm.CALL_VIEW)
    calls = calls_visible_to(user)
    if filters.community:
        calls = calls.filter(community_id=filters.community)
    digits = "".join(ch for ch in filters.q if ch.isdigit())
    if digits:
        if len(digits) >= 4:
            calls = calls.filter(party_tail=digits[-4:], party_number__endswith=digits)
        else:
            calls = calls.filter(party_tail__endswith=digits)
    if filters.state:
        calls = calls.filter(state=filters.state)
    if filters.direction:
        calls = calls.filter(direction=filters.direction)
    if filters.outcome is not None:
        calls = calls.filter(outcome=filters.outcome)
    if filters.agent:
        calls = calls.filter(agent_id=filters.agent)
    if filters.date_from:
        calls = calls.filter(ring_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        calls = calls.filter(ring_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    return calls.select_related(*CALL_RELATED).order_by("-ring_at", "-id")


def callback_queue(user, *, community: int | None = None, q: str = "") -> QuerySet[Call]:
    """Inbound calls nobody answered and nobody has called back yet, oldest first."""
    require(user, Perm.CALL_VIEW)
    calls = calls_visible_to(user).filter(
        direction=CallDirection.INBOUND, state__in=CALLBACK_STATES, called_back_at__isnull=True
    )
    if community:
        calls = calls.filter(community_id=community)
    digits = "".join(ch for ch in q if ch.isdigit())
    if digits:
        calls = calls.filter(party_number__endswith=digits)
    return calls.select_related(*CALL_RELATED).order_by("ring_at", "id")


def live_calls(user) -> list[Call]:
    """The calls the user has on the line now (the call desk shows them first)."""
    return list(
        calls_visible_to(user)
        .filter(agent=user, ended_at__isnull=True)
        .select_related(*CALL_RELATED)
        .order_by("-ring_at")[:5]
    )


# --- figures ------------------------------------------------------------------------------------

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
GROUPS = ("total", "community", "agent")


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class CallFigures:
    period: datetime.date | None
    community_id: int | None = None
    community_name: str = ""
    agent_id: int | None = None
    agent_name: str = ""
    calls: int = 0
    answered: int = 0
    within_target: int = 0
    before_ring_limit: int = 0
    abandoned: int = 0
    missed: int = 0
    mean_wait_seconds: Decimal | None = None
    callbacks_promised: int = 0
    callbacks_kept: int = 0
    called_back: int = 0
    outbound: int = 0
    answer_rate: Decimal | None = field(default=None)
    within_target_rate: Decimal | None = None
    before_ring_limit_rate: Decimal | None = None
    target: Decimal | None = None

    def finish(self) -> "CallFigures":
        self.answer_rate = _percent(self.answered, self.calls)
        self.within_target_rate = _percent(self.within_target, self.answered)
        self.before_ring_limit_rate = _percent(self.before_ring_limit, self.answered)
        return self

    @property
    def below_target(self) -> bool:
        return (
            self.answer_rate is not None
            and self.target is not None
            and (self.answer_rate < self.target)
        )


def _threshold_q(settings: dict, field_name: str, attribute: str, *, strict: bool) -> Q:
    """Communities grouped by their threshold: one condition per distinct value."""
    by_value: dict[int, list[int]] = {}
    for community_id, row in settings.items():
        by_value.setdefault(int(getattr(row, attribute)), []).append(community_id)
    condition = Q(pk__in=[])
    lookup = "lt" if strict else "lte"
    for value, ids in by_value.items():
        condition |= Q(community_id__in=ids, **{f"{field_name}__{lookup}": value})
    return condition


def call_figures(
    user,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    period: str = "day",
    group: str = "total",
    community: int | None = None,
) -> list[CallFigures]:
    """Calls, answer rate, answered within N s and before the Nth ring, abandoned, mean wait,
    callbacks promised and kept — per period and community or agent (issue 16; 000 二(1)).

    Only inbound calls count towards the answer rate; a callback kept is a promised one whose
    request was resolved by the time promised."""
    require(user, Perm.QUALITY_FIGURES)
    ids = community_ids(user)
    if community:
        ids = [cid for cid in ids if cid == community]
    settings = settings_by_community(ids)
    trunc = PERIODS[period]
    calls = Call.objects.filter(
        community_id__in=ids,
        ring_at__gte=_day_start(date_from),
        ring_at__lt=_day_start(date_to + datetime.timedelta(days=1)),
    )
    keys = ["bucket"]
    if group == "community":
        keys.append("community_id")
    elif group == "agent":
        keys.append("agent_id")
    inbound = Q(direction=CallDirection.INBOUND)
    answered = inbound & Q(answered_at__isnull=False)
    promised = Q(outcome=CallOutcome.MESSAGE_TAKEN)
    rows = (
        calls.annotate(bucket=trunc("ring_at"))
        .values(*keys)
        .annotate(
            calls=Count("id", filter=inbound),
            answered=Count("id", filter=answered),
            within_target=Count(
                "id",
                filter=answered
                & _threshold_q(settings, "wait_seconds", "answer_within_seconds", strict=False),
            ),
            before_ring_limit=Count(
                "id",
                filter=answered
                & _threshold_q(settings, "rings", "answer_before_ring", strict=True),
            ),
            abandoned=Count("id", filter=inbound & Q(state=CallState.ABANDONED)),
            missed=Count(
                "id", filter=inbound & Q(state__in=[CallState.MISSED, CallState.VOICEMAIL])
            ),
            mean_wait=Avg("wait_seconds", filter=answered),
            callbacks_promised=Count("id", filter=promised),
            callbacks_kept=Count(
                "id",
                filter=promised
                & Q(request__resolved_at__isnull=False)
                & Q(request__resolved_at__lte=F("request__promised_at")),
            ),
            called_back=Count(
                "id",
                filter=inbound & Q(state__in=CALLBACK_STATES, called_back_at__isnull=False),
            ),
            outbound=Count("id", filter=Q(direction=CallDirection.OUTBOUND)),
        )
        .order_by(*keys)
    )
    names = _names(group, rows)
    result = []
    for row in rows:
        bucket = row["bucket"]
        figure = CallFigures(
            period=timezone.localtime(bucket).date()
            if isinstance(bucket, datetime.datetime)
            else bucket,
            community_id=row.get("community_id"),
            agent_id=row.get("agent_id"),
            calls=row["calls"],
            answered=row["answered"],
            within_target=row["within_target"],
            before_ring_limit=row["before_ring_limit"],
            abandoned=row["abandoned"],
            missed=row["missed"],
            mean_wait_seconds=(
                Decimal(str(row["mean_wait"])).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if row["mean_wait"] is not None
                else None
            ),
            callbacks_promised=row["callbacks_promised"],
            callbacks_kept=row["callbacks_kept"],
            called_back=row["called_back"],
            outbound=row["outbound"],
        )
        if group == "community":
            figure.community_name = names.get(figure.community_id, "")
            figure.target = settings[figure.community_id].answer_rate_target_percent
        elif group == "agent":
            figure.agent_name = names.get(figure.agent_id, "")
        result.append(figure.finish())
    targets = {Decimal(row.answer_rate_target_percent) for row in settings.values()}
    if group != "community" and len(targets) == 1:
        for figure in result:
            figure.target = next(iter(targets))
    return result


def _names(group: str, rows) -> dict:
    from propdesk.accounts.models import User
    from propdesk.estates.models import Community

    if group == "community":
        ids = {row["community_id"] for row in rows}
        return dict(Community.objects.filter(pk__in=ids).values_list("id", "name"))
    if group == "agent":
        ids = {row["agent_id"] for row in rows if row["agent_id"]}
        return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids)}
    return {}


def answer_rate_target(user, community: int | None = None) -> Decimal:
    """The target drawn on the charts: the community's, or the company default."""
    ids = [community] if community else community_ids(user)[:1]
    if not ids:
        return Decimal(98)
    return Decimal(settings_by_community(ids)[ids[0]].answer_rate_target_percent)


# --- surveys ------------------------------------------------------------------------------------


def rounds_visible_to(user) -> QuerySet:
    from propdesk.quality.models import SurveyRound

    return scope(SurveyRound.objects.all(), user, Perm.SURVEY_VIEW)


def round_for_user(user, round_id, perm: Perm = Perm.SURVEY_VIEW):
    from propdesk.quality.models import SurveyRound

    return get_scoped(
        SurveyRound.objects.select_related("community", "questionnaire"), user, round_id, perm
    )


def round_list(user, *, community: int | None = None) -> QuerySet:
    require(user, Perm.SURVEY_VIEW)
    rounds = rounds_visible_to(user).select_related("community", "questionnaire")
    if community:
        rounds = rounds.filter(community_id=community)
    return rounds.annotate(answered=Count("responses")).order_by("-period", "community_id", "-id")


def round_targets(user, survey_round, *, answered: bool | None = False, q: str = ""):
    """The round's call list: houses asked, with their current owners (masked numbers)."""
    from propdesk.estates.models import Ownership
    from propdesk.quality.models import SurveyTarget

    require(user, Perm.SURVEY_VIEW, survey_round.community_id)
    targets = SurveyTarget.objects.filter(round=survey_round).select_related("house")
    if answered is not None:
        targets = targets.filter(answered=answered)
    if q:
        targets = targets.filter(house__code__startswith=q)
    return targets.order_by("house__code").prefetch_related(
        Prefetch(
            "house__ownerships",
            queryset=Ownership.objects.filter(end_on__isnull=True).select_related("owner"),
            to_attr="current_ownerships",
        )
    )


@dataclass
class SurveyFigures:
    key: str
    label: str
    asked: int = 0
    responses: int = 0
    scale_answers: int = 0
    satisfied: int = 0
    response_rate: Decimal | None = None
    satisfaction: Decimal | None = None

    def finish(self) -> "SurveyFigures":
        self.response_rate = _percent(self.responses, self.asked) if self.asked else None
        self.satisfaction = _percent(self.satisfied, self.scale_answers)
        return self


def survey_results(user, survey_round) -> dict:
    """A round's figures: response rate, satisfaction (share of 4–5 among the scale answers) in
    all and by dimension; by department and agent through the requests of the house in the
    month; the previous rounds of the same questionnaire (month over month); the comments."""
    from propdesk.quality.models import Dimension, SurveyAnswer, SurveyResponse, SurveyRound
    from propdesk.tickets.models import ServiceRequest

    require(user, Perm.SURVEY_VIEW, survey_round.community_id)
    responses = SurveyResponse.objects.filter(round=survey_round)
    total = responses.aggregate(
        n=Count("id"), scale=Sum("scale_count"), satisfied=Sum("satisfied_count")
    )
    overall = SurveyFigures(
        key="all",
        label="",
        asked=survey_round.targets_count,
        responses=total["n"] or 0,
        scale_answers=total["scale"] or 0,
        satisfied=total["satisfied"] or 0,
    ).finish()
    labels = dict(Dimension.choices)
    by_dimension = []
    for row in (
        SurveyAnswer.objects.filter(response__round=survey_round, score__isnull=False)
        .values("question__dimension")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(score__gte=4)))
        .order_by("question__dimension")
    ):
        dimension = row["question__dimension"] or Dimension.OVERALL
        by_dimension.append(
            SurveyFigures(
                key=dimension,
                label=str(labels.get(dimension, dimension)),
                scale_answers=row["n"],
                satisfied=row["ok"],
            ).finish()
        )
    # Attribution: each answer counts for whoever handled the house's requests that month.
    start = _day_start(survey_round.period)
    end = _day_start((survey_round.period + datetime.timedelta(days=32)).replace(day=1))
    per_house = {
        row["house_id"]: (row["scale_count"], row["satisfied_count"])
        for row in responses.values("house_id", "scale_count", "satisfied_count")
    }
    agents: dict[int, SurveyFigures] = {}
    departments: dict[int, SurveyFigures] = {}
    handled = (
        ServiceRequest.objects.filter(
            community_id=survey_round.community_id,
            house_id__in=list(per_house),
            created_at__gte=start,
            created_at__lt=end,
        )
        .values(
            "house_id",
            "assignee_id",
            "assignee__username",
            "assignee__last_name",
            "assignee__first_name",
            "department_id",
            "department__name",
        )
        .distinct()
    )
    for row in handled:
        scale, ok = per_house[row["house_id"]]
        if row["assignee_id"]:
            name = (
                f"{row['assignee__last_name']}{row['assignee__first_name']}".strip()
                or row["assignee__username"]
            )
            figure = agents.setdefault(
                row["assignee_id"], SurveyFigures(str(row["assignee_id"]), name)
            )
            figure.responses += 1
            figure.scale_answers += scale
            figure.satisfied += ok
        if row["department_id"]:
            figure = departments.setdefault(
                row["department_id"],
                SurveyFigures(str(row["department_id"]), row["department__name"]),
            )
            figure.responses += 1
            figure.scale_answers += scale
            figure.satisfied += ok
    history = []
    earlier = SurveyRound.objects.filter(
        community_id=survey_round.community_id,
        questionnaire_id=survey_round.questionnaire_id,
        period__lte=survey_round.period,
    ).order_by("-period")[:6]
    for row in earlier:
        figures = SurveyResponse.objects.filter(round=row).aggregate(
            n=Count("id"), scale=Sum("scale_count"), satisfied=Sum("satisfied_count")
        )
        history.append(
            SurveyFigures(
                key=row.period.isoformat(),
                label=row.period.strftime("%Y-%m"),
                asked=row.targets_count,
                responses=figures["n"] or 0,
                scale_answers=figures["scale"] or 0,
                satisfied=figures["satisfied"] or 0,
            ).finish()
        )
    history.reverse()
    comments = list(
        responses.exclude(comment="")
        .select_related("house")
        .order_by("-answered_at")
        .values("house__code", "comment", "answered_at", "lowest_score")[:100]
    )
    settings = settings_by_community([survey_round.community_id])[survey_round.community_id]
    return {
        "overall": overall,
        "by_dimension": by_dimension,
        "by_agent": sorted((f.finish() for f in agents.values()), key=lambda f: f.label),
        "by_department": sorted((f.finish() for f in departments.values()), key=lambda f: f.label),
        "history": history,
        "comments": comments,
        "target": Decimal(settings.satisfaction_target_percent),
    }


def low_answers(user, *, community: int | None = None, state: str = "pending") -> QuerySet:
    """Answers with a low score: those waiting for a decision, or the open follow-up tasks."""
    from propdesk.quality.models import FollowUpChoice, SurveyResponse

    require(user, Perm.SURVEY_VIEW)
    answers = scope(SurveyResponse.objects.all(), user, Perm.SURVEY_VIEW)
    if community:
        answers = answers.filter(community_id=community)
    if state == "tasks":
        answers = answers.filter(follow_up=FollowUpChoice.TASK, follow_up_done_at__isnull=True)
    elif state == "decided":
        answers = answers.exclude(follow_up__in=["", FollowUpChoice.PENDING])
    else:
        answers = answers.filter(follow_up=FollowUpChoice.PENDING)
    return answers.select_related(
        "house", "round__questionnaire", "community", "follow_up_assignee", "follow_up_request"
    ).order_by("answered_at", "id")


def response_for_user(user, response_id, perm: Perm = Perm.SURVEY_VIEW):
    from propdesk.quality.models import SurveyResponse

    return get_scoped(
        SurveyResponse.objects.select_related("house", "round__questionnaire", "community"),
        user,
        response_id,
        perm,
    )


def open_surveys_for_owner(user) -> list:
    """The open rounds asking a house the portal account is linked to, not yet answered."""
    from propdesk.estates.selectors import account_house_links
    from propdesk.quality.models import RoundState, SurveyTarget
    from propdesk.quality.services._common import today

    house_ids = [link.house_id for link in account_house_links(user)]
    if not house_ids:
        return []
    day = today()
    return list(
        SurveyTarget.objects.filter(
            house_id__in=house_ids,
            answered=False,
            round__state=RoundState.OPEN,
            round__opens_on__lte=day,
            round__closes_on__gte=day,
        )
        .select_related("round__questionnaire", "house", "community")
        .order_by("round__closes_on", "id")
    )


# --- quality reviews ----------------------------------------------------------------------------


def reviews_visible_to(user) -> QuerySet:
    """Supervisors see the reviews of their communities; an agent sees their own only."""
    from propdesk.quality.models import Review

    reviews = scope(Review.objects.all(), user, Perm.REVIEW_VIEW)
    if not has_perm(user, Perm.REVIEW_WRITE):
        reviews = reviews.filter(agent=user)
    return reviews


def review_list(user, *, community: int | None = None, state: str = "", agent: int | None = None):
    require(user, Perm.REVIEW_VIEW)
    reviews = reviews_visible_to(user)
    if community:
        reviews = reviews.filter(community_id=community)
    if state:
        reviews = reviews.filter(state=state)
    if agent:
        reviews = reviews.filter(agent_id=agent)
    return reviews.select_related("agent", "reviewer", "community", "call", "request").order_by(
        "-created_at", "-id"
    )


def review_for_user(user, review_id):
    from propdesk.core.errors import NotFound

    require(user, Perm.REVIEW_VIEW)
    try:
        pk = int(review_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    review = (
        reviews_visible_to(user)
        .select_related("agent", "reviewer", "community", "call", "request", "decided_by", "form")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise NotFound()
    return review


def colleague_for_user(user, colleague_id, *, community_id: int | None = None):
    """An active staff member named by id who works in one of `user`'s communities (in
    `community_id`, when given); NotFound otherwise, so another community's staff stay unseen."""
    from propdesk.accounts.models import User
    from propdesk.core.errors import NotFound

    allowed = [community_id] if community_id is not None else community_ids(user)
    try:
        pk = int(colleague_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    found = (
        User.objects.filter(Q(communities__id__in=allowed) | company_wide_q(), pk=pk)
        .filter(is_active=True)
        .distinct()
        .first()
    )
    if found is None:
        raise NotFound()
    return found


from propdesk.quality.selectors.assessment import (  # noqa: E402 (the reads by noun)
    entry_checks,
    entry_rates,
    entry_sample,
    month_for_user,
    month_ranking,
    nominations,
    scorecard_for_user,
    scorecard_list,
    scorecards_visible_to,
    team_scores,
)
from propdesk.quality.selectors.exams import (  # noqa: E402 (the reads of exams, by noun)
    attempt_for_user,
    attempt_sheet,
    attempt_view,
    attempts_visible_to,
    exam_for_user,
    exam_pass_rate,
    exam_results,
    exams_visible_to,
    my_attempts,
    question_for_user,
    questions_visible_to,
    training_sessions,
)

__all__ = [
    "entry_checks",
    "entry_rates",
    "entry_sample",
    "month_for_user",
    "month_ranking",
    "nominations",
    "scorecard_for_user",
    "scorecard_list",
    "scorecards_visible_to",
    "team_scores",
    "attempt_for_user",
    "attempt_sheet",
    "attempt_view",
    "attempts_visible_to",
    "exam_for_user",
    "exam_pass_rate",
    "exam_results",
    "exams_visible_to",
    "my_attempts",
    "question_for_user",
    "questions_visible_to",
    "training_sessions",
]
