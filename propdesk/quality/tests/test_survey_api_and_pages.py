"""Survey endpoints and pages × roles: who may read, enter and decide; another community's
round, house or answer is a 404; refused calls write nothing."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.api.tests.helpers import ROLES
from propdesk.quality.models import SurveyResponse
from propdesk.quality.services import surveys
from propdesk.quality.tests.conftest import good_answers, quality_snapshot

pytestmark = pytest.mark.django_db

DESK = {"agent", "supervisor", "admin"}
SUPERVISION = {"supervisor", "admin"}


def outcomes(ok: int, allowed: set, *, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"other_agent": other_agent, "anonymous": 401})
    return expected


@pytest.fixture
def world(survey_round, owner_account, house_a, community_a, more_answers):
    return SimpleNamespace(
        round=survey_round, house=house_a, community=community_a, low=more_answers
    )


@pytest.fixture
def more_answers(survey_round, owner_account, house_a):
    return surveys.survey_answer(
        actor=owner_account,
        survey_round=survey_round,
        house=house_a,
        answers=good_answers(survey_round, score=1),
    )


@pytest.fixture
def fresh_house(admin, building_a, survey_round):
    """A house asked in the round that has not answered yet."""
    from propdesk.estates import services
    from propdesk.quality.models import SurveyTarget

    house = services.house_create(
        actor=admin, building=building_a, unit_number="1", number="808", floor=8, area_m2="80"
    )
    SurveyTarget.objects.create(round=survey_round, community=house.community, house=house)
    return house


ENDPOINTS = {
    "rounds": (
        "get",
        lambda w: "/api/quality/surveys/rounds",
        None,
        outcomes(200, DESK, other_agent=200),
    ),
    "round_create": (
        "post",
        lambda w: "/api/quality/surveys/rounds",
        lambda w: {"community": w.community.id, "period": "2026-08-01"},
        outcomes(201, SUPERVISION, other_agent=403),
    ),
    "results": (
        "get",
        lambda w: f"/api/quality/surveys/rounds/{w.round.id}/results",
        None,
        outcomes(200, DESK),
    ),
    "low_answers": (
        "get",
        lambda w: "/api/quality/surveys/low-answers",
        None,
        outcomes(200, DESK, other_agent=200),
    ),
    "follow_up": (
        "post",
        lambda w: f"/api/quality/surveys/answers/{w.low.id}/follow-up",
        lambda w: {"choice": "none", "note": "已电话沟通"},
        outcomes(200, SUPERVISION, other_agent=403),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = quality_snapshot()
    if method == "get":
        response = api.get(role, path(world))
    else:
        response = getattr(api, method)(role, path(world), body(world))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert quality_snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_entering_an_answer_for_role(api, world, fresh_house, role):
    expected = outcomes(201, DESK)[role]
    before = quality_snapshot()
    answers = good_answers(world.round, score=4)
    response = api.post(
        role,
        f"/api/quality/surveys/rounds/{world.round.id}/answers",
        {"house": fresh_house.id, "channel": "phone", "answers": answers},
    )
    assert response.status_code == expected, response.content[:300]
    if expected == 201:
        assert response.json()["satisfied_count"] == 6
    else:
        assert quality_snapshot() == before


def test_a_foreign_house_is_a_404_naming_it(api, world, house_b):
    before = quality_snapshot()
    response = api.post(
        "agent",
        f"/api/quality/surveys/rounds/{world.round.id}/answers",
        {"house": house_b.id, "channel": "phone", "answers": good_answers(world.round)},
    )
    assert response.status_code == 404
    assert response.json()["field"] == "house"
    assert quality_snapshot() == before


@pytest.mark.parametrize(
    "answers",
    [{"q1": 9}, {"x": 5}, {"q1": {"nested": 1}}, "five"],
)
def test_bad_answers_over_the_api_are_refused(api, world, fresh_house, answers):
    before = quality_snapshot()
    response = api.post(
        "agent",
        f"/api/quality/surveys/rounds/{world.round.id}/answers",
        {"house": fresh_house.id, "channel": "phone", "answers": answers},
    )
    assert response.status_code in (400, 404, 422), response.content
    assert response.json()["message"]
    assert quality_snapshot() == before


def as_role(personas, role) -> Client:
    client = Client()
    client.force_login(personas[role])
    return client


PAGES = {
    "quality_rounds": (lambda w: reverse("quality_rounds"), DESK, 200),
    "quality_round_detail": (
        lambda w: reverse("quality_round_detail", args=[w.round.id]),
        DESK,
        404,
    ),
    "quality_low_answers": (lambda w: reverse("quality_low_answers"), DESK, 200),
    "quality_low_answer": (lambda w: reverse("quality_low_answer", args=[w.low.id]), DESK, 404),
    "quality_answer_enter": (
        lambda w: reverse("quality_answer_enter", args=[w.round.id, w.house.id]),
        DESK,
        404,
    ),
}
PAGE_ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "other_agent"]
PAGE_CASES = [(name, role) for name in PAGES for role in PAGE_ROLES]


@pytest.mark.parametrize(("name", "role"), PAGE_CASES, ids=[f"{n}-{r}" for n, r in PAGE_CASES])
def test_page_for_role(personas, world, name, role):
    url, allowed, other = PAGES[name]
    response = as_role(personas, role).get(url(world))
    expected = other if role == "other_agent" else (200 if role in allowed else 403)
    assert response.status_code == expected, (name, role)


def test_the_supervisor_opens_a_round_from_the_page(personas, community_a, zhang_san):
    response = as_role(personas, "supervisor").post(
        reverse("quality_rounds"),
        {"community": community_a.id, "period": "2026-07-10", "closes_on": "2026-07-20"},
    )
    assert response.status_code == 302


def test_the_agent_enters_an_answer_from_the_call_list(personas, world, fresh_house):
    client = as_role(personas, "agent")
    page = client.get(reverse("quality_round_detail", args=[world.round.id])).content.decode()
    assert "1-808" in page
    data = {"channel": "visit", "respondent_name": "李四", **good_answers(world.round, score=5)}
    response = client.post(
        reverse("quality_answer_enter", args=[world.round.id, fresh_house.id]), data
    )
    assert response.status_code == 302
    assert SurveyResponse.objects.get(house=fresh_house).channel == "visit"


def test_a_missing_score_on_the_page_is_named(personas, world, fresh_house):
    before = quality_snapshot()
    response = as_role(personas, "agent").post(
        reverse("quality_answer_enter", args=[world.round.id, fresh_house.id]),
        {"channel": "phone"},
    )
    assert response.status_code == 400
    assert 'data-field-error="q' in response.content.decode()
    assert quality_snapshot() == before


def test_the_supervisor_decides_on_the_page(personas, world):
    response = as_role(personas, "supervisor").post(
        reverse("quality_low_answer", args=[world.low.id]),
        {"choice": "complaint", "note": "业主多次反映维修慢"},
    )
    assert response.status_code == 302
    world.low.refresh_from_db()
    assert world.low.follow_up_request is not None


def test_the_owner_sees_and_answers_on_the_portal(personas, owner_account, survey_round, house_a):
    client = as_role(personas, "owner")
    listing = client.get(reverse("quality_portal_surveys")).content.decode()
    assert "月度业主满意度调查" in listing
    url = reverse("quality_portal_survey_answer", args=[survey_round.id, house_a.id])
    assert client.get(url).status_code == 200
    response = client.post(url, good_answers(survey_round, score=5))
    assert response.status_code == 302
    assert "no-surveys" in client.get(reverse("quality_portal_surveys")).content.decode()


def test_staff_are_sent_to_the_portal_sign_in(personas, survey_round, house_a):
    url = reverse("quality_portal_survey_answer", args=[survey_round.id, house_a.id])
    assert as_role(personas, "agent").get(url).status_code == 302


def test_another_owners_house_is_a_404_on_the_portal(personas, survey_round, house_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    client = Client()
    client.force_login(make_user("stranger", Role.OWNER))
    url = reverse("quality_portal_survey_answer", args=[survey_round.id, house_b.id])
    assert client.get(url).status_code == 404
