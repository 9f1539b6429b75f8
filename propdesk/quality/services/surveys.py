"""Satisfaction surveys (满意度调查), DOMAIN.md §7 and issue 16 (000 三(2), 004, 003 ch.9 §10).

- The monthly questionnaire asks about service attitude, knowledge, communication, problem
  solving and the online channels; it exists from the first use on and is edited in the admin.
- A round asks all houses of a community with a current owner (or a random sample) for a month;
  the worker opens the monthly round in the first week (the community's opening day, default
  the 1st), and a supervisor may open one by hand. Owners with a portal account are told through
  the outbox on their channels (their quiet hours hold the message back).
- Each house answers once per round: an owner on the portal, or an agent entering a phone or
  visit answer. A scale answer at or below the community's low score (default 2) waits for a
  supervisor's decision: a follow-up task for a colleague, or a complaint request.
"""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core import error_codes as core_codes
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.estates.models import Community, House, Ownership
from propdesk.quality import error_codes
from propdesk.quality.models import (
    AnswerChannel,
    Dimension,
    FollowUpChoice,
    Question,
    QuestionKind,
    Questionnaire,
    RoundState,
    SurveyAnswer,
    SurveyResponse,
    SurveyRound,
    SurveyTarget,
)
from propdesk.quality.services._common import now, settings_for, today

MAX_TEXT = 1000

# The monthly questionnaire (000 三(2): attitude, knowledge, communication, problem solving; 003
# ch.9 §10: the online channels), created on first use and then edited in the admin.
MONTHLY_TITLE = "月度业主满意度调查"
MONTHLY_QUESTIONS = [
    (QuestionKind.SCALE, Dimension.ATTITUDE, "客服人员的服务态度（礼貌、热情、耐心倾听）", []),
    (QuestionKind.SCALE, Dimension.KNOWLEDGE, "客服人员对业务、政策和小区情况的熟悉程度", []),
    (QuestionKind.SCALE, Dimension.COMMUNICATION, "沟通是否清楚，进展是否及时反馈", []),
    (QuestionKind.SCALE, Dimension.PROBLEM_SOLVING, "您反映的问题是否得到及时、有效的解决", []),
    (QuestionKind.SCALE, Dimension.ONLINE, "业主端、热线等线上渠道是否方便好用", []),
    (QuestionKind.SCALE, Dimension.OVERALL, "您对本月物业服务的总体满意程度", []),
    (
        QuestionKind.SINGLE,
        "",
        "本月您主要通过哪种方式联系物业？",
        ["客服热线", "业主端", "到访客服中心", "本月未联系"],
    ),
    (
        QuestionKind.MULTIPLE,
        "",
        "您希望我们优先改进哪些方面？（可多选）",
        ["维修及时性", "环境卫生", "安全秩序", "停车管理", "收费透明", "信息通知"],
    ),
    (QuestionKind.TEXT, "", "还有什么意见或建议？", []),
]


@transaction.atomic
def questionnaire_monthly() -> Questionnaire:
    """The company's monthly questionnaire, created with the default questions when missing."""
    found = (
        Questionnaire.objects.filter(
            community__isnull=True, is_monthly_default=True, is_active=True
        )
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    questionnaire = Questionnaire.objects.create(
        title=MONTHLY_TITLE,
        intro="感谢您抽出一分钟评价本月的物业服务，您的意见是我们改进的依据。",
        is_monthly_default=True,
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            order=index,
            kind=kind,
            dimension=dimension,
            text=text,
            options=options,
            required=kind == QuestionKind.SCALE,
        )
        for index, (kind, dimension, text, options) in enumerate(MONTHLY_QUESTIONS, start=1)
    )
    return questionnaire


def _surveyed_houses(community_id: int) -> list[int]:
    return sorted(
        set(
            Ownership.objects.filter(
                house__community_id=community_id, end_on__isnull=True
            ).values_list("house_id", flat=True)
        )
    )


@transaction.atomic
def survey_round_open(
    *,
    actor,
    community: Community,
    questionnaire: Questionnaire | None = None,
    period: datetime.date | None = None,
    sample_size: int | None = None,
    closes_on: datetime.date | None = None,
) -> SurveyRound:
    """Open a round: pick the houses, and tell their owners with a portal account.

    `actor` None is the worker's monthly job (the community's settings decide the sample)."""
    if actor is not None:
        require(actor, Perm.SURVEY_MANAGE, community.id)
    settings_row = settings_for(community.id)
    questionnaire = questionnaire or questionnaire_monthly()
    if questionnaire.community_id not in (None, community.id) or not questionnaire.is_active:
        raise ValidationFailed(
            _("This questionnaire is not used here."),
            code=error_codes.OTHER_COMMUNITY,
            field="questionnaire",
        )
    day = today()
    period = (period or day).replace(day=1)
    if sample_size is None and actor is None:
        sample_size = settings_row.survey_sample_size
    if sample_size is not None and (
        isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 1
    ):
        raise ValidationFailed(
            _("Ask at least one house."), code=error_codes.BAD_SAMPLE, field="sample_size"
        )
    closes_on = closes_on or day + datetime.timedelta(days=settings_row.survey_days_open)
    if closes_on < day or closes_on > day + datetime.timedelta(days=92):
        raise ValidationFailed(
            _("The round closes within three months from today."),
            code=error_codes.BAD_PERIOD,
            field="closes_on",
        )
    if SurveyRound.objects.filter(
        community=community, questionnaire=questionnaire, period=period
    ).exists():
        raise Conflict(
            _("This questionnaire already has a round for this month."),
            code=error_codes.ROUND_EXISTS,
            field="period",
        )
    houses = _surveyed_houses(community.id)
    if sample_size is not None and sample_size < len(houses):
        houses = sorted(secrets.SystemRandom().sample(houses, sample_size))
    if not houses:
        raise ValidationFailed(
            _("No house of this community has a current owner to ask."),
            code=error_codes.NOBODY_TO_ASK,
            field="community",
        )
    survey_round = SurveyRound.objects.create(
        community=community,
        questionnaire=questionnaire,
        period=period,
        opens_on=day,
        closes_on=closes_on,
        sample_size=sample_size,
        targets_count=len(houses),
        created_by=actor,
        created_at=now(),
    )
    SurveyTarget.objects.bulk_create(
        [SurveyTarget(round=survey_round, community=community, house_id=h) for h in houses],
        batch_size=1000,
    )
    audit.record_change(
        actor=actor, instance=survey_round, action="create", object_repr=str(survey_round)
    )
    transaction.on_commit(lambda: _notify_owners(survey_round.pk))
    return survey_round


def _notify_owners(round_id: int) -> int:
    """The survey invitation to every account owner of the round's houses (inbox, SMS, email as
    their preferences allow, within their quiet hours)."""
    from propdesk.notices.services.delivery import Person, people_notify

    survey_round = SurveyRound.objects.select_related("community", "questionnaire").get(pk=round_id)
    owners = (
        Ownership.objects.filter(
            house_id__in=SurveyTarget.objects.filter(round=survey_round).values("house_id"),
            end_on__isnull=True,
            owner__user__isnull=False,
            owner__user__is_active=True,
        )
        .select_related("owner__user")
        .order_by("owner_id")
    )
    people = {o.owner_id: Person(o.owner.name, o.owner.mobile, o.owner.user) for o in owners}
    if not people:
        return 0
    return people_notify(
        people=list(people.values()),
        event="survey.opened",
        outbox_event="quality.survey_opened",
        context={
            "community": survey_round.community.name,
            "title": survey_round.questionnaire.title,
            "closes_on": survey_round.closes_on.isoformat(),
        },
        community=survey_round.community,
        dedupe_base=f"survey:{survey_round.pk}",
    )


def surveys_open_monthly() -> int:
    """The worker's daily job: in the first week, open each community's monthly round on its
    opening day (or later that week, if the worker was down). Safe to run any number of times."""
    day = today()
    if day.day > 7:
        return 0
    questionnaire = questionnaire_monthly()
    period = day.replace(day=1)
    opened = 0
    done = set(
        SurveyRound.objects.filter(questionnaire=questionnaire, period=period).values_list(
            "community_id", flat=True
        )
    )
    for community in Community.objects.exclude(pk__in=done).order_by("id"):
        settings_row = settings_for(community.id)
        if not settings_row.survey_monthly or day.day < settings_row.survey_open_day:
            continue
        try:
            survey_round_open(actor=None, community=community, questionnaire=questionnaire)
        except (ValidationFailed, Conflict, IntegrityError):
            continue  # no owners yet, or another worker opened it meanwhile
        opened += 1
    return opened


@transaction.atomic
def survey_round_close(*, actor, survey_round: SurveyRound) -> SurveyRound:
    require(actor, Perm.SURVEY_MANAGE, survey_round.community_id)
    changed = SurveyRound.objects.filter(pk=survey_round.pk, state=RoundState.OPEN).update(
        state=RoundState.CLOSED
    )
    if not changed:
        raise Conflict(_("This round is already closed."), code=error_codes.ROUND_CLOSED)
    survey_round.state = RoundState.CLOSED
    audit.record_change(
        actor=actor,
        instance=survey_round,
        action="update",
        changes={"state": ["open", "closed"]},
        object_repr=str(survey_round),
    )
    return survey_round


def _can_answer_as_owner(actor, house: House) -> bool:
    from propdesk.estates import owner_access

    return owner_access.right_on(actor, house.pk) is not None


def _clean_answer(question: Question, value):
    field = f"q{question.pk}"
    empty = value in (None, "", [])
    if empty:
        if question.required:
            raise ValidationFailed(
                _("Answer this question."), code=core_codes.REQUIRED, field=field
            )
        return None
    if question.kind == QuestionKind.SCALE:
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationFailed(
                _("Choose a score from 1 to 5."), code=error_codes.BAD_SCORE, field=field
            )
        return value
    if question.kind == QuestionKind.SINGLE:
        if not isinstance(value, str) or value not in question.options:
            raise ValidationFailed(
                _("Choose one of the listed values."), code=core_codes.BAD_CHOICE, field=field
            )
        return [value]
    if question.kind == QuestionKind.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v in question.options for v in values):
            raise ValidationFailed(
                _("Choose from the listed values."), code=core_codes.BAD_CHOICE, field=field
            )
        return sorted(set(values), key=question.options.index)
    return clean_text(field, value, max_length=MAX_TEXT) or None


@transaction.atomic
def survey_answer(
    *,
    actor,
    survey_round: SurveyRound,
    house: House,
    answers: dict,
    channel: str = AnswerChannel.PORTAL,
    respondent_name: str = "",
) -> SurveyResponse:
    """One house's answer to a round: by its owner on the portal, or entered by an agent."""
    if channel == AnswerChannel.PORTAL:
        if not _can_answer_as_owner(actor, house):
            raise NotFound(
                _("No such survey for your houses."), code=core_codes.NOT_FOUND, field="house"
            )
    else:
        if channel not in AnswerChannel.values:
            raise ValidationFailed(
                _("Choose one of the listed values."), code=core_codes.BAD_CHOICE, field="channel"
            )
        require(actor, Perm.SURVEY_ENTER, survey_round.community_id)
    target = (
        SurveyTarget.objects.select_for_update().filter(round=survey_round, house=house).first()
    )
    if target is None:
        raise NotFound(
            _("This house is not asked in this round."), code=core_codes.NOT_FOUND, field="house"
        )
    day = today()
    if survey_round.state != RoundState.OPEN or not (
        survey_round.opens_on <= day <= survey_round.closes_on
    ):
        raise Conflict(_("This survey is closed."), code=error_codes.ROUND_CLOSED)
    if target.answered:
        raise Conflict(
            _("This house has already answered this survey."), code=error_codes.ALREADY_ANSWERED
        )
    if not isinstance(answers, dict):
        raise ValidationFailed(
            _("Send the answers as an object."), code=core_codes.BAD_CHOICE, field="answers"
        )
    questions = list(survey_round.questionnaire.questions.all())
    known = {f"q{q.pk}" for q in questions} | {str(q.pk) for q in questions}
    unknown = [key for key in answers if str(key) not in known]
    if unknown:
        raise ValidationFailed(
            _("This question is not in the survey."),
            code=error_codes.NOT_IN_SURVEY,
            field=str(unknown[0]),
        )
    cleaned = []
    for question in questions:
        value = answers.get(f"q{question.pk}", answers.get(str(question.pk)))
        cleaned.append((question, _clean_answer(question, value)))
    respondent_name = clean_text("respondent_name", respondent_name, max_length=100)
    scores = [v for q, v in cleaned if q.kind == QuestionKind.SCALE and v is not None]
    low = settings_for(survey_round.community_id).survey_low_score
    comments = [v for q, v in cleaned if q.kind == QuestionKind.TEXT and v]
    at = now()
    response = SurveyResponse.objects.create(
        round=survey_round,
        community_id=survey_round.community_id,
        house=house,
        respondent=actor if channel == AnswerChannel.PORTAL else None,
        respondent_name=respondent_name
        or (getattr(actor, "display_name", "") if channel == AnswerChannel.PORTAL else ""),
        channel=channel,
        entered_by=actor if channel != AnswerChannel.PORTAL else None,
        answered_at=at,
        scale_count=len(scores),
        satisfied_count=sum(1 for s in scores if s >= 4),
        lowest_score=min(scores) if scores else None,
        comment="\n".join(comments)[:MAX_TEXT],
        follow_up=FollowUpChoice.PENDING if scores and min(scores) <= low else "",
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            question=question,
            score=value if question.kind == QuestionKind.SCALE else None,
            choices=value if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else [],
            text=value if question.kind == QuestionKind.TEXT else "",
        )
        for question, value in cleaned
        if value is not None
    )
    SurveyTarget.objects.filter(pk=target.pk).update(answered=True)
    audit.record_change(
        actor=actor,
        instance=response,
        action="create",
        house_id=house.pk,
        object_repr=str(survey_round),
    )
    return response


@transaction.atomic
def survey_follow_up_decide(
    *,
    actor,
    response: SurveyResponse,
    choice: str,
    note: str,
    assignee=None,
) -> SurveyResponse:
    """A supervisor decides what a low answer gets: a follow-up task for a colleague, a
    complaint request (recorded through the request intake), or nothing, with a reason."""
    require(actor, Perm.SURVEY_MANAGE, response.community_id)
    response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if response.follow_up != FollowUpChoice.PENDING:
        raise Conflict(
            _("This answer's follow-up is already decided."), code=error_codes.FOLLOW_UP_DECIDED
        )
    if choice not in (FollowUpChoice.TASK, FollowUpChoice.COMPLAINT, FollowUpChoice.NONE):
        raise ValidationFailed(
            _("Choose one of the listed values."), code=core_codes.BAD_CHOICE, field="choice"
        )
    note = clean_text("note", note, max_length=MAX_TEXT, required=True)
    if choice == FollowUpChoice.TASK:
        if assignee is None:
            raise ValidationFailed(
                _("Name the colleague who follows up."), code=core_codes.REQUIRED, field="assignee"
            )
        if not (
            has_perm(assignee, Perm.SURVEY_ENTER)
            and response.community_id in community_ids(assignee)
        ):
            raise ValidationFailed(
                _("This colleague does not work in this community."),
                code=error_codes.OTHER_COMMUNITY,
                field="assignee",
            )
        response.follow_up_assignee = assignee
    if choice == FollowUpChoice.COMPLAINT:
        from propdesk.tickets.services import request_create

        owner_link = (
            Ownership.objects.filter(house_id=response.house_id, end_on__isnull=True)
            .select_related("owner")
            .order_by("id")
            .first()
        )
        response.follow_up_request = request_create(
            actor=actor,
            kind="complaint",
            category="service",
            urgency="normal",
            channel="phone",
            house=response.house,
            caller_owner=owner_link.owner if owner_link else None,
            description=_("Satisfaction survey %(period)s, lowest score %(score)s: %(note)s")
            % {
                "period": response.round.period.strftime("%Y-%m"),
                "score": response.lowest_score,
                "note": note,
            },
        )
    response.follow_up = choice
    response.follow_up_note = note
    response.follow_up_decided_by = actor
    if choice == FollowUpChoice.NONE:
        response.follow_up_done_at = now()
    response.save(
        update_fields=[
            "follow_up",
            "follow_up_note",
            "follow_up_decided_by",
            "follow_up_assignee",
            "follow_up_request",
            "follow_up_done_at",
        ]
    )
    audit.record_change(
        actor=actor,
        instance=response,
        action="update",
        changes={"follow_up": [FollowUpChoice.PENDING, choice]},
        house_id=response.house_id,
        note=note,
        object_repr=str(response.round),
    )
    return response


@transaction.atomic
def survey_follow_up_done(*, actor, response: SurveyResponse, note: str) -> SurveyResponse:
    """The colleague reports the follow-up task done."""
    require(actor, Perm.SURVEY_ENTER, response.community_id)
    response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if response.follow_up != FollowUpChoice.TASK or response.follow_up_done_at is not None:
        raise Conflict(
            _("There is no open follow-up task here."), code=error_codes.NO_FOLLOW_UP_TASK
        )
    if response.follow_up_assignee_id != actor.pk and not has_perm(actor, Perm.SURVEY_MANAGE):
        raise PermissionDenied(
            _("This follow-up is another colleague's."), code=error_codes.NOT_YOUR_TASK
        )
    note = clean_text("note", note, max_length=MAX_TEXT, required=True)
    response.follow_up_note = f"{response.follow_up_note}\n{note}".strip()[: MAX_TEXT * 2]
    response.follow_up_done_at = now()
    response.save(update_fields=["follow_up_note", "follow_up_done_at"])
    audit.record_change(
        actor=actor,
        instance=response,
        action="update",
        changes={"follow_up_done_at": [None, response.follow_up_done_at.isoformat()]},
        house_id=response.house_id,
        object_repr=str(response.round),
    )
    return response
