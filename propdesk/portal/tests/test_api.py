"""The portal API for each role, and its answers to bad input (a clear error naming the field,
no 500, nothing written)."""

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from propdesk.billing.models import Payment
from propdesk.core.models import OutboxMessage
from propdesk.portal.models import LinkRequest, PaymentOrder, SignInCode
from propdesk.portal.payments.sandbox import SandboxProvider
from propdesk.portal.tests.conftest import ZHANG, photo, portal_client
from propdesk.tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db
STAFF = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "other_agent"]


def staff_client(world, role):
    if role == "anonymous":
        return Client()
    return portal_client(world.personas[role])


@pytest.mark.parametrize("role", [*STAFF, "anonymous"])
@pytest.mark.parametrize(
    "url",
    ["/api/portal/me", "/api/portal/requests", "/api/portal/bills", "/api/portal/link-requests"],
)
def test_owner_endpoints_refuse_staff_and_anonymous(world, role, url):
    response = staff_client(world, role).get(url)
    assert response.status_code == (401 if role == "anonymous" else 403)
    if role != "anonymous":
        assert response.json()["code"] == "portal_only"


@pytest.mark.parametrize("role", [*STAFF, "anonymous"])
def test_staff_cannot_file_or_pay_through_the_portal_api(world, role):
    client = staff_client(world, role)
    response = client.post(
        "/api/portal/payments/orders", {"house_id": world.house.pk}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not PaymentOrder.objects.exists()


def test_me_lists_houses_with_masked_mobile(world):
    body = portal_client(world.zhang).get("/api/portal/me").json()
    assert body["mobile_masked"] == "138****5678"
    assert body["houses"] == [
        {
            "id": world.house.pk,
            "community": "甲小区",
            "code": "3-2-1502",
            "relation": "owner",
            "relation_label": body["houses"][0]["relation_label"],
            "sees_fees": True,
        }
    ]


def test_sign_in_by_code_over_the_api(world):
    client = Client()
    response = client.post(
        "/api/portal/auth/code", {"mobile": ZHANG}, content_type="application/json"
    )
    assert response.json() == {"sent": True, "expires_in_seconds": 300}
    code = re.search(r"\d{6}", OutboxMessage.objects.latest("id").body).group(0)
    response = client.post(
        "/api/portal/auth/verify", {"mobile": ZHANG, "code": code}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["houses"][0]["code"] == "3-2-1502"
    assert client.get("/api/portal/me").status_code == 200


def test_the_api_answers_429_when_rate_limited(world):
    client = Client()
    client.post("/api/portal/auth/code", {"mobile": ZHANG}, content_type="application/json")
    response = client.post(
        "/api/portal/auth/code", {"mobile": ZHANG}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (429, "too_soon")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "mobile"),
        ({"mobile": "<script>"}, "mobile"),
        ({"mobile": "1" * 10000}, "mobile"),
        ({"mobile": 13812345678}, "mobile"),
        ({"mobile": "12345"}, "mobile"),
    ],
)
def test_bad_sign_in_input_names_the_field(db, body, field):
    response = Client().post("/api/portal/auth/code", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["field"] == field
    assert not SignInCode.objects.exists()


@pytest.mark.parametrize("code", ["", "abc", "1234567", "' OR 1=1", 123456])
def test_bad_codes_are_refused(world, code):
    response = Client().post(
        "/api/portal/auth/verify", {"mobile": ZHANG, "code": code}, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.json()["field"] == "code"


def test_file_a_request_with_a_photo_over_the_api(world):
    client = portal_client(world.zhang)
    response = client.post(
        "/api/portal/requests",
        {
            "house_id": world.house.pk,
            "kind": "repair",
            "category": "repair_water",
            "description": "厨房下水道堵了",
            "preferred_visit_at": "2026-07-11T14:00",
            "photos": [photo()],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    visit = ServiceRequest.objects.get().preferred_visit_at
    assert timezone.localtime(visit).strftime("%Y-%m-%d %H:%M") == "2026-07-11 14:00"
    assert body["status"] == "new" and len(body["timeline"][0]["photo_ids"]) == 1
    photo_id = body["timeline"][0]["photo_ids"][0]
    image = client.get(f"/api/portal/requests/{body['id']}/photos/{photo_id}")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x" * 10001}, "description"),
        ({"kind": "<script>alert(1)</script>"}, "kind"),
        ({"category": "'; DROP TABLE x; --"}, "category"),
        ({"house_id": "abc"}, "house_id"),
        ({"preferred_visit_at": "yesterday"}, "preferred_visit_at"),
    ],
)
def test_bad_request_input_names_the_field(world, values, field):
    data = {"house_id": world.house.pk, "kind": "repair", "category": "repair_water"}
    data["description"] = "漏水"
    data.update(values)
    response = portal_client(world.zhang).post("/api/portal/requests", data)
    assert response.status_code in (400, 422)
    assert response.json()["field"] == field
    assert not ServiceRequest.objects.exists()


def test_a_request_with_a_file_that_is_no_photo_is_refused(world):
    response = portal_client(world.zhang).post(
        "/api/portal/requests",
        {
            "house_id": world.house.pk,
            "kind": "repair",
            "category": "repair_water",
            "description": "漏水",
            "photos": [photo("evil.jpg", b"MZ\x90\x00 not an image")],
        },
    )
    assert (response.status_code, response.json()["field"]) == (400, "photos")
    assert not ServiceRequest.objects.exists()


def test_pay_over_the_api_and_the_http_callback(world):
    client = portal_client(world.zhang)
    order = client.post(
        "/api/portal/payments/orders", {"house_id": world.house.pk}, content_type="application/json"
    ).json()
    assert order["status"] == "pending" and order["amount_fen"] == world.bill.amount_fen
    headers, body = SandboxProvider().signed_callback(
        order_number=order["number"], amount_fen=order["amount_fen"], transaction_id="SBX-API-1"
    )
    provider = Client()
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    response = provider.post(
        "/api/portal/payments/callback/sandbox", body, content_type="application/json", **extra
    )
    assert (response.status_code, response.content) == (200, b"success")
    again = provider.post(
        "/api/portal/payments/callback/sandbox", body, content_type="application/json", **extra
    )
    assert again.status_code == 200
    tampered = provider.post(
        "/api/portal/payments/callback/sandbox",
        body.replace(b"SBX-API-1", b"SBX-API-2"),
        content_type="application/json",
        **extra,
    )
    assert (tampered.status_code, tampered.json()["code"]) == (400, "bad_signature")
    assert Payment.objects.count() == 1
    paid = client.get(f"/api/portal/payments/orders/{order['id']}").json()
    assert paid["status"] == "paid" and paid["receipt_id"]
    pdf = client.get(f"/api/portal/receipts/{paid['receipt_id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    statement = client.get(
        f"/api/portal/houses/{world.house.pk}/statement.pdf?date_from=2026-01-01&date_to=2026-07-31"
    )
    assert statement.content.startswith(b"%PDF")


def test_bad_order_input(world):
    client = portal_client(world.zhang)
    for body in ({"house_id": "1"}, {"house_id": world.house.pk, "bill_ids": ["x"]}, {}, []):
        response = client.post("/api/portal/payments/orders", body, content_type="application/json")
        assert response.status_code in (400, 422)
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("technician", 403),
        ("cashier", 403),
        ("guard", 403),
        ("other_agent", 404),
    ],
)
def test_link_request_decisions_for_each_role(world, role, expected):
    asked = portal_client(world.stranger).post(
        "/api/portal/link-requests",
        {
            "community_id": world.community.pk,
            "house_code": "3-2-1502",
            "relation": "family",
            "name": "张小三",
        },
        content_type="application/json",
    )
    assert asked.status_code == 201
    client = portal_client(world.personas[role])
    queue = client.get("/api/portal/link-requests/queue")
    assert queue.status_code == (200 if expected != 403 else 403)
    response = client.post(
        f"/api/portal/link-requests/{asked.json()['id']}/decision",
        {"decision": "reject", "note": "材料不全"},
        content_type="application/json",
    )
    assert response.status_code == expected
    status = LinkRequest.objects.get().status
    assert status == ("rejected" if expected == 200 else "pending")


def test_owners_cannot_decide_link_requests(world):
    LinkRequest.objects.create(
        community=world.community,
        house=world.house,
        user=world.stranger,
        relation="family",
        name="甲",
    )
    client = portal_client(world.zhang)
    assert client.get("/api/portal/link-requests/queue").status_code == 403


def test_the_openapi_document_lists_the_portal(world):
    paths = portal_client(world.personas["admin"]).get("/api/openapi.json").json()["paths"]
    assert "/api/portal/payments/callback/{provider}" in paths
    assert "/api/portal/requests/{request_id}/rating" in paths


def _signed_in_password(world):
    from propdesk.portal.services import signin

    signin.password_set(actor=world.zhang, password="Lou-3-2-1502!", confirm="Lou-3-2-1502!")
    return json.dumps({"mobile": ZHANG, "password": "Lou-3-2-1502!"})


def test_a_cross_site_text_plain_sign_in_is_refused(world):
    """Login CSRF: another site's page posts the attacker's credentials as text/plain (no CORS
    preflight) to sign the victim's browser in; nothing signs in."""
    client = Client()
    response = client.post(
        "/api/portal/auth/password", _signed_in_password(world), content_type="text/plain"
    )
    assert (response.status_code, response.json()["code"]) == (403, "sign_in_not_json")
    assert "_auth_user_id" not in client.session
    assert client.get("/api/portal/me").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_a_sign_in_from_another_origin_is_refused(world, headers):
    client = Client()
    for path, body in (
        ("/api/portal/auth/password", _signed_in_password(world)),
        ("/api/portal/auth/code", json.dumps({"mobile": ZHANG})),
    ):
        response = client.post(path, body, content_type="application/json", **headers)
        assert (response.status_code, response.json()["code"]) == (403, "sign_in_cross_site")
    assert "_auth_user_id" not in client.session
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_a_same_site_json_sign_in_works(world):
    client = Client()
    response = client.post(
        "/api/portal/auth/password",
        _signed_in_password(world),
        content_type="application/json",
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 200 and response.json()["id"] == world.zhang.pk
    assert client.get("/api/portal/me").status_code == 200
