"""Quality reviews: the checklist score, the agent's acknowledgement or single appeal, another
supervisor's decision, corrections as new versions, the monthly sample, and who sees what."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.api.tests.helpers import ROLES
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.quality.models import Review, ReviewState
from propdesk.quality.services import calls, reviews
from propdesk.quality.tests.conftest import quality_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_call(live_call, agent, clock):
    clock.shift(datetime.timedelta(seconds=80))
    return calls.call_finish(actor=agent, call=live_call, outcome="on_the_spot")


@pytest.fixture
def second_supervisor(community_a):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    return make_user("supervisor2", Role.SUPERVISOR, community_a)


def first_items(n=2):
    form = reviews.review_form_default()
    return list(form.items.all())[:n]


@pytest.fixture
def review(supervisor, agent, ended_call):
    polite, warm = first_items()
    return reviews.review_create(
        actor=supervisor,
        agent=agent,
        call=ended_call,
        marks={polite.pk: (5, "未说“您好”"), warm.pk: (0, "")},
        note="整体良好",
    )


def test_the_score_is_the_share_of_points_kept(review):
    assert (review.points_possible, review.points_deducted) == (100, 5)
    assert review.score == Decimal("95.0")
    assert review.state == ReviewState.PUBLISHED
    assert review.marks.get(deducted=5).note == "未说“您好”"


@pytest.mark.parametrize("marks", [{"999999": (1, "")}, "x", {"ITEM": (1, "")}])
def test_bad_marks_are_refused(supervisor, agent, ended_call, nothing_changes, marks):
    with nothing_changes(), pytest.raises(ValidationFailed):
        reviews.review_create(actor=supervisor, agent=agent, call=ended_call, marks=marks)


@pytest.mark.parametrize("points", [-1, 16, "a", True])
def test_a_deduction_stays_within_the_items_points(
    supervisor, agent, ended_call, nothing_changes, points
):
    polite = first_items(1)[0]
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        reviews.review_create(
            actor=supervisor, agent=agent, call=ended_call, marks={polite.pk: (points, "")}
        )
    assert error.value.field == f"item{polite.pk}"


@pytest.mark.parametrize("role", ["agent", "technician", "other_agent"])
def test_only_supervisors_review(personas, agent, ended_call, nothing_changes, role):
    with nothing_changes(), pytest.raises(PermissionDenied):
        reviews.review_create(actor=personas[role], agent=agent, call=ended_call, marks={})


def test_the_agent_acknowledges(review, agent):
    review = reviews.review_acknowledge(actor=agent, review=review)
    assert review.state == ReviewState.ACKNOWLEDGED


def test_the_agent_appeals_once_and_another_supervisor_decides(
    review, agent, supervisor, second_supervisor, nothing_changes
):
    review = reviews.review_appeal(actor=agent, review=review, reason="当时业主要求直接转接")
    with nothing_changes(), pytest.raises(Conflict):
        reviews.review_appeal(actor=agent, review=review, reason="再申诉")
    with nothing_changes(), pytest.raises(PermissionDenied):
        reviews.review_decide(actor=supervisor, review=review, granted=True, note="我同意")
    review = reviews.review_decide(
        actor=second_supervisor, review=review, granted=True, note="录音证实业主要求转接"
    )
    assert (review.state, review.decided_by) == (ReviewState.OVERTURNED, second_supervisor)


def test_nobody_else_answers_an_agents_review(review, personas, community_a, nothing_changes):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    colleague = make_user("colleague", Role.AGENT, community_a)
    with nothing_changes(), pytest.raises(PermissionDenied):
        reviews.review_acknowledge(actor=colleague, review=review)


def test_a_correction_is_a_new_version(review, supervisor, agent):
    polite = first_items(1)[0]
    corrected = reviews.review_create(
        actor=supervisor, agent=agent, supersedes=review, marks={polite.pk: (2, "复核后调整")}
    )
    review.refresh_from_db()
    assert (corrected.version, corrected.score, corrected.call_id) == (
        2,
        Decimal("98.0"),
        review.call_id,
    )
    assert review.state == ReviewState.SUPERSEDED
    assert review.marks.get(item=polite).deducted == 5  # the old marks never change


def test_the_monthly_sample_is_stable_and_skips_reviewed_calls(ended_call, review, community_a):
    assert reviews.review_sample(community_id=community_a.id, year=2026, month=7) == []


def test_the_sample_picks_per_agent(ended_call, community_a):
    first = reviews.review_sample(community_id=community_a.id, year=2026, month=7, per_agent=1)
    again = reviews.review_sample(community_id=community_a.id, year=2026, month=7, per_agent=1)
    assert first == again == [ended_call]


# --- endpoints and pages ------------------------------------------------------------------------

SUPERVISION = {"supervisor", "admin"}


def outcomes(ok, allowed, *, other_agent=404, owner=403):
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"other_agent": other_agent, "anonymous": 401, "owner": owner})
    return expected


@pytest.fixture
def world(review, ended_call, agent):
    return SimpleNamespace(review=review, call=ended_call, agent=agent)


ENDPOINTS = {
    "list": (
        "get",
        lambda w: "/api/quality/reviews",
        None,
        outcomes(200, {"agent", "supervisor", "admin"}, other_agent=200),
    ),
    "detail": (
        "get",
        lambda w: f"/api/quality/reviews/{w.review.id}",
        None,
        outcomes(200, {"agent", "supervisor", "admin"}),
    ),
    "create": (
        "post",
        lambda w: "/api/quality/reviews",
        lambda w: {"agent": w.agent.id, "call": w.call.id, "marks": {}},
        outcomes(201, SUPERVISION, other_agent=403),
    ),
    "acknowledge": (
        "post",
        lambda w: f"/api/quality/reviews/{w.review.id}/acknowledge",
        lambda w: {},
        # only the agent reviewed may; a supervisor or admin is told so
        {**outcomes(200, {"agent"}), "supervisor": 403, "admin": 403},
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


def test_an_agent_sees_only_their_own_reviews(api, world, community_a):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    colleague = make_user("colleague", Role.AGENT, community_a)
    client = Client()
    client.force_login(colleague)
    assert client.get(f"/api/quality/reviews/{world.review.id}").status_code == 404
    assert client.get("/api/quality/reviews").json()["count"] == 0


def test_the_appeal_and_decision_over_the_api(api, world, second_supervisor):
    assert (
        api.post(
            "agent", f"/api/quality/reviews/{world.review.id}/appeal", {"reason": "业主要求转接"}
        ).status_code
        == 200
    )
    client = Client()
    client.force_login(second_supervisor)
    response = client.post(
        f"/api/quality/reviews/{world.review.id}/decide",
        {"granted": False, "note": "录音显示未问候"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "upheld"


def test_bad_review_input_over_the_api_is_named(api, world):
    before = quality_snapshot()
    polite = first_items(1)[0]
    response = api.post(
        "supervisor",
        "/api/quality/reviews",
        {"agent": world.agent.id, "call": world.call.id, "marks": {str(polite.pk): [99, ""]}},
    )
    assert response.status_code in (400, 422)
    assert quality_snapshot() == before


PAGE_ROLES = ["agent", "supervisor", "technician", "admin", "other_agent"]


@pytest.mark.parametrize("role", PAGE_ROLES)
def test_pages_for_role(personas, world, role):
    client = Client()
    client.force_login(personas[role])
    listing = client.get(reverse("quality_reviews")).status_code
    detail = client.get(reverse("quality_review_detail", args=[world.review.id])).status_code
    new = client.get(reverse("quality_review_new") + f"?call={world.call.id}").status_code
    expected = {
        "agent": (200, 200, 403),
        "supervisor": (200, 200, 200),
        "technician": (403, 403, 403),
        "admin": (200, 200, 200),
        "other_agent": (200, 404, 403),
    }[role]
    assert (listing, detail, new) == expected


def test_the_review_page_flow(personas, ended_call, agent, second_supervisor):
    supervisor = Client()
    supervisor.force_login(personas["supervisor"])
    polite = first_items(1)[0]
    response = supervisor.post(
        reverse("quality_review_new") + f"?call={ended_call.id}",
        {"agent": agent.id, f"item{polite.pk}": "10", f"note{polite.pk}": "未使用礼貌用语"},
    )
    review = Review.objects.get()
    assert response.url == reverse("quality_review_detail", args=[review.id])
    assert review.score == Decimal("90.0")
    me = Client()
    me.force_login(agent)
    me.post(
        reverse("quality_review_answer", args=[review.id]),
        {"action": "appeal", "reason": "业主先挂断"},
    )
    other = Client()
    other.force_login(second_supervisor)
    other.post(
        reverse("quality_review_decide", args=[review.id]), {"granted": "no", "note": "维持"}
    )
    review.refresh_from_db()
    assert review.state == ReviewState.UPHELD


def test_a_too_large_deduction_on_the_page_is_named(personas, ended_call, agent):
    client = Client()
    client.force_login(personas["supervisor"])
    polite = first_items(1)[0]
    before = quality_snapshot()
    response = client.post(
        reverse("quality_review_new") + f"?call={ended_call.id}",
        {"agent": agent.id, f"item{polite.pk}": "99"},
    )
    assert response.status_code == 400
    assert f'data-field-error="item{polite.pk}"' in response.content.decode()
    assert quality_snapshot() == before
