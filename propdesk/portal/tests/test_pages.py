"""Every portal page renders for its user; forms show errors on the field; owners never reach
console pages and staff never reach the owner's pages."""

import re

import pytest
from django.test import Client

from propdesk.core.models import OutboxMessage
from propdesk.portal.models import FeeGrant, LinkRequest
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.tests.conftest import WANG, ZHANG, photo, portal_client
from propdesk.tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(world):
    from propdesk.portal.services.requests import request_submit

    return request_submit(
        actor=world.zhang,
        house_id=world.house.pk,
        kind="repair",
        category="repair_water",
        description="主卫漏水",
        photos=[photo()],
    )


def test_every_owner_page_renders(world, filed):
    client = portal_client(world.zhang)
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    for url in (
        "/m/",
        "/m/link/",
        "/m/password/",
        f"/m/houses/{world.house.pk}/",
        "/m/requests/",
        "/m/requests/?state=open",
        "/m/requests/new/",
        f"/m/requests/{filed.pk}/",
        f"/m/requests/{filed.pk}/cancel/",
        "/m/bills/",
        f"/m/bills/?house={world.house.pk}",
        f"/m/bills/orders/{order.pk}/",
        f"/m/pay/sandbox/{order.number}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert (
            b'href="/m/notices/"' in response.content and b'href="/m/profile/"' in response.content
        )


def test_the_home_shows_houses_open_requests_and_unpaid_total(world, filed):
    page = portal_client(world.zhang).get("/m/").content.decode()
    assert "3-2-1502" in page and filed.number in page
    assert f"{world.bill.amount:,.2f}" in page


def test_an_unlinked_person_is_asked_to_link(world):
    page = portal_client(world.stranger).get("/m/").content.decode()
    assert 'data-testid="no-houses"' in page
    assert portal_client(world.stranger).get("/m/requests/new/").status_code == 302


def test_anonymous_goes_to_the_portal_sign_in(db):
    response = Client().get("/m/bills/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/?next=")
    assert Client().get("/m/login/").status_code == 200


@pytest.mark.parametrize("role", ["agent", "admin", "cashier"])
def test_staff_are_sent_to_the_portal_sign_in(world, role):
    response = portal_client(world.personas[role]).get("/m/")
    assert response.status_code == 302 and "/m/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/requests/", "/billing/", "/houses/", "/m/staff/link-requests/"])
def test_a_console_page_refuses_an_owner(world, url):
    assert portal_client(world.zhang).get(url).status_code == 403


def test_sign_in_with_a_code_on_the_page(world):
    client = Client()
    sent = client.post("/m/login/", {"mobile": ZHANG, "action": "send"})
    assert sent.status_code == 200 and b'name="code"' in sent.content
    code = re.search(r"\d{6}", OutboxMessage.objects.latest("id").body).group(0)
    response = client.post(
        "/m/login/", {"mobile": ZHANG, "code": code, "action": "verify", "next": "/m/bills/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/m/bills/")
    assert client.get("/m/bills/").status_code == 200


def test_a_wrong_code_shows_on_the_code_field(world):
    client = Client()
    client.post("/m/login/", {"mobile": ZHANG, "action": "send"})
    response = client.post("/m/login/", {"mobile": ZHANG, "code": "12345x", "action": "verify"})
    assert response.status_code == 400
    assert b'data-field-error="code"' in response.content


def test_sign_in_refuses_an_offsite_next(world):
    from propdesk.portal.services.signin import account_for_mobile, password_set

    password_set(actor=account_for_mobile(ZHANG), password="Lou-3-2-1502!", confirm="Lou-3-2-1502!")
    response = Client().post(
        "/m/login/",
        {
            "mobile": ZHANG,
            "password": "Lou-3-2-1502!",
            "action": "password",
            "next": "//evil.example/",
        },
    )
    assert response["Location"] == "/m/"


def test_file_a_request_on_the_page(world):
    client = portal_client(world.zhang)
    response = client.post(
        "/m/requests/new/",
        {
            "house": world.house.pk,
            "kind": "repair",
            "category": "repair_water",
            "description": "厨房漏水",
            "preferred_visit_at": "2026-07-11T14:00",
            "photos": [photo(), photo("b.jpg")],
        },
    )
    created = ServiceRequest.objects.get()
    assert response["Location"] == f"/m/requests/{created.pk}/"
    assert created.photos.count() == 2 and created.preferred_visit_at is not None


def test_the_request_form_shows_errors_on_the_field(world):
    client = portal_client(world.zhang)
    response = client.post(
        "/m/requests/new/",
        {"house": world.house.pk, "kind": "repair", "category": "repair_water", "description": ""},
    )
    assert response.status_code == 400 and b'data-field-error="description"' in response.content
    response = client.post(
        "/m/requests/new/",
        {
            "house": world.house.pk,
            "kind": "repair",
            "category": "repair_water",
            "description": "漏水",
            "photos": [photo("x.jpg", b"<script>alert(1)</script>")],
        },
    )
    assert response.status_code == 400 and b'data-field-error="photos"' in response.content
    assert not ServiceRequest.objects.exists()


def test_the_emergency_hotline_is_on_the_form(world, settings):
    settings.PORTAL_HOTLINE = "0571-8888 1234"
    page = portal_client(world.zhang).get("/m/requests/new/").content.decode()
    assert 'href="tel:0571-8888 1234"' in page and "repair_elevator" in page


def test_cancel_asks_for_confirmation_then_cancels(world, filed):
    client = portal_client(world.zhang)
    assert b"confirm-cancel" in client.get(f"/m/requests/{filed.pk}/cancel/").content
    response = client.post(f"/m/requests/{filed.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400
    client.post(f"/m/requests/{filed.pk}/cancel/", {"reason": "不需要了"})
    filed.refresh_from_db()
    assert filed.status == "cancelled"


def test_note_with_photo_on_the_page(world, filed):
    client = portal_client(world.zhang)
    client.post(f"/m/requests/{filed.pk}/note/", {"text": "下午在家", "photos": [photo()]})
    page = client.get(f"/m/requests/{filed.pk}/").content.decode()
    assert "下午在家" in page and page.count('class="thumb"') == 2


def test_the_owner_shares_fees_with_the_tenant_on_the_house_page(world):
    client = portal_client(world.zhang)
    page = client.get(f"/m/houses/{world.house.pk}/").content.decode()
    assert "王五" in page and "赵六" in page
    client.post(f"/m/houses/{world.house.pk}/grants/", {"mobile": WANG})
    grant = FeeGrant.objects.get()
    assert portal_client(world.wang).get("/m/bills/").status_code == 200
    client.post(f"/m/houses/{world.house.pk}/grants/{grant.pk}/revoke/")
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_a_tenant_does_not_see_the_grant_controls(world):
    page = portal_client(world.wang).get(f"/m/houses/{world.house.pk}/").content.decode()
    assert "grant-row" not in page


def test_pay_in_the_sandbox_and_download_the_receipt(world):
    client = portal_client(world.zhang)
    response = client.post("/m/bills/pay/", {"house": world.house.pk, "bills": [world.bill.pk]})
    sandbox = response["Location"]
    assert sandbox.startswith("/m/pay/sandbox/")
    order_page = client.post(sandbox, {"outcome": "pay"})
    page = client.get(order_page["Location"]).content.decode()
    assert 'data-status="paid"' in page
    receipt_url = re.search(r'href="(/m/bills/receipts/\d+/)"', page).group(1)
    pdf = client.get(receipt_url)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bills_page = client.get("/m/bills/").content.decode()
    assert 'data-testid="paid-bills"' in bills_page and "2026-07" in bills_page
    statement = client.get(
        f"/m/bills/houses/{world.house.pk}/statement/?date_from=2026-01-01&date_to=2026-07-31"
    )
    assert statement.content.startswith(b"%PDF")


def test_an_expired_payment_takes_no_money_and_says_to_start_again(world):
    import datetime

    from propdesk.billing.models import Payment
    from propdesk.portal.models import PaymentOrder

    client = portal_client(world.zhang)
    sandbox = client.post("/m/bills/pay/", {"house": world.house.pk})["Location"]
    order = PaymentOrder.objects.get()
    order_url = f"/m/bills/orders/{order.pk}/"
    assert 'data-testid="order-expires"' in client.get(order_url).content.decode()
    PaymentOrder.objects.filter(pk=order.pk).update(
        expires_at=order.created_at - datetime.timedelta(seconds=1)
    )

    page = client.get(sandbox).content.decode()
    assert 'data-testid="sandbox-expired"' in page and 'data-testid="sandbox-pay"' not in page
    response = client.post(sandbox, {"outcome": "pay"}, follow=True)
    assert not Payment.objects.exists()
    assert PaymentOrder.objects.get().status == "pending"  # the worker marks it expired
    page = response.content.decode()
    assert 'data-status="expired"' in page and f'href="{sandbox}"' not in page
    api = client.get(f"/api/portal/payments/orders/{order.pk}").json()
    assert (api["status"], api["pay_url"]) == ("expired", "")


def test_a_statement_with_the_dates_reversed_is_refused(world):
    response = portal_client(world.zhang).get(
        f"/m/bills/houses/{world.house.pk}/statement/?date_from=2026-07-31&date_to=2026-01-01"
    )
    assert response.status_code == 302


def test_ask_to_be_linked_on_the_page(world):
    client = portal_client(world.stranger)
    response = client.post(
        "/m/link/",
        {
            "community": world.community.pk,
            "house_code": "9-9-999",
            "relation": "family",
            "name": "甲",
        },
    )
    assert response.status_code == 400 and b'data-field-error="house_code"' in response.content
    client.post(
        "/m/link/",
        {
            "community": world.community.pk,
            "house_code": "3-2-1502",
            "relation": "family",
            "name": "甲",
        },
    )
    assert LinkRequest.objects.get().house == world.house


def test_the_desk_verifies_a_link_request_on_the_console(world):
    from propdesk.estates.models import Owner

    Owner.objects.filter(pk=world.zhang_san.pk).update(user=None)
    asked = LinkRequest.objects.create(
        community=world.community,
        house=world.house,
        user=world.stranger,
        relation="owner",
        name="张三",
    )
    client = portal_client(world.personas["agent"])
    listing = client.get("/m/staff/link-requests/?q=张").content.decode()
    assert "张三" in listing and "3-2-1502" in listing
    page = client.get(f"/m/staff/link-requests/{asked.pk}/")
    assert page.status_code == 200 and b"decision-form" in page.content
    response = client.post(f"/m/staff/link-requests/{asked.pk}/", {"decision": "approve"})
    assert response.status_code == 400 and b'data-field-error="owner"' in response.content
    client.post(
        f"/m/staff/link-requests/{asked.pk}/",
        {"decision": "approve", "owner": world.zhang_san.pk},
    )
    asked.refresh_from_db()
    assert asked.status == "approved"


def test_the_console_nav_has_the_link_requests_entry(world):
    page = portal_client(world.personas["agent"]).get("/m/staff/link-requests/").content.decode()
    assert 'href="/m/staff/link-requests/"' in page
    assert (
        portal_client(world.personas["technician"]).get("/m/staff/link-requests/").status_code
        == 403
    )


def test_the_home_and_bills_pages_read_a_bounded_number_of_queries(
    world, filed, django_assert_max_num_queries
):
    client = portal_client(world.zhang)
    client.get("/m/")  # warm the session and the configuration cache
    # 26: one of them asks the community app for incidents under way at the houses.
    with django_assert_max_num_queries(26):
        client.get("/m/")
    with django_assert_max_num_queries(30):
        client.get("/m/bills/")
    with django_assert_max_num_queries(30):
        client.get(f"/m/requests/{filed.pk}/")
