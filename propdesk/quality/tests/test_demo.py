"""The demo company shows what service quality does: half a year of hotline calls with their
call-backs, monthly survey rounds with owners' answers, reviews, exams and the last full
month's closed assessment, every record in its own community."""

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import time_machine

from propdesk.accounts.models import User
from propdesk.estates.demo import load_demo
from propdesk.estates.models import Community
from propdesk.quality.models import (
    CALLBACK_STATES,
    AssessmentMonth,
    Call,
    CallDirection,
    CallOutcome,
    ExamAttempt,
    FollowUpChoice,
    MonthState,
    Review,
    ReviewState,
    Scorecard,
    SurveyAnswer,
    SurveyResponse,
    SurveyRound,
    SurveyTarget,
)
from propdesk.quality.selectors import dashboard

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_NOW = datetime.datetime(2026, 12, 9, 15, 30, tzinfo=SHANGHAI)


def test_the_demo_has_a_half_year_of_quality_records_per_community(db):
    with time_machine.travel(DEMO_NOW, tick=False):
        load_demo(houses_per_community=24, request_days=40)
    communities = list(Community.objects.order_by("id"))
    agent = User.objects.get(username="agent")
    supervisor = User.objects.get(username="supervisor")
    for community in communities:
        _calls(community)
        _surveys(community)
        _reviews_and_exams(community, agent)
        month = AssessmentMonth.objects.get(community=community)
        assert month.period == datetime.date(2026, 11, 1) and month.state == MonthState.CLOSED
        assert month.closed_by == supervisor and month.closed_at <= DEMO_NOW
        card = Scorecard.objects.get(month=month)
        assert card.agent == agent and card.community_id == community.id
        assert all(score is not None for score in card.scores().values())  # a full radar
        assert card.total is not None
    # Call-back queue: the last hours' unanswered calls, two in one community, one in the other.
    waiting = Counter(
        Call.objects.filter(
            direction=CallDirection.INBOUND, state__in=CALLBACK_STATES, called_back_at__isnull=True
        ).values_list("community__code", flat=True)
    )
    assert waiting == {"HY": 2, "JH": 1}
    # One appeal, decided by another supervisor than the reviewer.
    decided = Review.objects.filter(state__in=[ReviewState.UPHELD, ReviewState.OVERTURNED])
    assert decided.exists()
    assert all(r.decided_by_id not in (r.reviewer_id, r.agent_id) for r in decided)
    # The dashboard has every figure of the last six full months for both communities.
    with time_machine.travel(DEMO_NOW, tick=False):
        figures = dashboard.dashboard(supervisor, month=datetime.date(2026, 11, 1))
    assert len(figures) == 12
    for row in figures:
        assert 96 <= row.answer_rate <= 100
        assert row.satisfaction is not None and row.satisfaction >= 70
        assert row.exam_pass_rate is not None


def _calls(community):
    calls = Call.objects.filter(community=community)
    inbound = calls.filter(direction=CallDirection.INBOUND)
    since = datetime.datetime(2026, 6, 1, tzinfo=SHANGHAI)
    assert inbound.filter(ring_at__lt=since).count() == 0
    assert 1200 <= inbound.count() <= 2600  # 8–15 a working day, fewer at weekends
    answered = inbound.filter(answered_at__isnull=False)
    assert 0.97 <= answered.count() / inbound.count() <= 0.995
    assert answered.filter(wait_seconds__lte=3).count() / answered.count() >= 0.8
    assert answered.filter(wait_seconds__gt=3).exists()
    # Callers recognised by their mobile are owners (and houses) of this community.
    matched = inbound.filter(owner__isnull=False)
    assert matched.count() >= inbound.count() // 2
    assert not matched.exclude(owner__community=community).exists()
    assert (
        not matched.exclude(party_number="")
        .exclude(party_number__in=community.owners.values("mobile"))
        .exists()
    )
    assert not inbound.filter(house__isnull=False).exclude(house__community=community).exists()
    # Calls that led to a request rang just before the request was recorded, in its community.
    led = inbound.filter(outcome=CallOutcome.REQUEST_CREATED).select_related("request")
    assert led.exists()
    for call in led:
        assert call.request.community_id == community.id
        assert (
            call.ring_at < call.request.created_at <= call.ring_at + datetime.timedelta(minutes=10)
        )
    # Missed calls called back by an outbound call from the desk.
    called_back = inbound.filter(state__in=CALLBACK_STATES, called_back_at__isnull=False)
    assert called_back.exists()
    for call in called_back:
        callback = call.callbacks.get()
        assert callback.community_id == community.id
        assert callback.direction == CallDirection.OUTBOUND
        assert call.called_back_at == callback.ended_at > call.ring_at


def _surveys(community):
    rounds = SurveyRound.objects.filter(community=community)
    assert sorted(r.period.month for r in rounds) == [6, 7, 8, 9, 10, 11, 12]
    assert {r.questionnaire.is_monthly_default for r in rounds} == {True}
    responses = SurveyResponse.objects.filter(community=community)
    assert not responses.exclude(round__community=community).exists()
    assert not responses.exclude(house__community=community).exists()
    assert responses.count() >= 7 * 5
    satisfied = sum(r.satisfied_count for r in responses) / sum(r.scale_count for r in responses)
    assert 0.85 <= satisfied <= 0.97  # mostly 4 and 5
    for response in responses.order_by("id")[:20]:
        assert SurveyAnswer.objects.filter(response=response, score__isnull=False).count() == 6
    answered = SurveyTarget.objects.filter(round__community=community, answered=True)
    assert answered.count() == responses.count()
    low = responses.filter(lowest_score__lte=2)
    assert low.exists() and not low.filter(follow_up="").exists()
    assert set(low.values_list("follow_up", flat=True)) >= {FollowUpChoice.PENDING}
    assert low.exclude(follow_up=FollowUpChoice.PENDING).exists()


def _reviews_and_exams(community, agent):
    reviews = Review.objects.filter(community=community)
    assert reviews.count() >= 12 and set(reviews.values_list("agent", flat=True)) == {agent.pk}
    assert not reviews.exclude(call__community=community).exists()
    assert reviews.filter(state=ReviewState.ACKNOWLEDGED).exists()
    attempts = ExamAttempt.objects.filter(community=community)
    assert not attempts.exclude(exam__community=community).exists()
    assert attempts.filter(taker=agent).exists()
    assert attempts.filter(passed=True).count() > attempts.count() / 2
    for attempt in attempts:
        assert attempt.answers.count() == attempt.question_count
        assert attempt.answers.filter(correct=True).count() == attempt.correct_count
        assert attempt.started_at < attempt.finished_at <= DEMO_NOW
