"""Satisfaction surveys: rounds, the monthly job, one answer per house, results, low answers."""

import datetime
from decimal import Decimal

import pytest

from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.quality.models import (
    FollowUpChoice,
    QualitySettings,
    SurveyResponse,
    SurveyRound,
    SurveyTarget,
)
from propdesk.quality.selectors import survey_results
from propdesk.quality.services import surveys
from propdesk.quality.tests.conftest import NOW, good_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def more_houses(admin, building_a):
    from propdesk.estates import services

    houses = []
    for number in range(101, 106):
        house = services.house_create(
            actor=admin,
            building=building_a,
            unit_number="1",
            number=str(number),
            floor=1,
            area_m2="80",
        )
        owner = services.owner_create(
            actor=admin, community=building_a.community, name=f"业主{number}"
        )
        services.ownership_add(
            actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
        )
        houses.append(house)
    return houses


def test_a_round_asks_every_owned_house_and_invites_account_owners(
    supervisor, community_a, owner_account, house_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        survey_round = surveys.survey_round_open(actor=supervisor, community=community_a)
    assert survey_round.period == datetime.date(2026, 7, 1)
    assert survey_round.closes_on == datetime.date(2026, 7, 24)
    assert list(SurveyTarget.objects.values_list("house_id", flat=True)) == [house_a.id]
    invitations = OutboxMessage.objects.filter(event="quality.survey_opened")
    assert {m.channel for m in invitations} >= {"in_app"}
    assert "月度业主满意度调查" in invitations.get(channel="in_app").body


def test_a_sample_asks_that_many_houses(supervisor, community_a, zhang_san, more_houses):
    survey_round = surveys.survey_round_open(actor=supervisor, community=community_a, sample_size=3)
    assert survey_round.targets_count == 3
    assert SurveyTarget.objects.filter(round=survey_round).count() == 3


def test_one_round_per_month_and_questionnaire(
    survey_round, supervisor, community_a, nothing_changes
):
    with nothing_changes(), pytest.raises(Conflict):
        surveys.survey_round_open(actor=supervisor, community=community_a)


@pytest.mark.parametrize("role", ["agent", "technician", "owner", "other_agent"])
def test_only_supervisors_open_rounds(personas, community_a, zhang_san, nothing_changes, role):
    with nothing_changes(), pytest.raises(PermissionDenied):
        surveys.survey_round_open(actor=personas[role], community=community_a)


def test_the_monthly_job_opens_in_the_first_week_once(clock, community_a, community_b, zhang_san):
    clock.move_to(datetime.datetime(2026, 8, 1, 8, 5, tzinfo=NOW.tzinfo))
    assert surveys.surveys_open_monthly() == 1  # community B has no owners yet
    assert surveys.surveys_open_monthly() == 0
    assert SurveyRound.objects.get().period == datetime.date(2026, 8, 1)
    clock.move_to(datetime.datetime(2026, 8, 9, 8, 5, tzinfo=NOW.tzinfo))
    SurveyRound.objects.all().delete()
    assert surveys.surveys_open_monthly() == 0


def test_the_monthly_job_follows_the_communitys_day(clock, community_a, zhang_san):
    QualitySettings.objects.create(community=community_a, survey_open_day=3)
    clock.move_to(datetime.datetime(2026, 8, 2, 8, 5, tzinfo=NOW.tzinfo))
    assert surveys.surveys_open_monthly() == 0
    clock.move_to(datetime.datetime(2026, 8, 3, 8, 5, tzinfo=NOW.tzinfo))
    assert surveys.surveys_open_monthly() == 1


def test_the_owner_answers_once(survey_round, owner_account, house_a, nothing_changes):
    response = surveys.survey_answer(
        actor=owner_account,
        survey_round=survey_round,
        house=house_a,
        answers=good_answers(survey_round),
    )
    assert (response.scale_count, response.satisfied_count, response.follow_up) == (6, 6, "")
    assert response.comment == "保安很负责"
    with nothing_changes(), pytest.raises(Conflict):
        surveys.survey_answer(
            actor=owner_account,
            survey_round=survey_round,
            house=house_a,
            answers=good_answers(survey_round),
        )


def test_another_owner_cannot_answer_for_the_house(survey_round, house_a, nothing_changes):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    stranger = make_user("stranger", Role.OWNER)
    with nothing_changes(), pytest.raises(NotFound):
        surveys.survey_answer(
            actor=stranger,
            survey_round=survey_round,
            house=house_a,
            answers=good_answers(survey_round),
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda a, q: {**a, q["scale"]: 6},
        lambda a, q: {**a, q["scale"]: 0},
        lambda a, q: {**a, q["scale"]: "five"},
        lambda a, q: {**a, q["scale"]: True},
        lambda a, q: {k: v for k, v in a.items() if k != q["scale"]},
        lambda a, q: {**a, q["single"]: "别的"},
        lambda a, q: {**a, q["multiple"]: ["维修及时性", "<script>"]},
        lambda a, q: {**a, q["text"]: "x" * 1001},
        lambda a, q: {**a, q["text"]: "a\x00b"},
        lambda a, q: {**a, "q999999": 5},
    ],
)
def test_a_bad_answer_is_named_and_nothing_is_written(
    survey_round, owner_account, house_a, nothing_changes, change
):
    questions = {q.kind: f"q{q.pk}" for q in survey_round.questionnaire.questions.all()}
    answers = change(good_answers(survey_round), questions)
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        surveys.survey_answer(
            actor=owner_account, survey_round=survey_round, house=house_a, answers=answers
        )
    assert error.value.field.startswith("q")


def test_an_agent_enters_a_phone_answer(survey_round, agent, house_a):
    response = surveys.survey_answer(
        actor=agent,
        survey_round=survey_round,
        house=house_a,
        answers=good_answers(survey_round, score=4),
        channel="phone",
        respondent_name="张三",
    )
    assert (response.channel, response.entered_by, response.respondent) == ("phone", agent, None)


def test_a_closed_round_takes_no_answer(
    survey_round, supervisor, owner_account, house_a, nothing_changes
):
    surveys.survey_round_close(actor=supervisor, survey_round=survey_round)
    with nothing_changes(), pytest.raises(Conflict):
        surveys.survey_answer(
            actor=owner_account,
            survey_round=survey_round,
            house=house_a,
            answers=good_answers(survey_round),
        )


def test_the_results(survey_round, agent, owner_account, house_a, repair_request):
    answers = good_answers(survey_round)
    scale = [k for k, v in answers.items() if isinstance(v, int)]
    answers[scale[0]] = 2
    surveys.survey_answer(
        actor=owner_account, survey_round=survey_round, house=house_a, answers=answers
    )
    results = survey_results(agent, survey_round)
    overall = results["overall"]
    assert (overall.asked, overall.responses, overall.response_rate) == (1, 1, Decimal("100.0"))
    assert overall.satisfaction == Decimal("83.3")
    attitude = next(d for d in results["by_dimension"] if d.key == "attitude")
    assert attitude.satisfaction == Decimal("0.0")
    assert [h.label for h in results["history"]] == ["2026-07"]
    assert results["comments"][0]["comment"] == "保安很负责"
    assert results["target"] == Decimal("90")


def _low(survey_round, owner_account, house_a) -> SurveyResponse:
    return surveys.survey_answer(
        actor=owner_account,
        survey_round=survey_round,
        house=house_a,
        answers=good_answers(survey_round, score=1),
    )


def test_a_low_answer_becomes_a_complaint_at_the_supervisors_choice(
    survey_round, supervisor, owner_account, house_a
):
    response = _low(survey_round, owner_account, house_a)
    assert response.follow_up == FollowUpChoice.PENDING
    response = surveys.survey_follow_up_decide(
        actor=supervisor, response=response, choice="complaint", note="业主对维修不满"
    )
    request = response.follow_up_request
    assert (request.kind.code, request.category.code, request.house) == (
        "complaint",
        "service",
        house_a,
    )


def test_a_low_answer_becomes_a_task_for_a_colleague(
    survey_round, supervisor, agent, owner_account, house_a, nothing_changes
):
    response = _low(survey_round, owner_account, house_a)
    with nothing_changes(), pytest.raises(ValidationFailed):
        surveys.survey_follow_up_decide(
            actor=supervisor, response=response, choice="task", note="请回访"
        )
    response = surveys.survey_follow_up_decide(
        actor=supervisor, response=response, choice="task", note="请回访", assignee=agent
    )
    response = surveys.survey_follow_up_done(actor=agent, response=response, note="已致歉并解释")
    assert response.follow_up_done_at == NOW


def test_only_a_supervisor_decides(survey_round, agent, owner_account, house_a, nothing_changes):
    response = _low(survey_round, owner_account, house_a)
    with nothing_changes(), pytest.raises(PermissionDenied):
        surveys.survey_follow_up_decide(actor=agent, response=response, choice="none", note="x")
