"""The activities API × every role: staff list and read the activities of their communities and
check people in; an owner account lists the activities open to its houses and signs up or cancels
for its own houses only. Another owner's house or another community's records are 404 naming the
field; refused calls write nothing."""

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.community.models import ActivitySignup
from propdesk.community.services import activities as service
from propdesk.community.tests.conftest import at, community_snapshot

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
MANAGERS = {"agent", "supervisor", "admin"}


def outcomes(ok: int, allowed: set, *, owner: int = 403, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": owner, "other_agent": other_agent, "anonymous": 401})
    return expected


@pytest.fixture
def fair(agent, admin, building_3, owner_a, neighbours, house_b, clock):
    """A festival for building 3 of A (5 places) with 王五's house confirmed; an activity of B."""
    from types import SimpleNamespace

    festival = service.activity_create(
        actor=agent,
        community=building_3.community,
        kind="festival",
        title="中秋游园会",
        place="中心广场",
        starts_at=at("2026-07-15 18:00"),
        ends_at=at("2026-07-15 21:00"),
        capacity=5,
        max_party=3,
        signup_closes_at=at("2026-07-14 18:00"),
        building_ids=[building_3.id],
    )
    wang = service.signup_create(
        actor=neighbours["wang_wu"], activity=festival, house=neighbours["h102"], people=2
    )
    other = service.activity_create(
        actor=admin,
        community=house_b.community,
        kind="forum",
        title="业主座谈会",
        place="会议室",
        starts_at=at("2026-07-16 10:00"),
        ends_at=at("2026-07-16 11:00"),
        capacity=20,
    )
    return SimpleNamespace(
        festival=festival, wang=wang, other=other, house=owner_a.owner_profile.ownerships.first()
    )


def a(w) -> int:
    return w.festival.id


ENDPOINTS = {
    "list": (
        "get",
        lambda w: "/api/community/activities",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "detail": ("get", lambda w: f"/api/community/activities/{a(w)}", None, outcomes(200, VIEWERS)),
    "my_list": (
        "get",
        lambda w: "/api/community/my/activities",
        None,
        {**{r: 200 for r in ROLES}, "anonymous": 401},
    ),
    "my_detail": (
        "get",
        lambda w: f"/api/community/my/activities/{a(w)}",
        None,
        {**{r: 404 for r in ROLES}, "owner": 200, "anonymous": 401},
    ),
    "signup": (
        "post",
        lambda w: f"/api/community/my/activities/{a(w)}/signups",
        lambda w: {"house": w.house.house_id, "people": 2},
        {**{r: 403 for r in ROLES}, "owner": 201, "anonymous": 401},
    ),
    "cancel": (
        "post",
        lambda w: f"/api/community/signups/{w.wang.id}/cancel",
        lambda w: {},
        outcomes(200, MANAGERS, owner=404),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, fair, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = community_snapshot()
    if method == "get":
        response = api.get(role, path(fair))
    else:
        response = api.post(role, path(fair), body(fair))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        payload = response.json()
        assert payload["code"] and payload["message"]
        assert community_snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_check_in_for_role(api, fair, clock, role):
    clock.move_to(at("2026-07-15 18:10"))
    expected = outcomes(200, MANAGERS)[role]
    before = community_snapshot()
    response = api.post(role, f"/api/community/signups/{fair.wang.id}/check-in")
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["checked_in_at"]
    else:
        assert community_snapshot() == before


def test_the_owner_signs_up_and_sees_it_and_the_staff_list_shows_the_places(api, fair):
    body = {"house": fair.house.house_id, "people": 3}
    response = api.post("owner", f"/api/community/my/activities/{a(fair)}/signups", body)
    assert response.status_code == 201
    signup = response.json()
    # 王五's 2 and these 3 fill the 5 places.
    assert (signup["house"], signup["people"], signup["status"]) == ("3-2-1502", 3, "confirmed")
    mine = api.get("owner", f"/api/community/my/activities/{a(fair)}").json()
    assert [s["id"] for s in mine["signups"]] == [signup["id"]]
    assert (mine["places_left"], mine["signup_open"]) == (0, True)
    detail = api.get("agent", f"/api/community/activities/{a(fair)}").json()
    assert [s["house"] for s in detail["confirmed"]] == ["3-1-102", "3-2-1502"]
    rows = api.get("other_agent", "/api/community/activities").json()["items"]
    assert [r["title"] for r in rows] == ["业主座谈会"]


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        (lambda w, n: {"house": n["h101"].id, "people": 1}, "house", 404),  # another owner's
        (lambda w, n: {"house": n["h401"].id, "people": 1}, "house", 404),
        (lambda w, n: {"house": 999999, "people": 1}, "house", 404),
        (lambda w, n: {"house": w.house.house_id, "people": 0}, "people", 422),
        (lambda w, n: {"house": w.house.house_id, "people": 4}, "people", 400),
        (lambda w, n: {"house": w.house.house_id, "people": "two"}, "people", 422),
        (lambda w, n: {"house": "1; drop table", "people": 1}, "house", 422),
        (lambda w, n: {"people": 1}, "house", 422),
    ],
)
def test_a_bad_sign_up_names_the_field_and_writes_nothing(
    api, fair, neighbours, body, field, status
):
    before = community_snapshot()
    response = api.post(
        "owner", f"/api/community/my/activities/{a(fair)}/signups", body(fair, neighbours)
    )
    assert response.status_code == status, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


def test_an_owner_cannot_reach_another_communitys_activity(api, fair):
    before = community_snapshot()
    response = api.post(
        "owner",
        f"/api/community/my/activities/{fair.other.id}/signups",
        {"house": fair.house.house_id, "people": 1},
    )
    assert response.status_code == 404
    assert community_snapshot() == before


def test_a_replayed_sign_up_is_refused_once_taken(api, fair):
    path = f"/api/community/my/activities/{a(fair)}/signups"
    body = {"house": fair.house.house_id, "people": 1}
    assert api.post("owner", path, body).status_code == 201
    before = community_snapshot()
    again = api.post("owner", path, body)
    assert (again.status_code, again.json()["code"]) == (409, "already_signed_up")
    assert community_snapshot() == before
    assert ActivitySignup.objects.filter(house_id=fair.house.house_id).count() == 1


def test_the_owner_cancels_their_own_sign_up_before_the_deadline(api, fair, clock):
    path = f"/api/community/my/activities/{a(fair)}/signups"
    signup = api.post("owner", path, {"house": fair.house.house_id, "people": 1}).json()
    response = api.post("owner", f"/api/community/signups/{signup['id']}/cancel")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    clock.move_to(at("2026-07-14 18:00"))
    again = api.post("owner", path, {"house": fair.house.house_id, "people": 1})
    assert (again.status_code, again.json()["code"]) == (409, "signup_closed")


def test_check_in_before_the_day_is_refused(api, fair):
    before = community_snapshot()
    response = api.post("agent", f"/api/community/signups/{fair.wang.id}/check-in")
    assert (response.status_code, response.json()["code"]) == (409, "not_started")
    assert community_snapshot() == before
