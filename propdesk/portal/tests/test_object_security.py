"""Object-level security: an owner never reads or acts on another house's request, bill, receipt,
photo or payment order, by any page URL or API id. Every owner-facing endpoint and page is tried
with the ids of 李四's house in community B while signed in as 张三 (community A); every refusal
is a 404 that reveals nothing, and nothing changes."""

from types import SimpleNamespace

import pytest

from propdesk.billing.models import Payment
from propdesk.portal.models import FeeGrant, PaymentOrder
from propdesk.portal.services.payments import payment_order_create
from propdesk.portal.services.requests import request_submit
from propdesk.portal.tests.conftest import photo, portal_client
from propdesk.tickets.models import RequestEvent, RequestPhoto, ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(world, request_b):
    """张三's own request (with a photo), and B's request, photo, order, payment and receipt."""
    from propdesk.billing.services.payments import payment_take
    from propdesk.conftest import make_user

    order_b = payment_order_create(actor=world.li, house_id=world.house_b.pk)
    paid = payment_take(
        actor=make_user("cashier_b", "cashier", world.community_b),
        house=world.house_b,
        amount=world.bill_b.amount,
        method="cash",
        idempotency_key="portal-security-b-01",
    )
    own = request_submit(
        actor=world.zhang,
        house_id=world.house.pk,
        kind="repair",
        category="repair_water",
        description="地漏反水",
        photos=[photo()],
    )
    grant_b = FeeGrant.objects.create(
        community=world.community_b, house=world.house_b, mobile="13700000009", granted_by=world.li
    )
    return SimpleNamespace(
        house=world.house_b.pk,
        request=request_b.pk,
        photo=RequestPhoto.objects.get(request=request_b).pk,
        own_request=own.pk,
        bill=world.bill_b.pk,
        receipt=paid.receipt.pk,
        payment=paid.payment.pk,
        order=order_b,
        grant=grant_b.pk,
    )


def state() -> dict:
    return {
        "events": RequestEvent.objects.count(),
        "requests": ServiceRequest.objects.count(),
        "statuses": list(ServiceRequest.objects.order_by("id").values_list("status", flat=True)),
        "payments": Payment.objects.count(),
        "orders": list(PaymentOrder.objects.values_list("status", flat=True)),
        "grants": list(FeeGrant.objects.values_list("revoked_at", flat=True)),
    }


def page_gets(f):
    return [
        f"/m/houses/{f.house}/",
        f"/m/requests/{f.request}/",
        f"/m/requests/{f.request}/cancel/",
        f"/m/requests/{f.request}/photos/{f.photo}/",
        f"/m/requests/{f.own_request}/photos/{f.photo}/",
        f"/m/bills/?house={f.house}",
        f"/m/bills/houses/{f.house}/statement/",
        f"/m/bills/receipts/{f.receipt}/",
        f"/m/bills/orders/{f.order.pk}/",
        f"/m/pay/sandbox/{f.order.number}/",
        f"/m/pay/wechat/{f.order.number}/",
        f"/m/pay/wechat/{f.order.number}/qr.svg",
        f"/m/pay/alipay/{f.order.number}/",
        "/m/f/forged-or-altered-link/",
    ]


def page_posts(f):
    return [
        (f"/m/requests/{f.request}/note/", {"text": "x"}),
        (f"/m/requests/{f.request}/cancel/", {"reason": "x"}),
        (f"/m/requests/{f.request}/rate/", {"satisfaction": "1"}),
        (f"/m/requests/{f.request}/solutions/1/", {"agreed": "yes"}),
        (f"/m/houses/{f.house}/grants/", {"mobile": "13700000009"}),
        (f"/m/houses/{f.house}/grants/{f.grant}/revoke/", {}),
        ("/m/bills/pay/", {"house": f.house}),
        ("/m/bills/pay/", {"house": 999999}),
        (f"/m/pay/sandbox/{f.order.number}/", {"outcome": "pay"}),
        (f"/m/pay/wechat/{f.order.number}/", {}),
        (f"/m/pay/alipay/{f.order.number}/", {}),
    ]


def api_gets(f):
    return [
        f"/api/portal/requests/{f.request}",
        f"/api/portal/requests/{f.request}/photos/{f.photo}",
        f"/api/portal/requests/{f.own_request}/photos/{f.photo}",
        f"/api/portal/receipts/{f.receipt}/pdf",
        f"/api/portal/houses/{f.house}/statement.pdf",
        f"/api/portal/payments/orders/{f.order.pk}",
        f"/api/portal/houses/{f.house}/fee-grants",
        f"/api/portal/bills?house_id={f.house}",
    ]


def api_writes(f):
    return [
        ("post", f"/api/portal/requests/{f.request}/notes", {"text": "x"}, False),
        ("post", f"/api/portal/requests/{f.request}/cancel", {"reason": "x"}, True),
        ("post", f"/api/portal/requests/{f.request}/rating", {"satisfaction": 1}, True),
        ("post", "/api/portal/payments/orders", {"house_id": f.house}, True),
        ("post", f"/api/portal/houses/{f.house}/fee-grants", {"mobile": "13700000009"}, True),
        ("delete", f"/api/portal/houses/{f.house}/fee-grants/{f.grant}", None, True),
        (
            "post",
            "/api/portal/requests",
            {"house_id": f.house, "kind": "repair", "category": "repair_water", "description": "x"},
            False,
        ),
    ]


def test_every_page_refuses_another_house_ids(world, foreign):
    client = portal_client(world.zhang)
    before = state()
    for url in page_gets(foreign):
        assert client.get(url).status_code == 404, url
    for url, data in page_posts(foreign):
        assert client.post(url, data).status_code == 404, url
    assert state() == before


def test_every_api_endpoint_refuses_another_house_ids(world, foreign):
    client = portal_client(world.zhang)
    before = state()
    for url in api_gets(foreign):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    for method, url, body, as_json in api_writes(foreign):
        if as_json:
            response = getattr(client, method)(url, body, content_type="application/json")
        else:
            response = client.post(url, body)
        assert response.status_code == 404, url
    assert state() == before


def test_lists_show_only_the_account_houses(world, foreign, request_b):
    client = portal_client(world.zhang)
    numbers = {row["number"] for row in client.get("/api/portal/requests").json()}
    assert request_b.number not in numbers and numbers
    assert request_b.number not in client.get("/m/requests/").content.decode()
    assert request_b.number not in client.get("/m/").content.decode()
    houses = [row["house_id"] for row in client.get("/api/portal/bills").json()]
    assert houses == [world.house.pk]
    assert world.house_b.code not in client.get("/m/bills/").content.decode()


def test_a_tenant_without_the_grant_sees_no_fees_of_the_house(world, foreign):
    from propdesk.billing.services.payments import payment_take

    paid = payment_take(
        actor=world.personas["cashier"],
        house=world.house,
        amount="10.00",
        method="cash",
        idempotency_key="portal-tenant-0001",
    )
    client = portal_client(world.wang)
    assert client.get(f"/m/bills/receipts/{paid.receipt.pk}/").status_code == 404
    assert client.get(f"/api/portal/receipts/{paid.receipt.pk}/pdf").status_code == 404
    assert client.get(f"/m/bills/houses/{world.house.pk}/statement/").status_code == 403
    response = client.post(
        "/api/portal/payments/orders", {"house_id": world.house.pk}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "fees_not_granted")
    assert client.get("/api/portal/bills").json() == []
    # …but sees and files the house's requests.
    assert client.get(f"/m/requests/{foreign.own_request}/").status_code == 200


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "9" * 30, "1 OR 1=1", "<script>"])
def test_hostile_ids_are_404_or_422_never_500(world, foreign, bad):
    client = portal_client(world.zhang)
    for url in (f"/m/bills/?house={bad}", f"/api/portal/bills?house_id={bad}"):
        assert client.get(url).status_code in (404, 422), url
    assert client.get(f"/m/pay/sandbox/{bad}/").status_code == 404


def _covered(route_regex: str, urls: list[str]) -> bool:
    import re

    return any(re.fullmatch(route_regex, url.split("?")[0]) for url in urls)


def test_the_lists_above_cover_every_owner_route_with_an_id(world, foreign):
    """A new page or endpoint that takes an id must be added to the lists above."""
    import re

    from propdesk.api.urls import api
    from propdesk.portal import urls

    tested_pages = page_gets(foreign) + [url for url, _ in page_posts(foreign)]
    checked = 0
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        if "<" not in route or route.startswith("staff/"):
            continue
        regex = "/m/" + re.sub(r"<(int|str):\w+>", r"[^/]+", route)
        assert _covered(regex, tested_pages), route
        checked += 1
    tested_api = api_gets(foreign) + [url for _, url, _, _ in api_writes(foreign)]
    public = {
        "/api/portal/payments/callback/{provider}",
        "/api/portal/link-requests/{link_request_id}/decision",
    }
    # Staff-only endpoints under the portal's prefix: owners are refused outright, and another
    # community's ids are tested with the staff roles in test_refund_page.py.
    staff_only = {"/api/portal/refunds/{refund_id}"}
    for path in api.get_openapi_schema()["paths"]:
        if not path.startswith("/api/portal/") or "{" not in path or path in public | staff_only:
            continue
        regex = re.sub(r"\{\w+\}", r"[^/]+", path)
        assert _covered(regex, tested_api), path
        checked += 1
    assert checked >= 20  # 11 pages and 9 endpoints take an id today
