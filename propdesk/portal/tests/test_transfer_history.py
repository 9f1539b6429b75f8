"""Personal history follows the person after an ownership transfer (PIPL: minimum necessary).

Given 张三 filed two requests for 3-2-1502 (a leak with a photo, still open, and one he
withdrew) and paid July's bill online, when the desk records on 15 August that the house now
belongs to 钱七 and the August bills are made: 张三 keeps reading what he filed and paid, but no
longer acts on the house; 钱七 sees the house's open work without 张三's words or photos, and the
bills from his ownership on, never 张三's receipts or payment orders.
"""

import datetime

import pytest

from propdesk.billing.models import Bill, Payment, Receipt
from propdesk.core.errors import NotFound
from propdesk.portal.services import requests as portal_requests
from propdesk.portal.services.payments import payment_callback_handle, payment_order_create
from propdesk.portal.tests.conftest import SH, photo, portal_client

pytestmark = pytest.mark.django_db
QIAN = "13300000007"
TRANSFER_DAY = datetime.datetime(2026, 8, 15, 9, 0, tzinfo=SH)


@pytest.fixture
def sold(world, clock):
    """The story above, up to the August bills."""
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.estates import services as estates
    from propdesk.portal.payments.sandbox import SandboxProvider
    from propdesk.portal.services.signin import account_for_mobile

    admin = world.personas["admin"]
    leak = portal_requests.request_submit(
        actor=world.zhang,
        house_id=world.house.pk,
        kind="repair",
        category="repair_water",
        description="张三家卫生间漏水，请联系13812345678",
        photos=[photo()],
    )
    withdrawn = portal_requests.request_submit(
        actor=world.zhang,
        house_id=world.house.pk,
        kind="repair",
        category="repair_electric",
        description="客厅灯不亮",
    )
    portal_requests.request_withdraw(
        actor=world.zhang, request_id=withdrawn.pk, reason="自己修好了"
    )
    order = payment_order_create(actor=world.zhang, house_id=world.house.pk)
    headers, body = SandboxProvider().signed_callback(
        order_number=order.number, amount_fen=order.amount_fen, transaction_id="SBX-ZHANG-07"
    )
    order = payment_callback_handle(provider_name="sandbox", headers=headers, body=body)

    clock.move_to(TRANSFER_DAY)
    qian = estates.owner_create(actor=admin, community=world.community, name="钱七", mobile=QIAN)
    estates.ownership_transfer(
        actor=admin,
        house=world.house,
        new_owners=[qian],
        effective_on=TRANSFER_DAY.date(),
        reason="二手房买卖",
    )
    run = billing_run_start(
        actor=admin, period=datetime.date(2026, 8, 1), community=world.community
    )
    billing_run_execute(run.id)
    world.leak, world.withdrawn, world.order = leak, withdrawn, order
    world.payment = Payment.objects.get(house=world.house)
    world.receipt = Receipt.objects.get(payment=world.payment)
    world.august = Bill.objects.get(house=world.house, period=datetime.date(2026, 8, 1))
    world.qian = account_for_mobile(QIAN)
    world.zhang = type(world.zhang).objects.get(pk=world.zhang.pk)  # a new request's account
    return world


# --- the previous owner keeps his own history -------------------------------------------------


def test_the_previous_owner_still_reads_the_requests_he_filed(sold):
    client = portal_client(sold.zhang)
    listed = client.get("/m/requests/")
    assert [r.pk for r in listed.context["items"]] == [sold.withdrawn.pk, sold.leak.pk]
    page = client.get(f"/m/requests/{sold.leak.pk}/")
    assert page.status_code == 200
    assert "卫生间漏水" in page.content.decode()
    view = page.context["view"]
    assert (view.may_add, view.may_cancel, view.may_rate) == (False, False, False)
    photo_row = sold.leak.photos.get()
    assert client.get(f"/m/requests/{sold.leak.pk}/photos/{photo_row.pk}/").status_code == 200
    detail = client.get(f"/api/portal/requests/{sold.leak.pk}").json()
    assert detail["description"].startswith("张三家卫生间漏水")


def test_the_previous_owner_no_longer_acts_on_the_house(sold):
    with pytest.raises(NotFound):
        portal_requests.request_note(actor=sold.zhang, request_id=sold.leak.pk, text="还在漏")
    with pytest.raises(NotFound):
        portal_requests.request_submit(
            actor=sold.zhang,
            house_id=sold.house.pk,
            kind="repair",
            category="repair_water",
            description="又漏了",
        )
    client = portal_client(sold.zhang)
    response = client.post(f"/api/portal/requests/{sold.leak.pk}/notes", {"text": "还在漏"})
    assert response.status_code == 404
    assert sold.leak.events.filter(action="note").count() == 0


def test_the_previous_owner_keeps_his_receipts_and_orders(sold):
    client = portal_client(sold.zhang)
    assert client.get(f"/m/bills/receipts/{sold.receipt.pk}/").status_code == 200
    assert client.get(f"/api/portal/receipts/{sold.receipt.pk}/pdf").status_code == 200
    assert client.get(f"/m/bills/orders/{sold.order.pk}/").status_code == 200
    assert client.get(f"/api/portal/payments/orders/{sold.order.pk}").status_code == 200
    page = client.get("/m/bills/")
    assert [e.house.pk for e in page.context["earlier"]] == [sold.house.pk]
    assert [p.pk for p, _r in page.context["earlier"][0].payments] == [sold.payment.pk]
    assert page.context["houses"] == []
    earlier = client.get("/api/portal/bills/earlier").json()
    assert [(e["house_id"], e["end_on"]) for e in earlier] == [(sold.house.pk, "2026-08-15")]
    assert [p["receipt_id"] for p in earlier[0]["payments"]] == [sold.receipt.pk]
    assert [b["bill_id"] for b in earlier[0]["bills"]] == [sold.bill.pk]
    assert client.get("/api/portal/bills").json() == []


def test_the_previous_owner_sees_nothing_of_the_house_after_he_sold_it(sold):
    client = portal_client(sold.zhang)
    assert client.get(f"/m/bills/?house={sold.house.pk}").status_code == 404
    assert client.get(f"/api/portal/houses/{sold.house.pk}/statement.pdf").status_code == 404
    api = client.get("/api/billing/bills").json()
    assert [row["id"] for row in api["items"]] == [sold.bill.pk]


# --- the new owner sees the house from his day on --------------------------------------------


def test_the_new_owner_sees_the_open_work_without_the_previous_owners_words(sold):
    client = portal_client(sold.qian)
    listed = client.get("/m/requests/")
    assert [r.pk for r in listed.context["items"]] == [sold.leak.pk]  # not the withdrawn one
    assert "卫生间漏水" not in listed.content.decode()
    page = client.get(f"/m/requests/{sold.leak.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "卫生间漏水" not in body and "13812345678" not in body
    assert page.context["view"].inherited is True
    assert page.context["view"].photos == []
    photo_row = sold.leak.photos.get()
    assert client.get(f"/m/requests/{sold.leak.pk}/photos/{photo_row.pk}/").status_code == 404
    assert (
        client.get(f"/api/portal/requests/{sold.leak.pk}/photos/{photo_row.pk}").status_code == 404
    )
    detail = client.get(f"/api/portal/requests/{sold.leak.pk}").json()
    assert detail["description"] == ""
    assert all(not step["photo_ids"] and not step["note"] for step in detail["timeline"])
    assert client.get(f"/m/requests/{sold.withdrawn.pk}/").status_code == 404
    assert client.get(f"/api/portal/requests/{sold.withdrawn.pk}").status_code == 404


def test_the_new_owner_does_not_see_the_previous_owners_payments(sold):
    client = portal_client(sold.qian)
    assert client.get(f"/m/bills/receipts/{sold.receipt.pk}/").status_code == 404
    assert client.get(f"/api/portal/receipts/{sold.receipt.pk}/pdf").status_code == 404
    assert client.get(f"/m/bills/orders/{sold.order.pk}/").status_code == 404
    assert client.get(f"/api/portal/payments/orders/{sold.order.pk}").status_code == 404
    page = client.get("/m/bills/")
    (house_bills,) = page.context["houses"]
    assert house_bills.payments == [] and house_bills.orders == []
    assert [b.bill_id for b in house_bills.dues.bills] == [sold.august.pk]
    assert page.context["earlier"] == []
    (row,) = client.get("/api/portal/bills").json()
    assert row["payments"] == [] and [b["bill_id"] for b in row["bills"]] == [sold.august.pk]
    assert client.get("/api/portal/bills/earlier").json() == []
    api = client.get(f"/api/billing/receipts/{sold.receipt.pk}/pdf")
    assert api.status_code == 404


def test_the_new_owner_pays_only_the_bills_of_his_ownership(sold):
    order = payment_order_create(actor=sold.qian, house_id=sold.house.pk)
    assert order.bill_ids == [sold.august.pk]


def test_the_new_owner_files_and_follows_his_own_requests(sold):
    mine = portal_requests.request_submit(
        actor=sold.qian,
        house_id=sold.house.pk,
        kind="repair",
        category="repair_water",
        description="入住后发现水管滴水",
        photos=[photo()],
    )
    client = portal_client(sold.qian)
    page = client.get(f"/m/requests/{mine.pk}/")
    assert "入住后发现水管滴水" in page.content.decode()
    assert page.context["view"].inherited is False
    # the previous owner never sees what the new owner filed
    assert portal_client(sold.zhang).get(f"/m/requests/{mine.pk}/").status_code == 404
