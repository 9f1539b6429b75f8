"""Temporary parking API × every role, another community's stays, bad bodies and retries.

Refused calls answer an error body naming the field and write nothing."""

import pytest
import time_machine

from propdesk.api.tests.helpers import ROLES, ApiCaller
from propdesk.billing.models import Payment, Receipt
from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.core.models import AuditEvent
from propdesk.operations.models import ParkingStay
from propdesk.operations.services import parking
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db

CHARGERS = {"supervisor", "cashier", "guard", "admin"}
NOW = "2026-07-08 12:30"


def outcomes(ok: int, *, other_agent: int = 403) -> dict:
    expected = {role: (ok if role in CHARGERS else 403) for role in ROLES}
    expected.update({"owner": 403, "other_agent": other_agent, "anonymous": 401})
    return expected


def snapshot() -> tuple:
    return (
        list(ParkingStay.objects.values_list("id", "status", "fee_fen", "payment_id", "left_at")),
        Payment.objects.count(),
        Receipt.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.fixture
def stays(personas, community_a, community_b):
    billing_defaults_ensure(community=community_a)
    billing_defaults_ensure(community=community_b)
    guard = personas["guard"]
    with time_machine.travel(at("2026-07-08 09:00"), tick=False):
        due = parking.stay_enter(actor=guard, community=community_a, plate="粤B12345")
        parked = parking.stay_enter(actor=guard, community=community_a, plate="粤B54321")
        foreign = parking.stay_enter(
            actor=personas["admin"], community=community_b, plate="粤B12345"
        )
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        due = parking.stay_leave(actor=guard, stay=due)
    return due, parked, foreign


ENDPOINTS = {
    "list": ("get", lambda d, p, f: "/api/operations/parking/stays", None, outcomes(200)),
    "detail": ("get", lambda d, p, f: f"/api/operations/parking/stays/{d.id}", None, outcomes(200)),
    "enter": (
        "post",
        lambda d, p, f: "/api/operations/parking/stays",
        lambda d, p, f: {"community": d.community_id, "plate": "粤A88888"},
        outcomes(201),
    ),
    "leave": (
        "post",
        lambda d, p, f: f"/api/operations/parking/stays/{p.id}/leave",
        lambda d, p, f: {},
        outcomes(200),
    ),
    "pay": (
        "post",
        lambda d, p, f: f"/api/operations/parking/stays/{d.id}/payment",
        lambda d, p, f: {"method": "cash", "idempotency_key": "api-key-0001"},
        outcomes(200),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, stays, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        if method == "get":
            response = api.get(role, path(*stays))
        else:
            response = api.post(role, path(*stays), body(*stays))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        assert response.json()["code"] and response.json()["message"]
        assert snapshot() == before


def test_the_guard_sees_the_plate_and_the_cashier_a_masked_one(api, stays):
    due, *_ = stays
    path = f"/api/operations/parking/stays/{due.id}"
    assert api.get("guard", path).json()["plate_shown"] == "粤B12345"
    body = api.get("cashier", path).json()
    assert body["plate_shown"] != "粤B12345" and body["fee"] == "5.00" and body["status"] == "due"


def test_a_payment_is_taken_once_with_its_receipt(api, stays):
    due, *_ = stays
    path = f"/api/operations/parking/stays/{due.id}/payment"
    body = {"method": "wechat", "idempotency_key": "api-key-0001"}
    with time_machine.travel(at(NOW), tick=False):
        first = api.post("cashier", path, body).json()
        again = api.post("cashier", path, body).json()
        other = api.post("cashier", path, {**body, "idempotency_key": "api-key-0002"})
    assert first == again
    assert (first["status"], first["receipt_number"]) == ("paid", "2026-000001")
    assert (other.status_code, other.json()["code"]) == (409, "stay_not_due")
    assert Payment.objects.count() == 1


def test_another_communitys_stay_is_a_404_and_the_list_keeps_to_the_callers(api, stays):
    due, parked, foreign = stays
    before = snapshot()
    for path, body in [
        (f"/api/operations/parking/stays/{foreign.id}/leave", {}),
        (
            f"/api/operations/parking/stays/{foreign.id}/payment",
            {"method": "cash", "idempotency_key": "api-key-0001"},
        ),
    ]:
        assert api.post("guard", path, body).status_code == 404
    assert api.get("guard", f"/api/operations/parking/stays/{foreign.id}").status_code == 404
    response = api.post(
        "guard",
        "/api/operations/parking/stays",
        {"community": foreign.community_id, "plate": "粤A88888"},
    )
    assert (response.status_code, response.json()["field"]) == (404, "community")
    ids = {i["id"] for i in api.get("guard", "/api/operations/parking/stays").json()["items"]}
    assert ids == {due.id, parked.id}
    assert snapshot() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"plate": ""}, "plate"),
        ({"plate": "ABC"}, "plate"),
        ({"plate": "粤B1234\u0000"}, "plate"),
        ({"plate": "<b>粤B12345</b>"}, "plate"),
        ({"plate": "粤" * 21}, "plate"),
        ({"community": "abc"}, "community"),
        ({"community": 0}, "community"),
        ({"entered_at": "2026-07-09T12:00:00+08:00"}, "entered_at"),
        ({"entered_at": "0001-01-01T00:00:00"}, "entered_at"),
        ({"entered_at": "noon"}, "entered_at"),
        ({"plate": "粤B54321"}, "plate"),  # parked already
    ],
)
def test_bad_stays_name_the_field_and_write_nothing(api, stays, change, field):
    due, *_ = stays
    body = {"community": due.community_id, "plate": "粤A88888", **change}
    before = snapshot()
    with time_machine.travel(at(NOW), tick=False):
        response = api.post("guard", "/api/operations/parking/stays", body)
    assert response.status_code in (400, 404, 409, 422), response.content
    assert response.json()["field"] == field
    assert snapshot() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"method": "cheque", "idempotency_key": "api-key-0001"}, "method"),
        ({"method": "cash", "idempotency_key": "short"}, "idempotency_key"),
        ({"method": "cash", "idempotency_key": "bad key with spaces"}, "idempotency_key"),
        ({"method": "cash"}, "idempotency_key"),
        (
            {"method": "cash", "idempotency_key": "api-key-0001", "payer_name": "x" * 61},
            "payer_name",
        ),
    ],
)
def test_bad_payments_name_the_field_and_write_nothing(api, stays, body, field):
    due, *_ = stays
    before = snapshot()
    response = api.post("guard", f"/api/operations/parking/stays/{due.id}/payment", body)
    assert response.status_code in (400, 409, 422), response.content
    assert response.json()["field"] == field
    assert snapshot() == before
