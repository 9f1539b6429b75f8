"""Owner visits (业主走访) and forum opinions (座谈会): a plan per building, visits moving the next
due date, opinions becoming suggestion requests, counts per month and the overdue list; the API
per role, another community's ids and bad input writing nothing."""

import datetime

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.community import selectors
from propdesk.community.models import OwnerVisitPlan
from propdesk.community.services import activities
from propdesk.community.services import visits as service
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.tickets.models import ServiceRequest

MANAGERS = {"agent", "supervisor", "admin"}
VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}


@pytest.fixture
def forum(agent, building_3):
    return activities.activity_create(
        actor=agent,
        community=building_3.community,
        kind="forum",
        title="业主座谈会",
        place="会议室",
        starts_at=at("2026-07-12 10:00"),
        ends_at=at("2026-07-12 11:00"),
        capacity=30,
        announce=False,
    )


def test_a_visit_with_opinions_becomes_a_suggestion_and_moves_the_plan(
    agent, building_3, house_a, clock
):
    plan = service.visit_plan_set(actor=agent, building=building_3, every_days=60)
    assert plan.next_due_on == datetime.date(2026, 7, 10)
    visit = service.owner_visit_record(
        actor=agent,
        house=house_a,
        visited_on=datetime.date(2026, 7, 9),
        opinions="希望增加儿童游乐设施",
    )
    request = ServiceRequest.objects.get(pk=visit.request_id)
    assert (request.kind.code, request.house_id) == ("suggestion", house_a.id)
    assert "希望增加儿童游乐设施" in request.description
    plan.refresh_from_db()
    assert (plan.last_visit_on, plan.next_due_on) == (
        datetime.date(2026, 7, 9),
        datetime.date(2026, 9, 7),
    )
    quiet = service.owner_visit_record(
        actor=agent, house=house_a, visited_on=datetime.date(2026, 7, 10)
    )
    assert quiet.request_id is None


def test_counts_per_month_and_the_overdue_list(agent, building_3, house_a, neighbours, clock):
    service.visit_plan_set(actor=agent, building=neighbours["building_4"], every_days=30)
    service.owner_visit_record(
        actor=agent, house=house_a, visited_on=datetime.date(2026, 6, 20), opinions="绿化"
    )
    service.owner_visit_record(actor=agent, house=house_a, visited_on=datetime.date(2026, 7, 1))
    service.owner_visit_record(
        actor=agent, house=neighbours["h101"], visited_on=datetime.date(2026, 7, 2), opinions="路灯"
    )
    months = selectors.owner_visits_by_month(agent, community_id=building_3.community_id, year=2026)
    assert months[5] == {"month": "2026-06", "visits": 1, "suggestions": 1}
    assert months[6] == {"month": "2026-07", "visits": 2, "suggestions": 1}
    assert sum(m["visits"] for m in months) == 3
    assert list(selectors.visit_plans_overdue(agent)) == []
    clock.move_to(at("2026-10-05 09:00"))
    overdue = [p.building.number for p in selectors.visit_plans_overdue(agent)]
    assert overdue == ["4", "3"]  # building 4 due since 10 July, building 3 since 30 September


def test_a_forum_opinion_becomes_a_suggestion(agent, forum, house_a):
    opinion = service.forum_opinion_record(
        actor=agent, activity=forum, house=house_a, text="建议公开维修基金使用情况"
    )
    assert opinion.request.kind.code == "suggestion"
    assert "业主座谈会" in opinion.request.description


def test_refusals_name_the_field_and_write_nothing(
    agent, personas, building_3, house_a, house_b, forum, nothing_changes, clock
):
    festival = activities.activity_create(
        actor=agent,
        community=building_3.community,
        kind="festival",
        title="游园会",
        place="广场",
        starts_at=at("2026-07-12 10:00"),
        ends_at=at("2026-07-12 11:00"),
        capacity=30,
        announce=False,
    )
    cases = [
        (
            lambda: service.visit_plan_set(actor=agent, building=building_3, every_days=0),
            "every_days",
        ),
        (
            lambda: service.visit_plan_set(actor=agent, building=building_3, every_days="x"),
            "every_days",
        ),
        (
            lambda: service.owner_visit_record(
                actor=agent, house=house_a, visited_on=datetime.date(2026, 7, 11)
            ),
            "visited_on",
        ),
        (
            lambda: service.owner_visit_record(
                actor=agent, house=house_a, visited_on=datetime.date(2026, 4, 1)
            ),
            "visited_on",
        ),
        (
            lambda: service.owner_visit_record(
                actor=agent, house=house_a, visited_on=datetime.date(2026, 7, 1), opinions="a\x00"
            ),
            "opinions",
        ),
        (
            lambda: service.forum_opinion_record(
                actor=agent, activity=festival, house=house_a, text="x"
            ),
            "activity",
        ),
        (
            lambda: service.forum_opinion_record(
                actor=agent, activity=forum, house=house_a, text=""
            ),
            "text",
        ),
    ]
    for call, field in cases:
        with nothing_changes(), pytest.raises(ValidationFailed) as refused:
            call()
        assert refused.value.field == field
    for role in ("technician", "other_agent", "owner"):
        with nothing_changes(), pytest.raises(PermissionDenied):
            service.owner_visit_record(
                actor=personas[role], house=house_a, visited_on=datetime.date(2026, 7, 1)
            )


def expected_for(role, ok, allowed):
    if role == "anonymous":
        return 401
    if role == "other_agent":
        return 404
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_the_visit_endpoints_for_role(api, building_3, house_a, forum, role):
    before = community_snapshot()
    calls = [
        (
            api.client(role).put(
                f"/api/community/visit-plans/{building_3.id}",
                '{"every_days": 30}',
                content_type="application/json",
            ),
            expected_for(role, 200, MANAGERS),
        ),
        (
            api.post(
                role,
                "/api/community/owner-visits",
                {"house": house_a.id, "visited_on": "2026-07-09", "opinions": "楼道灯不亮"},
            ),
            expected_for(role, 201, MANAGERS),
        ),
        (
            api.post(
                role,
                f"/api/community/activities/{forum.id}/opinions",
                {"house": house_a.id, "text": "建议增加垃圾分类宣传"},
            ),
            expected_for(role, 201, MANAGERS),
        ),
    ]
    for response, expected in calls:
        assert response.status_code == expected, response.content
        if expected >= 400:
            assert response.json()["code"]
    if expected_for(role, 201, MANAGERS) >= 400:
        assert community_snapshot() == before
    months = api.get(
        role,
        "/api/community/owner-visits/months",
        {"community": building_3.community_id, "year": 2026},
    )
    assert months.status_code == expected_for(role, 200, VIEWERS)
    overdue = api.get(role, "/api/community/owner-visits/overdue")
    assert overdue.status_code == (
        200 if role in VIEWERS | {"other_agent"} else (401 if role == "anonymous" else 403)
    )


def test_the_api_records_a_visit_and_counts_it(api, building_3, house_a):
    response = api.post(
        "agent",
        "/api/community/owner-visits",
        {"house": house_a.id, "visited_on": "2026-07-09", "opinions": "楼道灯不亮"},
    )
    assert response.status_code == 201
    assert response.json()["request"]
    months = api.get(
        "agent",
        "/api/community/owner-visits/months",
        {"community": building_3.community_id, "year": 2026},
    ).json()
    assert months[6] == {"month": "2026-07", "visits": 1, "suggestions": 1}
    assert OwnerVisitPlan.objects.get().next_due_on == datetime.date(2026, 10, 7)


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"house": "HOUSE_B", "visited_on": "2026-07-09"}, "house", 404),
        ({"house": 999999, "visited_on": "2026-07-09"}, "house", 404),
        ({"house": "HOUSE_A", "visited_on": "tomorrow"}, "visited_on", 422),
        ({"house": "HOUSE_A"}, "visited_on", 422),
        ({"house": "HOUSE_A", "visited_on": "2026-07-11"}, "visited_on", 400),
        ({"house": "HOUSE_A", "visited_on": "2026-07-09", "opinions": "x" * 2001}, "opinions", 422),
    ],
)
def test_a_bad_visit_names_the_field(api, house_a, house_b, body, field, status):
    body = {
        **body,
        "house": {"HOUSE_A": house_a.id, "HOUSE_B": house_b.id}.get(body["house"], body["house"]),
    }
    before = community_snapshot()
    response = api.post("agent", "/api/community/owner-visits", body)
    assert response.status_code == status, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before
