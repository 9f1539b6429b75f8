"""Kinds, categories, routing rules and the working calendar over the API: by role, with another
community's ids and with bad input; every change in the history."""

import json

import pytest

from propdesk.core.calendar_models import CalendarOverride, WorkingHours
from propdesk.core.models import AuditEvent
from propdesk.tickets.models import Category, RequestKind, RoutingRule
from propdesk.tickets.tests.api_helpers import (
    ROLES,
    SUPERVISION,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)


@pytest.fixture
def api(desk):
    return Api(desk)


def rows() -> dict:
    return {
        "rules": RoutingRule.objects.count(),
        "exceptions": CalendarOverride.objects.count(),
        "hours": list(WorkingHours.objects.values_list("community_id", "opens_at", "closes_at")),
        "kinds": list(RequestKind.objects.values_list("code", "name", "is_active")),
        "history": AuditEvent.objects.count(),
    }


def delete(api, role, path):
    return api.client(role).delete(path)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_route_a_category_in_community_a(api, desk, role):
    before = rows()
    response = api.post(
        role,
        "/api/requests/routing",
        {"community": desk.community_a.id, "category": "repair_water", "department": "security"},
    )
    expected = outcomes(201, SUPERVISION, other=403)[role]
    assert_status(response, expected)
    if expected == 201:
        rule = RoutingRule.objects.get(pk=response.json()["id"])
        assert (rule.community, rule.department.code) == (desk.community_a, "security")
        event = AuditEvent.objects.get(object_type="routingrule", object_id=rule.pk)
        assert event.changes["department"] == [None, "security"]
    else:
        assert rows() == before


def test_another_communitys_rule_is_not_found_and_a_supervisor_keeps_off_the_company(api, desk):
    response = api.post(
        "admin",
        "/api/requests/routing",
        {"community": desk.community_b.id, "category": "repair_water", "department": "security"},
    )
    rule_id = response.json()["id"]
    before = rows()
    assert_status(api.patch("supervisor", f"/api/requests/routing/{rule_id}", {}), 404)
    assert_status(delete(api, "supervisor", f"/api/requests/routing/{rule_id}"), 404)
    response = api.post(
        "supervisor",
        "/api/requests/routing",
        {"community": desk.community_b.id, "category": "repair_water", "department": "security"},
    )
    assert_status(response, 404)
    assert response.json()["field"] == "community"
    response = api.post(
        "supervisor",
        "/api/requests/routing",
        {"category": "repair_water", "department": "security"},
    )
    assert_status(response, 403)
    assert rows() == before
    ids = [r["id"] for r in api.get("supervisor", "/api/requests/routing").json()]
    assert rule_id not in ids


def test_a_rule_is_changed_then_removed_with_its_history(api, desk):
    rule_id = api.post(
        "supervisor",
        "/api/requests/routing",
        {"community": desk.community_a.id, "category": "repair_water", "department": "security"},
    ).json()["id"]
    response = api.patch(
        "supervisor",
        f"/api/requests/routing/{rule_id}",
        {"department": "cleaning", "is_lead": False},
    )
    assert_status(response, 200)
    assert response.json()["department"] == "cleaning" and not response.json()["is_lead"]
    assert_status(delete(api, "supervisor", f"/api/requests/routing/{rule_id}"), 204)
    actions = AuditEvent.objects.filter(object_type="routingrule", object_id=rule_id)
    assert sorted(actions.values_list("action", flat=True)) == ["create", "delete", "update"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "nothing", "department": "security"}, "category"),
        ({"category": "repair_water", "department": "nowhere"}, "department"),
        ({"category": "repair_water\u0000", "department": "security"}, "category"),
        ({"category": "<b>x</b>" * 10, "department": "security"}, "category"),
        ({"category": "repair_water", "department": "security", "is_lead": "yes"}, "is_lead"),
        (
            {"category": "repair_water", "department": "security", "community": "1; DROP"},
            "community",
        ),
        ({"category": "repair_water", "department": "security", "community": 999999}, "community"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(api, desk, payload, field):
    before = rows()
    payload = {"community": desk.community_a.id, **payload}
    response = api.post("supervisor", "/api/requests/routing", payload)
    assert_bad_input(response, field, before, rows)


def test_a_replayed_rule_is_a_conflict(api, desk):
    body = {"community": desk.community_a.id, "category": "repair_water", "department": "security"}
    assert_status(api.post("supervisor", "/api/requests/routing", body), 201)
    before = rows()
    response = api.post("supervisor", "/api/requests/routing", body)
    assert_status(response, 409)
    assert response.json()["field"] == "department"
    assert rows() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_add_a_category(api, desk, role):
    before = rows()
    response = api.post(
        role,
        "/api/requests/taxonomy/category",
        {"code": "pest_control", "name": "虫害", "department_code": "cleaning"},
    )
    expected = {**outcomes(201, {"admin"}, other=403), "other_agent": 403}[role]
    assert_status(response, expected)
    if expected == 201:
        assert Category.objects.get(code="pest_control").department_code == "cleaning"
    else:
        assert rows() == before


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/requests/taxonomy/kind", {"code": "Bad Code", "name": "x"}, "code"),
        ("/api/requests/taxonomy/kind", {"code": "ok", "name": ""}, "name"),
        (
            "/api/requests/taxonomy/kind",
            {"code": "ok", "name": "x", "sort_order": 1000},
            "sort_order",
        ),
        ("/api/requests/taxonomy/kind", {"code": "complaint", "name": "x"}, "code"),
        (
            "/api/requests/taxonomy/category",
            {"code": "ok", "name": "x", "department_code": "no"},
            "department_code",
        ),
    ],
)
def test_bad_taxonomy_rows_are_refused(api, desk, path, payload, field):
    before = rows()
    assert_bad_input(api.post("admin", path, payload), field, before, rows)


def test_a_kind_stops_being_offered_with_history(api, desk):
    kind = RequestKind.objects.get(code="praise")
    response = api.patch("admin", f"/api/requests/taxonomy/kind/{kind.id}", {"is_active": False})
    assert_status(response, 200)
    assert response.json()["is_active"] is False
    event = AuditEvent.objects.get(object_type="requestkind", object_id=kind.id)
    assert (event.action, event.changes) == ("deactivate", {"is_active": [True, False]})
    assert_status(
        api.patch("supervisor", f"/api/requests/taxonomy/kind/{kind.id}", {"is_active": True}), 403
    )


def test_working_hours_and_exceptions_over_the_api(api, desk):
    response = api.client("supervisor").put(
        "/api/requests/calendar/hours",
        json.dumps({"community": desk.community_a.id, "opens_at": "09:00", "closes_at": "18:00"}),
        content_type="application/json",
    )
    assert_status(response, 200)
    assert response.json() == {
        "community": desk.community_a.id,
        "opens_at": "09:00",
        "closes_at": "18:00",
    }
    hours = api.get("supervisor", "/api/requests/calendar/hours").json()
    assert {"community": desk.community_a.id, "opens_at": "09:00", "closes_at": "18:00"} in hours
    response = api.post(
        "supervisor",
        "/api/requests/calendar/exceptions",
        {
            "community": desk.community_a.id,
            "date": "2027-02-01",
            "is_working": False,
            "note": "停电",
        },
    )
    assert_status(response, 201)
    exception_id = response.json()["id"]
    assert_status(
        delete(api, "other_agent", f"/api/requests/calendar/exceptions/{exception_id}"), 403
    )
    assert_status(
        delete(api, "supervisor", f"/api/requests/calendar/exceptions/{exception_id}"), 204
    )
    assert sorted(
        AuditEvent.objects.filter(object_type="calendaroverride").values_list("action", flat=True)
    ) == ["create", "delete"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": "0000-01-01", "is_working": False}, "date"),
        (
            {"date": "2027-01-01", "is_working": True, "opens_at": "9am", "closes_at": "12:00"},
            "opens_at",
        ),
        (
            {"date": "2027-01-01", "is_working": True, "opens_at": "12:00", "closes_at": "09:00"},
            "closes_at",
        ),
        ({"date": "2027-01-01", "is_working": False, "note": "x\u0000"}, "note"),
        ({"date": "2027-01-01"}, "is_working"),
    ],
)
def test_bad_exceptions_are_refused(api, desk, payload, field):
    before = rows()
    response = api.post(
        "supervisor",
        "/api/requests/calendar/exceptions",
        {"community": desk.community_a.id, **payload},
    )
    assert_bad_input(response, field, before, rows)
