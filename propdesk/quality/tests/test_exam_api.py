"""The exam endpoints × every role, with another community's ids and bad input: refusals carry
an error body and write nothing."""

from types import SimpleNamespace

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.quality.models import AttemptState, ExamAttempt
from propdesk.quality.services import exams
from propdesk.quality.tests.conftest import quality_snapshot

pytestmark = pytest.mark.django_db

STAFF = {"agent", "supervisor", "technician", "cashier", "guard", "admin"}
SUPERVISION = {"supervisor", "admin"}


def outcomes(ok: int, allowed: set, **special) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"other_agent": 404, "anonymous": 401})
    expected.update(special)
    return expected


@pytest.fixture
def world(supervisor, agent, community_a):
    exam = exams.exam_create(
        actor=supervisor,
        community=community_a,
        title="岗位规范小测",
        topic_counts={"duties": 2, "process": 1},
        duration_minutes=10,
        pass_percent=60,
    )
    attempt = exams.attempt_start(actor=agent, exam=exam)
    first = attempt.answers.select_related("question").order_by("order").first()
    return SimpleNamespace(exam=exam, attempt=attempt, first=first, community=community_a)


ENDPOINTS = {
    "exams": ("get", lambda w: "/api/quality/exams", None, outcomes(200, STAFF, other_agent=200)),
    "exam_create": (
        "post",
        lambda w: "/api/quality/exams",
        lambda w: {"community": w.community.id, "title": "应急", "topic_counts": {"emergency": 2}},
        outcomes(201, SUPERVISION, other_agent=403),
    ),
    "exam_detail": (
        "get",
        lambda w: f"/api/quality/exams/{w.exam.id}",
        None,
        outcomes(200, STAFF),
    ),
    "attempt_detail": (
        "get",
        lambda w: f"/api/quality/attempts/{w.attempt.id}",
        None,
        outcomes(200, {"agent", "supervisor", "admin"}, technician=404, cashier=404, guard=404),
    ),
    "answer": (
        "put",
        lambda w: f"/api/quality/attempts/{w.attempt.id}/answers",
        lambda w: {"question": w.first.question_id, "chosen": w.first.question.answer},
        outcomes(200, {"agent"}, technician=404, cashier=404, guard=404),
    ),
    "submit": (
        "post",
        lambda w: f"/api/quality/attempts/{w.attempt.id}/submit",
        lambda w: {},
        outcomes(200, {"agent"}, technician=404, cashier=404, guard=404),
    ),
    "results": (
        "get",
        lambda w: "/api/quality/exam-results",
        None,
        outcomes(200, SUPERVISION, other_agent=403),
    ),
    "questions": (
        "get",
        lambda w: "/api/quality/questions?topic=duties",
        None,
        outcomes(200, SUPERVISION, other_agent=403),
    ),
    "question_create": (
        "post",
        lambda w: "/api/quality/questions",
        lambda w: {
            "community": w.community.id,
            "topic": "community",
            "kind": "true_false",
            "text": "本小区物业费每月5日前缴纳。",
            "answer": [0],
        },
        outcomes(201, SUPERVISION, other_agent=403),
    ),
    "training": (
        "get",
        lambda w: "/api/quality/training",
        None,
        outcomes(200, STAFF, other_agent=200),
    ),
    "training_create": (
        "post",
        lambda w: "/api/quality/training",
        lambda w: {
            "community": w.community.id,
            "kind": "role_play",
            "title": "投诉接待角色扮演",
            "held_on": "2026-07-09",
            "attendees": [w.attempt.taker_id],
        },
        outcomes(201, SUPERVISION, other_agent=403),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = quality_snapshot()
    if method == "get":
        response = api.get(role, path(world))
    elif method == "put":
        response = api.raw(
            role, "put", path(world), __import__("json").dumps(body(world)), "application/json"
        )
    else:
        response = getattr(api, method)(role, path(world), body(world))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert quality_snapshot() == before


def test_the_questions_leave_without_their_answers_until_handed_in(api, world):
    body = api.get("agent", f"/api/quality/attempts/{world.attempt.id}").json()
    assert len(body["answers"]) == 3
    assert all(a["right_answer"] is None and a["explanation"] is None for a in body["answers"])
    assert "answer" not in body["answers"][0]["question"]
    done = api.post("agent", f"/api/quality/attempts/{world.attempt.id}/submit").json()
    assert done["state"] == AttemptState.SUBMITTED
    assert all(a["right_answer"] for a in done["answers"])


def test_a_second_hand_in_is_a_conflict(api, world):
    api.post("agent", f"/api/quality/attempts/{world.attempt.id}/submit")
    before = quality_snapshot()
    response = api.post("agent", f"/api/quality/attempts/{world.attempt.id}/submit")
    assert (response.status_code, response.json()["code"]) == (409, "attempt_finished")
    assert quality_snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"chosen": [0]}, "question"),
        ({"question": "1", "chosen": [0]}, "question"),
        ({"question": True, "chosen": [0]}, "question"),
        ({"question": 2**63, "chosen": [0]}, "question"),
        ({"question": "FIRST", "chosen": "0"}, "chosen"),
        ({"question": "FIRST", "chosen": [10]}, "chosen"),
        ({"question": "FIRST", "chosen": [-1]}, "chosen"),
        ({"question": "FIRST", "chosen": ["\x00"]}, "chosen"),
        ({"question": "FIRST", "chosen": [0, 1, 2, 3, 4, 5, 6]}, "chosen"),
    ],
)
def test_bad_answers_are_named_and_change_nothing(api, world, body, field):
    import json

    if body.get("question") == "FIRST":
        body = {**body, "question": world.first.question_id}
    before = quality_snapshot()
    response = api.raw(
        "agent",
        "put",
        f"/api/quality/attempts/{world.attempt.id}/answers",
        json.dumps(body),
        "application/json",
    )
    assert response.status_code in (400, 422), response.content
    answer = response.json()
    fields = {answer["field"], *(e["field"] for e in answer.get("errors", []))}
    assert any(f and f.startswith(field) for f in fields), answer
    assert quality_snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "topic_counts": {"duties": 1}}, "title"),
        ({"title": "<b>测</b>\x00", "topic_counts": {"duties": 1}}, "title"),
        ({"title": "测", "topic_counts": {"gossip": 1}}, "topic_counts"),
        ({"title": "测", "topic_counts": {"duties": 51}}, "topic_counts"),
        ({"title": "测", "topic_counts": {}}, "topic_counts"),
        ({"title": "测", "topic_counts": {"duties": 1}, "pass_percent": "80"}, "pass_percent"),
        ({"title": "测", "topic_counts": {"duties": 1}, "community": 2**62}, "community"),
    ],
)
def test_bad_exams_are_named_and_change_nothing(api, world, body, field):
    body = {"community": world.community.id, **body}
    before = quality_snapshot()
    response = api.post("supervisor", "/api/quality/exams", body)
    assert response.status_code in (400, 404, 422), response.content
    answer = response.json()
    fields = {answer["field"], *(e["field"] for e in answer.get("errors", []))}
    assert any(f and f.startswith(field) for f in fields), answer
    assert quality_snapshot() == before


def test_another_communitys_exam_and_colleagues_are_not_found(api, world, community_b):
    other = exams.exam_create(
        actor=api.personas["admin"],
        community=community_b,
        title="乙小区考试",
        topic_counts={"duties": 1},
    )
    before = quality_snapshot()
    assert api.post("agent", f"/api/quality/exams/{other.id}/attempts").status_code == 404
    response = api.post(
        "supervisor",
        "/api/quality/training",
        {
            "community": world.community.id,
            "kind": "drill",
            "title": "演练",
            "held_on": "2026-07-09",
            "attendees": [api.personas["other_agent"].id],
        },
    )
    assert (response.status_code, response.json()["field"]) == (404, "attendees")
    assert quality_snapshot() == before
    assert ExamAttempt.objects.filter(exam=other).count() == 0
