"""Severe-weather warnings: scheduled to chosen communities through the `weather.warning`
template and quiet hours; special-care residents get a phone call from staff and their SMS
first; sent once however many workers try; the API per role, with another community's ids and
bad input writing nothing."""

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.community.models import CareCall, WeatherWarning
from propdesk.community.services import care
from propdesk.community.services import warnings as service
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage

SENDERS = {"supervisor", "admin"}


@pytest.fixture
def grandma(admin, neighbours):
    """王奶奶, on the care list of 1-101 in building 3, with her own mobile."""
    return care.care_resident_add(
        actor=admin,
        house=neighbours["h101"],
        name="王奶奶",
        mobile="13600000001",
        category="elderly_alone",
    )


def sent_order():
    return list(
        OutboxMessage.objects.filter(event="weather.warning")
        .order_by("id")
        .values_list("channel", "recipient")
    )


def test_a_warning_calls_care_residents_first_and_reaches_everyone(
    supervisor, building_3, grandma, owner_a, clock
):
    community = building_3.community
    [warning] = service.weather_warning_schedule(
        actor=supervisor,
        communities=[community],
        title="暴雨红色预警",
        text="请关好门窗，收好阳台物品。",
        send_at=at("2026-07-10 17:00"),
    )
    call = CareCall.objects.get()
    assert (call.resident, call.source, call.due_at) == (
        grandma,
        f"warning:{warning.id}",
        at("2026-07-10 17:00"),
    )
    assert service.weather_warnings_send_due() == 0  # not yet
    clock.move_to(at("2026-07-10 17:00"))
    assert service.weather_warnings_send_due() == 1
    order = sent_order()
    assert order[0] == ("sms", "13600000001")  # the care resident's message is queued first
    assert set(order) == {
        ("sms", "13600000001"),
        ("in_app", "owner"),
        ("sms", "13812345678"),
        ("sms", "13700000001"),
        ("in_app", "wangwu"),
        ("sms", "13700000002"),
        ("sms", "13700000003"),
        ("sms", "13700000004"),
    }
    assert len(order) == len(set(order))
    body = OutboxMessage.objects.filter(event="weather.warning").first().body
    assert body == f"【{community.name}】暴雨红色预警：请关好门窗，收好阳台物品。"
    warning.refresh_from_db()
    assert (warning.status, warning.care_told, warning.care_calls) == ("sent", 1, 1)
    assert service.weather_warnings_send_due() == 0
    assert service.weather_warning_send(warning.id) is False


def test_a_warning_at_night_waits_for_quiet_hours_to_end_for_account_owners(
    supervisor, building_3, grandma, owner_a, clock
):
    clock.move_to(at("2026-07-10 23:30"))
    service.weather_warning_schedule(
        actor=supervisor, communities=[building_3.community], title="台风蓝色预警", text="注意"
    )
    service.weather_warnings_send_due()
    sms = OutboxMessage.objects.get(event="weather.warning", recipient="13812345678")
    assert sms.next_attempt_at == at("2026-07-11 08:00")


def test_chosen_communities_only(supervisor, admin, building_3, house_b, owner_a, clock):
    warnings = service.weather_warning_schedule(
        actor=admin,
        communities=[building_3.community, house_b.community],
        title="大风预警",
        text="注意",
    )
    assert sorted(w.community_id for w in warnings) == sorted(
        [building_3.community_id, house_b.community_id]
    )
    with pytest.raises(PermissionDenied):
        service.weather_warning_schedule(
            actor=supervisor, communities=[house_b.community], title="x", text="y"
        )


def test_bad_warnings_name_the_field_and_write_nothing(supervisor, building_3, nothing_changes):
    cases = [
        ({"communities": []}, "communities"),
        ({"title": ""}, "title"),
        ({"text": "x" * 301}, "text"),
        ({"send_at": at("2026-07-20 09:00")}, "send_at"),
        ({"send_at": at("2026-07-09 09:00")}, "send_at"),
        ({"title": "a\x00b"}, "title"),
    ]
    for changes, field in cases:
        kwargs = {
            "communities": [building_3.community],
            "title": "暴雨预警",
            "text": "注意",
            **changes,
        }
        with nothing_changes(), pytest.raises(ValidationFailed) as refused:
            service.weather_warning_schedule(actor=supervisor, **kwargs)
        assert refused.value.field == field


def test_a_sent_warning_cannot_be_cancelled(supervisor, building_3, clock, nothing_changes):
    [warning] = service.weather_warning_schedule(
        actor=supervisor, communities=[building_3.community], title="暴雨", text="注意"
    )
    service.weather_warnings_send_due()
    with nothing_changes(), pytest.raises(Conflict) as refused:
        service.weather_warning_cancel(actor=supervisor, warning=warning)
    assert refused.value.code == "already_sent"


def test_a_cancelled_warning_is_never_sent(supervisor, building_3, owner_a, clock):
    [warning] = service.weather_warning_schedule(
        actor=supervisor,
        communities=[building_3.community],
        title="暴雨",
        text="注意",
        send_at=at("2026-07-10 16:00"),
    )
    service.weather_warning_cancel(actor=supervisor, warning=warning)
    clock.move_to(at("2026-07-10 16:30"))
    assert service.weather_warnings_send_due() == 0
    assert sent_order() == []


def outcome(role, ok, allowed):
    if role == "anonymous":
        return 401
    if role == "other_agent":  # an agent of B: refused by role when agents may not, else not found
        return 404 if "agent" in allowed else 403
    return ok if role in allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_scheduling_for_role(api, building_3, owner_a, role):
    before = community_snapshot()
    response = api.post(
        role,
        "/api/community/warnings",
        {"communities": [building_3.community_id], "title": "暴雨预警", "text": "注意安全"},
    )
    expected = outcome(role, 201, SENDERS)
    assert response.status_code == expected, response.content
    if expected == 201:
        assert [(w["title"], w["status"]) for w in response.json()] == [("暴雨预警", "scheduled")]
    else:
        assert community_snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_the_list_and_cancel_for_role(api, supervisor, building_3, role):
    [warning] = service.weather_warning_schedule(
        actor=supervisor,
        communities=[building_3.community],
        title="暴雨",
        text="注意",
        send_at=at("2026-07-10 18:00"),
    )
    listed = api.get(role, "/api/community/warnings")
    viewers = {"agent", "supervisor", "technician", "guard", "admin"}
    expected = 200 if role in viewers | {"other_agent"} else (401 if role == "anonymous" else 403)
    assert listed.status_code == expected
    if role == "other_agent":
        assert listed.json()["items"] == []
    before = community_snapshot()
    response = api.post(role, f"/api/community/warnings/{warning.id}/cancel")
    expected = outcome(role, 200, SENDERS)
    assert response.status_code == expected, response.content
    if expected != 200:
        assert community_snapshot() == before
    else:
        assert WeatherWarning.objects.get().status == "cancelled"


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"communities": [999999], "title": "x", "text": "y"}, "communities", 404),
        ({"communities": [], "title": "x", "text": "y"}, "communities", 422),
        ({"communities": ["a"], "title": "x", "text": "y"}, "communities.0", 422),
        ({"title": "x", "text": "y"}, "communities", 422),
        ({"communities": "COMMUNITY", "title": "", "text": "y"}, "title", 422),
        ({"communities": "COMMUNITY", "title": "x" * 61, "text": "y"}, "title", 422),
        (
            {"communities": "COMMUNITY", "title": "x", "text": "y", "send_at": "soon"},
            "send_at",
            422,
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, building_3, house_b, body, field, status):
    if body.get("communities") == "COMMUNITY":
        body = {**body, "communities": [building_3.community_id]}
    before = community_snapshot()
    response = api.post("supervisor", "/api/community/warnings", body)
    assert response.status_code == status, response.content
    payload = response.json()
    fields = {payload.get("field"), *(e["field"] for e in payload.get("errors", []))}
    assert field in fields, payload
    assert community_snapshot() == before


def test_another_communitys_id_is_not_found(api, building_3, house_b):
    before = community_snapshot()
    response = api.post(
        "supervisor",
        "/api/community/warnings",
        {"communities": [building_3.community_id, house_b.community_id], "title": "x", "text": "y"},
    )
    assert (response.status_code, response.json()["field"]) == (404, "communities")
    assert community_snapshot() == before


def test_a_supervisor_of_another_community_cannot_cancel(
    supervisor, other_supervisor, building_3, nothing_changes
):
    from propdesk.api.tests.helpers import ApiCaller

    [warning] = service.weather_warning_schedule(
        actor=supervisor, communities=[building_3.community], title="暴雨", text="注意"
    )
    with nothing_changes():
        response = ApiCaller({"other_supervisor": other_supervisor}).post(
            "other_supervisor", f"/api/community/warnings/{warning.id}/cancel"
        )
    assert response.status_code == 404


def test_cancelling_a_warning_closes_its_care_calls(supervisor, building_3, grandma, clock):
    [warning] = service.weather_warning_schedule(
        actor=supervisor,
        communities=[building_3.community],
        title="暴雨",
        text="注意",
        send_at=at("2026-07-10 18:00"),
    )
    call = CareCall.objects.get(resident=grandma)
    assert call.done_at is None
    service.weather_warning_cancel(actor=supervisor, warning=warning)
    call.refresh_from_db()
    assert call.done_at is not None and call.outcome
