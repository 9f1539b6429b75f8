"""The demo's service quality: half a year of hotline calls, the monthly satisfaction surveys,
quality reviews, exams and the last full month's closed assessment, for each demo community.

`load_demo_quality(communities=…, rng=…)` runs after the request demo (tickets.demo): calls that
led to a request ring just before the demo's phone requests were recorded, and the surveys ask
houses served that month. The volume rows (calls, survey answers, exam attempts) are written in
bulk with the fields their services set (`call_derive` computes each call's state, wait and
rings, as every way in does); the few decisions a person makes — reviews and their answers, a
low answer's follow-up, the month's close — go through the services inside `clock.travel`, so
they carry the moments they happened at. Every moment lies at or before the demo's present.
"""

import datetime
import random
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from propdesk.accounts.models import User
from propdesk.core import audit
from propdesk.core.models import AuditEvent
from propdesk.estates.models import Owner, Ownership
from propdesk.quality.models import (
    AgentExtension,
    AnswerChannel,
    AttemptAnswer,
    AttemptState,
    Call,
    CallDirection,
    CallOutcome,
    CallSource,
    EntryCheck,
    Exam,
    ExamAttempt,
    ExamQuestion,
    FollowUpChoice,
    HotlineLine,
    QuestionKind,
    RoundState,
    SurveyAnswer,
    SurveyResponse,
    SurveyRound,
    SurveyTarget,
)
from propdesk.quality.seeding import Rows
from propdesk.quality.services import assessment, reviews, surveys
from propdesk.quality.services._common import settings_for
from propdesk.quality.services.calls import call_derive
from propdesk.tickets import clock
from propdesk.tickets.models import ServiceRequest

MONTHS = 6  # of history before the current month
HOTLINE_PREFIX = "40088"
PHONE_OUTCOMES = {CallOutcome.ON_THE_SPOT: 93, CallOutcome.WRONG_NUMBER: 2}
CALL_NOTES = [
    "咨询物业费缴纳方式，已告知",
    "询问停车月卡办理流程",
    "咨询装修手续，已说明所需材料",
    "询问快递柜位置",
    "咨询本周停水通知，已解释",
    "询问门禁卡补办",
    "咨询电梯年检时间",
    "",
]
SURVEY_SAMPLE = 60  # houses asked a month per community
SURVEY_COMMENTS = [
    "客服态度很好，谢谢",
    "希望维修能再快一点",
    "小区环境比以前干净了",
    "地库灯光有点暗，建议加装",
    "热线接听很及时",
    "希望多组织一些社区活动",
    "快递柜不够用，建议增加",
    "保安巡逻很认真，点赞",
    "电梯广告太吵了",
    "垃圾分类指导做得不错",
    "希望在业主端能看到维修进度",
    "绿化修剪及时，环境很好",
    "晚上小区门口车辆乱停，希望管理一下",
    "收费明细清楚，没有意见",
    "前台小李很耐心，谢谢",
    "雨天大堂地面湿滑，请放防滑垫",
]
LOW_COMMENTS = ["报修后等了很久才有人来", "反映的噪音问题一直没有解决", "打电话没人接，很失望"]
FOLLOW_UP_NOTES = {
    FollowUpChoice.TASK: ("请上门了解情况并回访", "已上门沟通，业主表示理解，问题已安排处理"),
    FollowUpChoice.NONE: ("业主所反映问题已在处理中，已电话说明", ""),
}
EXAM_TOPICS = {"duties": 4, "process": 3, "communication": 3}
# How surely each demo login answers an exam question right.
EXAM_SKILL = {"agent": 0.95, "engineer": 0.88, "cashier": 0.9, "guard": 0.85}
REVIEW_NOTES = ["整体规范，注意报公司名称", "态度良好，跟进记录可再详细", "语速稍快，其他良好"]


def _zone():
    return timezone.get_current_timezone()


def _month_start(day: datetime.date, back: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=_zone())


def _office_hours(moment: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """The moment, or the next working hour after it (9:00–18:00) for a supervisor's desk work."""
    local = timezone.localtime(moment)
    if 9 <= local.hour < 18:
        return moment
    day = local.date() + datetime.timedelta(days=1 if local.hour >= 18 else 0)
    return _at(day, 9, rng.randrange(60))


@transaction.atomic
def load_demo_quality(
    *, communities, rng: random.Random, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Write the demo's quality records for each community (once); return what was made."""
    end = now or timezone.now()
    supervisor = User.objects.filter(username="supervisor").first()
    agent = User.objects.filter(username="agent").first()
    admin = User.objects.filter(username="admin").first()
    if None in (supervisor, agent, admin) or HotlineLine.objects.exists():
        return {}
    first_day = _month_start(timezone.localtime(end).date(), MONTHS)
    start = _at(first_day, 0)
    AgentExtension.objects.bulk_create(
        [
            AgentExtension(extension="8001", user=agent),
            AgentExtension(extension="8002", user=supervisor),
        ]
    )
    made: Counter = Counter()
    for number, community in enumerate(communities, start=1):
        line = HotlineLine.objects.create(
            number=f"{HOTLINE_PREFIX}{number:05d}", community=community, name=community.name
        )
        calls = _calls(community, line.number, agent, supervisor, start, end, rng)
        made["calls"] += calls
        made["responses"] += _surveys(community, agent, supervisor, first_day, end, rng)
        made["reviews"] += _reviews(community, agent, supervisor, admin, first_day, end, rng)
        made["attempts"] += _exams(community, supervisor, first_day, end, rng)
        _entry_checks(community, agent, supervisor, first_day, end, rng)
        made["closed"] += _close_last_month(community, supervisor, end)
    return dict(made)


# --- hotline calls ------------------------------------------------------------------------------


def _callers(community) -> dict[str, tuple[int, int | None]]:
    """Each owner mobile known in the community → (owner, their one house or None), as
    `calls.party_match_ids` finds them: only a mobile with one owner matches."""
    owners = Counter(
        Owner.objects.filter(community=community)
        .exclude(mobile="")
        .values_list("mobile", flat=True)
    )
    houses: dict[int, list[int]] = defaultdict(list)
    for owner_id, house_id in Ownership.objects.filter(
        community=community, end_on__isnull=True
    ).values_list("owner_id", "house_id"):
        houses[owner_id].append(house_id)
    found = {}
    for owner_id, mobile in Owner.objects.filter(community=community).values_list("id", "mobile"):
        if owners.get(mobile) == 1 and len(mobile) == 11:
            held = houses.get(owner_id, [])
            found[mobile] = (owner_id, held[0] if len(held) == 1 else None)
    return found


def _stranger(rng: random.Random) -> str:
    if rng.random() < 0.3:  # a landline
        return "0755" + f"{rng.randrange(10**8):08d}"
    return rng.choice(["137", "159", "188", "136"]) + f"{rng.randrange(10**8):08d}"


def _ring_times(rng: random.Random, start, end) -> list[datetime.datetime]:
    """8–15 inbound calls a working day, fewer at weekends, mostly in office hours."""
    moments = []
    day = timezone.localtime(start).date()
    while day <= timezone.localtime(end).date():
        count = rng.randint(8, 15) if day.weekday() < 5 else rng.randint(4, 8)
        for _n in range(count):
            hour = rng.choices(
                range(7, 23), weights=[2, 8, 10, 9, 6, 5, 8, 8, 7, 6, 4, 3, 3, 2, 1, 1]
            )[0]
            moment = _at(day, hour, rng.randrange(60), rng.randrange(60))
            if start <= moment:
                moments.append(moment)
        day += datetime.timedelta(days=1)
    return sorted(moments)


# Every column a demo call sets; the rest keep the model's defaults.
CALL_FIELDS = (
    "id community_id direction source pbx_call_id line party_number party_tail owner_id "
    "house_id agent_id ring_at answered_at ended_at hangup_cause state wait_seconds "
    "talk_seconds rings outcome request_id note callback_of_id callback_attempts "
    "called_back_at called_back_by_id created_at updated_at"
)


def _calls(community, line, agent, supervisor, start, end, rng) -> int:
    """Half a year of inbound calls as the telephone system reports them (its events name the
    line, the number and the agent's extension; `call_derive` makes the rest), and the desk's
    call-backs of the missed ones."""
    callers = _callers(community)
    mobiles = sorted(callers)
    cycle = settings_for(community.id).ring_cycle_seconds or 5
    rows = Rows(Call, Call(), CALL_FIELDS)
    first_id = rows.next_id()
    calls: list[SimpleNamespace] = []

    def add(number, ring_at, *, wait, talk=None, cause="", by=None, **fields):
        answered = ring_at + datetime.timedelta(seconds=wait) if talk is not None else None
        ended = (answered or ring_at) + datetime.timedelta(seconds=talk if talk else wait)
        if ended > end:
            return None
        owner_id, house_id = callers.get(number, (None, None))
        call = SimpleNamespace(
            id=first_id + len(calls),
            community_id=community.id,
            direction=CallDirection.INBOUND,
            source=CallSource.PBX,
            pbx_call_id=f"DEMO-{community.code}-{len(calls) + 1:06d}",
            line=line,
            party_number=number,
            party_tail=number[-4:],
            owner_id=owner_id,
            house_id=house_id,
            agent_id=by.pk if by else None,
            ring_at=ring_at,
            answered_at=answered,
            ended_at=ended,
            hangup_cause=cause,
            rings_reported=False,
            outcome=fields.get("outcome", ""),
            request_id=fields.get("request_id"),
            note=fields.get("note", ""),
            callback_of_id=None,
            callback_attempts=0,
            called_back_at=None,
            called_back_by_id=None,
            created_at=ring_at,
            updated_at=ended,
        )
        call_derive(call, ring_cycle_seconds=cycle)
        calls.append(call)
        return call

    # The phone requests of the demo: each was recorded from a call that rang just before.
    phoned = ServiceRequest.objects.filter(
        community=community, channel="phone", created_at__gte=start, created_at__lte=end
    ).values_list("id", "created_at", "created_by_id", "caller_mobile", "caller_owner__mobile",
                  "description")  # fmt: skip
    people = {user.pk: user for user in (agent, supervisor)}
    for request_id, created_at, by_id, mobile, owner_mobile, text in phoned.order_by("created_at"):
        talk = rng.randint(90, 420)
        add(
            mobile or owner_mobile or _stranger(rng),
            created_at - datetime.timedelta(seconds=talk + rng.randint(1, 4)),
            wait=rng.randint(1, 3),
            talk=talk,
            by=people.get(by_id, agent),
            outcome=CallOutcome.REQUEST_CREATED,
            request_id=request_id,
            note=text[:100],
        )
    # Everything else: questions answered on the spot, and the few nobody answered in time.
    missed: list[SimpleNamespace] = []
    for ring_at in _ring_times(rng, start, end):
        number = rng.choice(mobiles) if mobiles and rng.random() < 0.7 else _stranger(rng)
        # The last day's misses are the ones still on the call-back queue (below).
        roll = rng.random() if ring_at < end - datetime.timedelta(days=1) else 1
        if roll < 0.009:
            call = add(number, ring_at, wait=rng.randint(20, 45), cause="no_answer")
        elif roll < 0.015:
            call = add(number, ring_at, wait=rng.randint(4, 15), cause="caller")
        else:
            wait = rng.randint(1, 3) if rng.random() < 0.88 else rng.randint(4, 18)
            outcome = rng.choices(list(PHONE_OUTCOMES), weights=list(PHONE_OUTCOMES.values()))[0]
            add(
                number,
                ring_at,
                wait=wait,
                talk=rng.randint(25, 300),
                by=agent if rng.random() < 0.88 else supervisor,
                outcome=outcome,
                note="" if outcome == CallOutcome.WRONG_NUMBER else rng.choice(CALL_NOTES),
            )
            continue
        if call is not None:
            missed.append(call)
    # Calls nobody answered in the last hours (two in the first community, one in the
    # second): still on the call-back queue.
    for hours in (1, 3) if community.code == "HY" else (2,):
        ring_at = end - datetime.timedelta(hours=hours, minutes=rng.randint(0, 40))
        if ring_at >= start:
            number = rng.choice(mobiles) if mobiles else _stranger(rng)
            add(number, ring_at, wait=rng.randint(20, 40), cause="no_answer")
    callbacks = _callbacks(community, missed, agent, end, rng, first_id + len(calls))
    names = CALL_FIELDS.split()
    for call in [*calls, *callbacks]:
        rows.add(*(getattr(call, name) for name in names))
    rows.write()
    AuditEvent.objects.bulk_create(  # the desk's call-backs: call_start's history row
        audit.change_row(
            actor=agent,
            instance=Call(**{name: getattr(call, name) for name in names}),
            action="create",
            house_id=call.house_id,
            owner_id=call.owner_id,
        )
        for call in callbacks
    )
    return len(calls) + len(callbacks)


def _callbacks(community, missed, agent, end, rng, first_id: int) -> list[SimpleNamespace]:
    """Missed calls called back from the queue: an outbound call each from the agent's desk,
    which takes the missed call off the queue (`call_finish`)."""
    made = []
    for call in missed:
        at = call.ended_at + datetime.timedelta(minutes=rng.randint(3, 50))
        talk = rng.randint(40, 200)
        if at + datetime.timedelta(seconds=talk) > end:
            continue
        ended = at + datetime.timedelta(seconds=talk)
        callback = SimpleNamespace(
            **{
                **vars(call),
                "id": first_id + len(made),
                "direction": CallDirection.OUTBOUND,
                "source": CallSource.CONSOLE,
                "pbx_call_id": "",
                "line": "",
                "agent_id": agent.pk,
                "ring_at": at,
                "answered_at": at,
                "ended_at": ended,
                "hangup_cause": "",
                "callback_of_id": call.id,
                "outcome": CallOutcome.ON_THE_SPOT,
                "note": "回拨未接来电，已答复业主",
                "created_at": at,
                "updated_at": ended,
            }
        )
        call_derive(callback, ring_cycle_seconds=1)
        made.append(callback)
        call.callback_attempts = 1
        call.called_back_at = ended
        call.called_back_by_id = agent.pk
        call.updated_at = ended
    return made


# --- satisfaction surveys -----------------------------------------------------------------------

RESPONSE_FIELDS = (
    "id round_id community_id house_id respondent_id respondent_name channel entered_by_id "
    "answered_at scale_count satisfied_count lowest_score comment follow_up"
)


def _survey_scores(rng: random.Random, count: int, *, unhappy: bool = False) -> list[int]:
    mood = 2 if unhappy else rng.choices([5, 4, 3, 2], weights=[74, 22, 2, 2])[0]
    if mood == 2:
        return [
            rng.choice([1, 2, 2, 3]) if n % 2 == 0 else rng.choice([2, 3]) for n in range(count)
        ]
    noise = [0, 0, 0, -1] if mood == 5 else [0, 0, 0, 0, 1, -1]
    return [max(1, min(5, mood + rng.choice(noise))) for _n in range(count)]


def _surveys(community, agent, supervisor, first_day, end, rng) -> int:
    questionnaire = surveys.questionnaire_monthly()
    questions = list(questionnaire.questions.all())
    settings_row = settings_for(community.id)
    low = settings_row.survey_low_score
    houses = sorted(
        set(
            Ownership.objects.filter(community=community, end_on__isnull=True).values_list(
                "house_id", flat=True
            )
        )
    )
    names = dict(
        Ownership.objects.filter(
            community=community, end_on__isnull=True, is_primary=True
        ).values_list("house_id", "owner__name")
    )
    portal = dict(
        Ownership.objects.filter(
            community=community, end_on__isnull=True, owner__user__isnull=False
        ).values_list("house_id", "owner__user_id")
    )
    today = timezone.localtime(end).date()
    responses: list[SurveyResponse] = []
    picked: list[list] = []
    response_rows = Rows(SurveyResponse, SurveyResponse(), RESPONSE_FIELDS)
    target_rows = Rows(SurveyTarget, SurveyTarget(), "id round_id community_id house_id answered")
    answer_rows = Rows(
        SurveyAnswer, SurveyAnswer(), "id response_id question_id score choices text"
    )
    first_response, first_target, first_answer = (
        rows.next_id() for rows in (response_rows, target_rows, answer_rows)
    )
    for back in range(MONTHS, -1, -1):
        period = _month_start(today, back)
        opened_at = _at(period, 9)
        if opened_at > end:
            continue
        closes_on = period + datetime.timedelta(days=settings_row.survey_days_open)
        served = set(
            ServiceRequest.objects.filter(
                community=community,
                created_at__gte=_at(period, 0),
                created_at__lt=_at(_month_start(period, -1), 0),
            ).values_list("house_id", flat=True)
        ) & set(houses)
        # Half the sample from the houses served that month, the rest drawn from all.
        asked = sorted(
            set(rng.sample(sorted(served), min(len(served), SURVEY_SAMPLE // 2)))
            | set(rng.sample(houses, min(len(houses), SURVEY_SAMPLE)))
        )
        survey_round = SurveyRound.objects.create(
            community=community,
            questionnaire=questionnaire,
            period=period,
            opens_on=period,
            closes_on=closes_on,
            sample_size=len(asked),
            targets_count=len(asked),
            state=RoundState.CLOSED if closes_on < today else RoundState.OPEN,
            created_by=supervisor,
            created_at=opened_at,
        )
        AuditEvent.objects.bulk_create(
            [audit.change_row(actor=supervisor, instance=survey_round, action="create")]
        )
        answered = set()
        last = min(end, _at(closes_on, 21))
        for house_id in asked:
            if rng.random() > (0.62 if house_id in served else 0.45) and house_id not in portal:
                continue
            at = opened_at + datetime.timedelta(
                seconds=rng.randrange(max(1, int((last - opened_at).total_seconds())))
            )
            if not 8 <= timezone.localtime(at).hour <= 21:
                at = at.replace(hour=rng.randint(9, 20))
            if at > end:
                continue
            answered.add(house_id)
            channel = (
                AnswerChannel.PORTAL
                if house_id in portal
                else (AnswerChannel.PHONE if rng.random() < 0.75 else AnswerChannel.VISIT)
            )
            scale = [q for q in questions if q.kind == QuestionKind.SCALE]
            # An unhappy owner in two of the rounds at least: one decided, one waiting.
            unhappy = back in (MONTHS - 1, 1) and not answered - {house_id}
            scores = _survey_scores(rng, len(scale), unhappy=unhappy)
            lowest = min(scores)
            comment = ""
            if lowest <= low:
                comment = rng.choice(LOW_COMMENTS)
            elif rng.random() < 0.2:
                comment = rng.choice(SURVEY_COMMENTS)
            response = SurveyResponse(
                id=first_response + len(responses),
                round=survey_round,
                community=community,
                house_id=house_id,
                respondent_id=portal.get(house_id) if channel == AnswerChannel.PORTAL else None,
                respondent_name=names.get(house_id, ""),
                channel=channel,
                entered_by=agent if channel != AnswerChannel.PORTAL else None,
                answered_at=at,
                scale_count=len(scores),
                satisfied_count=sum(1 for s in scores if s >= 4),
                lowest_score=lowest,
                comment=comment,
                follow_up=FollowUpChoice.PENDING if lowest <= low else "",
            )
            responses.append(response)
            picked.append([scores, comment])
        for house_id in asked:
            target_rows.add(
                first_target + len(target_rows.rows),
                survey_round.pk,
                community.id,
                house_id,
                house_id in answered,
            )
    names = RESPONSE_FIELDS.split()
    for response in responses:
        response_rows.add(*(getattr(response, name) for name in names))
    response_rows.write()
    target_rows.write()
    history = []
    for response, (scores, comment) in zip(responses, picked, strict=True):
        scale_scores = iter(scores)
        for question in questions:
            score, choices, text = None, [], ""
            if question.kind == QuestionKind.SCALE:
                score = next(scale_scores)
            elif question.kind == QuestionKind.SINGLE:
                choices = [rng.choice(question.options)]
            elif question.kind == QuestionKind.MULTIPLE and rng.random() < 0.7:
                chosen = rng.sample(question.options, rng.randint(1, 2))
                choices = sorted(chosen, key=question.options.index)
            elif question.kind == QuestionKind.TEXT and comment:
                text = comment
            else:
                continue  # an optional question left unanswered
            answer_id = first_answer + len(answer_rows.rows)
            answer_rows.add(answer_id, response.pk, question.pk, score, choices, text)
        history.append(
            audit.change_row(
                actor=response.entered_by
                or (User(pk=response.respondent_id) if response.respondent_id else None),
                instance=response,
                action="create",
                house_id=response.house_id,
                object_repr=str(response.round),
            )
        )
    answer_rows.write()
    AuditEvent.objects.bulk_create(history, batch_size=1000)
    _follow_ups(
        [r for r in responses if r.follow_up == FollowUpChoice.PENDING], agent, supervisor, end, rng
    )
    return len(responses)


def _follow_ups(pending: list[SurveyResponse], agent, supervisor, end, rng) -> None:
    """A supervisor decides each low answer a day or two later; the newest one (and any of
    the last days) still waits."""
    pending.sort(key=lambda r: r.answered_at)
    for n, response in enumerate(pending):
        decided_at = _office_hours(
            response.answered_at + datetime.timedelta(hours=rng.randint(20, 50)), rng
        )
        if n == len(pending) - 1 or decided_at > end - datetime.timedelta(days=2):
            continue
        choice = FollowUpChoice.TASK if n % 3 != 2 else FollowUpChoice.NONE
        decide_note, done_note = FOLLOW_UP_NOTES[choice]
        with clock.travel(decided_at):
            response = surveys.survey_follow_up_decide(
                actor=supervisor,
                response=response,
                choice=choice,
                note=decide_note,
                assignee=agent if choice == FollowUpChoice.TASK else None,
            )
        done_at = _office_hours(decided_at + datetime.timedelta(hours=rng.randint(3, 30)), rng)
        if choice == FollowUpChoice.TASK and done_at <= end:
            with clock.travel(done_at):
                surveys.survey_follow_up_done(actor=agent, response=response, note=done_note)


# --- reviews, exams, data-entry checks, the month's close ---------------------------------------


def _reviews(community, agent, supervisor, admin, first_day, end, rng) -> int:
    """Three of the agent's calls reviewed a month by the supervisor; the agent acknowledges
    them, and appealed one (decided by the administrator)."""
    form = reviews.review_form_default()
    items = list(form.items.all())
    today = timezone.localtime(end).date()
    made = 0
    appealed = False
    for back in range(MONTHS, -1, -1):
        period = _month_start(today, back)
        calls = list(
            Call.objects.filter(
                community=community,
                agent=agent,
                answered_at__isnull=False,
                direction=CallDirection.INBOUND,
                ring_at__gte=_at(period, 0),
                ring_at__lt=min(end - datetime.timedelta(days=2), _at(_month_start(period, -1), 0)),
            ).order_by("id")
        )
        for call in rng.sample(calls, min(3, len(calls))):
            reviewed_at = _office_hours(
                call.ended_at + datetime.timedelta(hours=rng.randint(20, 44)), rng
            )
            if reviewed_at > end:
                continue
            marks = {
                item.pk: (rng.choice([0, 0, 0, 0, 2, 5]) if item.points > 5 else 0, "")
                for item in items
            }
            appeal = back == 3 and not appealed
            if appeal or rng.random() < 0.3:
                worst = items[-2] if appeal else rng.choice(items)
                marks[worst.pk] = (min(worst.points, 8), "未按规范报公司名称")
            with clock.travel(reviewed_at):
                review = reviews.review_create(
                    actor=supervisor,
                    agent=agent,
                    call=call,
                    marks=marks,
                    note=rng.choice(REVIEW_NOTES),
                )
            made += 1
            answered_at = _office_hours(
                reviewed_at + datetime.timedelta(hours=rng.randint(2, 26)), rng
            )
            if answered_at > end or back == 0 and rng.random() < 0.5:
                continue  # still waiting for the agent
            with clock.travel(answered_at):
                if appeal:
                    appealed = True
                    review = reviews.review_appeal(
                        actor=agent, review=review, reason="当时系统故障，已向业主说明原因，请复核"
                    )
                else:
                    reviews.review_acknowledge(actor=agent, review=review)
                    continue
            with clock.travel(_office_hours(answered_at + datetime.timedelta(days=1), rng)):
                reviews.review_decide(
                    actor=admin,
                    review=review,
                    granted=False,
                    note="录音显示未报公司名称，维持原评分",
                )
    return made


def _exams(community, supervisor, first_day, end, rng) -> int:
    """A monthly knowledge test of the community, taken by its staff in the month's second
    week; a failed attempt is retaken a few days later."""
    takers = list(
        User.objects.filter(username__in=EXAM_SKILL, communities=community).order_by("id")
    )
    bank: dict[str, list[ExamQuestion]] = defaultdict(list)
    for question in ExamQuestion.objects.filter(
        community__isnull=True, topic__in=EXAM_TOPICS, is_active=True
    ):
        bank[question.topic].append(question)
    today = timezone.localtime(end).date()
    attempts: list[ExamAttempt] = []
    papers: list[list[tuple[ExamQuestion, list[int]]]] = []
    for back in range(MONTHS, -1, -1):
        period = _month_start(today, back)
        if _at(period, 9) > end:
            continue
        exam = Exam.objects.create(
            community=community,
            title=f"{period.year}年{period.month}月 客服岗位知识月测",
            topic_counts=EXAM_TOPICS,
            duration_minutes=20,
            pass_percent=80,
            max_attempts=3,
            is_active=back == 0,
            created_by=supervisor,
        )
        Exam.objects.filter(pk=exam.pk).update(created_at=_at(period, 9))
        for taker in takers:
            skill = EXAM_SKILL[taker.username]
            started = _at(
                period + datetime.timedelta(days=rng.randint(1, 8)),
                rng.randint(9, 16),
                rng.randrange(60),
            )
            for number in (1, 2):
                finished = started + datetime.timedelta(minutes=rng.randint(8, 18))
                if finished > end:
                    break
                paper = [
                    (
                        question,
                        question.answer
                        if rng.random() < skill + 0.05 * (number - 1)
                        else _wrong(question, rng),
                    )
                    for topic, count in EXAM_TOPICS.items()
                    for question in rng.sample(bank[topic], min(count, len(bank[topic])))
                ]
                correct = sum(1 for q, chosen in paper if q.is_right(chosen))
                score = (Decimal(correct * 100) / len(paper)).quantize(
                    Decimal("0.1"), ROUND_HALF_UP
                )
                attempts.append(
                    ExamAttempt(
                        exam=exam,
                        community=community,
                        taker=taker,
                        number=number,
                        state=AttemptState.SUBMITTED,
                        started_at=started,
                        deadline_at=started + datetime.timedelta(minutes=exam.duration_minutes),
                        finished_at=finished,
                        question_count=len(paper),
                        correct_count=correct,
                        score=score,
                        passed=score >= exam.pass_percent,
                    )
                )
                papers.append(paper)
                if score >= exam.pass_percent:
                    break
                started += datetime.timedelta(days=rng.randint(2, 5))
    ExamAttempt.objects.bulk_create(attempts)
    answers = [
        AttemptAnswer(
            attempt=attempt,
            question=question,
            order=order,
            chosen=chosen,
            saved_at=attempt.started_at + datetime.timedelta(minutes=order),
            correct=question.is_right(chosen),
        )
        for attempt, paper in zip(attempts, papers, strict=True)
        for order, (question, chosen) in enumerate(paper, start=1)
    ]
    for answer in answers:  # saved while the attempt was open
        answer.saved_at = min(answer.saved_at, answer.attempt.finished_at)
    AttemptAnswer.objects.bulk_create(answers, batch_size=1000)
    return len(attempts)


def _wrong(question: ExamQuestion, rng: random.Random) -> list[int]:
    size = len(question.choice_labels())
    others = [i for i in range(size) if [i] != sorted(question.answer)]
    return [rng.choice(others)] if others else []


def _entry_checks(community, agent, supervisor, first_day, end, rng) -> None:
    """The supervisor's monthly sample of the agent's records, checked field by field."""
    today = timezone.localtime(end).date()
    rows = []
    for back in range(MONTHS, 0, -1):
        period = _month_start(today, back)
        checked_at = _at(_month_start(period, -1) - datetime.timedelta(days=2), 16)
        fields = rng.randint(180, 260)
        rows.append(
            EntryCheck(
                community=community,
                agent=agent,
                period=period,
                records_checked=fields // 12,
                fields_checked=fields,
                field_errors=rng.randint(0, fields // 60),
                note="抽查当月工单与来电登记",
                checked_by=supervisor,
                checked_at=checked_at,
            )
        )
    EntryCheck.objects.bulk_create(rows)
    AuditEvent.objects.bulk_create(
        audit.change_row(actor=supervisor, instance=row, action="create") for row in rows
    )


def _close_last_month(community, supervisor, end) -> int:
    """Score the last full month and close it, on the 2nd of this month (or now, if earlier)."""
    today = timezone.localtime(end).date()
    period = _month_start(today, 1)
    at = min(end, _at(today.replace(day=1) + datetime.timedelta(days=1), 10))
    with clock.travel(at):
        month = assessment.assessment_compute(actor=supervisor, community=community, period=period)
        assessment.assessment_close(actor=supervisor, month=month)
    return 1
