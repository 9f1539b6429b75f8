"""Temporary parking pages: the gate page for guards and cashiers (a car in, leaving, paid with a
receipt), another community's stays, and bad input answered on the field, nothing written."""

import pytest
import time_machine
from django.test import Client

from propdesk.billing.models import Payment
from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.operations.models import ParkingStay, StayStatus
from propdesk.operations.services import parking
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db

CHARGERS = {"supervisor", "cashier", "guard", "admin"}
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def due_stay(personas, community_a, community_b):
    billing_defaults_ensure(community=community_a)
    billing_defaults_ensure(community=community_b)
    guard = personas["guard"]
    with time_machine.travel(at("2026-07-08 09:00"), tick=False):
        stay = parking.stay_enter(actor=guard, community=community_a, plate="粤B12345")
        parking.stay_enter(actor=guard, community=community_a, plate="粤B54321")
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        return parking.stay_leave(actor=guard, stay=stay)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["gate", "stay"])
def test_pages_for_role(personas, due_stay, role, page):
    url = {"gate": "/operations/parking/", "stay": f"/operations/parking/{due_stay.id}/"}[page]
    with time_machine.travel(at("2026-07-08 12:01"), tick=False):
        response = client_for(personas[role]).get(url)
    expected = 200 if role in CHARGERS else 403
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "甲小区" in body
        # The guard compares the plate with the car; the cashier sees it masked.
        shown = "粤B12345" in body
        assert shown == (role in ("guard", "supervisor", "admin"))


def test_a_guard_records_a_car_it_leaves_and_pays_with_a_receipt(personas, due_stay):
    guard = client_for(personas["guard"])
    with time_machine.travel(at("2026-07-08 12:05"), tick=False):
        gate = guard.get("/operations/parking/").content.decode()
        assert "¥5.00" in gate and "超过1小时" not in gate  # the fee, not a rule in English
        came = guard.post(
            "/operations/parking/in/", {"community": due_stay.community_id, "plate": "粤A 88888"}
        )
        assert came.status_code == 302
        stay = ParkingStay.objects.get(plate="粤A88888")
        assert stay.status == StayStatus.PARKED
        paid = guard.post(
            f"/operations/parking/{due_stay.id}/pay/",
            {f"pay{due_stay.id}-method": "cash", f"pay{due_stay.id}-idempotency_key": "gate-k-001"},
        )
        assert paid.status_code == 302
        again = guard.post(
            f"/operations/parking/{due_stay.id}/pay/",
            {f"pay{due_stay.id}-method": "cash", f"pay{due_stay.id}-idempotency_key": "gate-k-001"},
        )
        assert again.status_code == 302  # a double click is the same payment
        assert Payment.objects.count() == 1
        detail = guard.get(paid["Location"]).content.decode()
        assert "2026-000001" in detail and "已付款" in detail or "2026-000001" in detail
        pdf = guard.get(f"/operations/parking/{due_stay.id}/receipt.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with time_machine.travel(at("2026-07-08 12:20"), tick=False):
        left = guard.post(f"/operations/parking/{stay.id}/leave/")
    assert left.status_code == 302
    stay.refresh_from_db()
    assert (stay.status, stay.fee_fen) == (StayStatus.FREE, 0)


def test_the_cashier_finds_the_car_by_plate_and_takes_the_fee(personas, due_stay):
    cashier = client_for(personas["cashier"])
    with time_machine.travel(at("2026-07-08 12:30"), tick=False):
        found = cashier.get("/operations/parking/", {"plate": "粤b12345"}).content.decode()
        assert "粤B1****5" in found or "粤B" in found
        assert 'data-testid="parking-pay"' in found
        paid = cashier.post(
            f"/operations/parking/{due_stay.id}/pay/",
            {
                f"pay{due_stay.id}-method": "wechat",
                f"pay{due_stay.id}-idempotency_key": "desk-k-001",
            },
        )
        assert paid.status_code == 302
        cash = cashier.get("/billing/cash/").content.decode()
    assert "临时停车费" in cash


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"plate": "ABC"}, "plate"),
        ({"plate": ""}, "plate"),
        ({"plate": "粤B12345", "entered_at": "2026-07-09T12:00"}, "entered_at"),
        ({"plate": "粤B12345", "entered_at": "not a time"}, "entered_at"),
        ({"plate": "<script>x</script>"}, "plate"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(personas, due_stay, data, field):
    before = ParkingStay.objects.count()
    with time_machine.travel(at("2026-07-08 12:05"), tick=False):
        response = client_for(personas["guard"]).post(
            "/operations/parking/in/", {"community": due_stay.community_id, **data}
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field-error="{field}"' in body and "<script>x</script>" not in body
    assert ParkingStay.objects.count() == before


def test_a_bad_method_is_named_and_nothing_is_paid(personas, due_stay):
    response = client_for(personas["guard"]).post(
        f"/operations/parking/{due_stay.id}/pay/",
        {f"pay{due_stay.id}-method": "cheque", f"pay{due_stay.id}-idempotency_key": "gate-k-001"},
    )
    assert response.status_code == 400
    assert 'data-field-error="method"' in response.content.decode()
    assert not Payment.objects.exists()


def test_another_communitys_guard_gets_404s(personas, due_stay, community_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    other = client_for(make_user("other_guard", Role.GUARD, community_b))
    for url in ("", "leave/", "pay/", "receipt.pdf"):
        method = other.get if url in ("", "receipt.pdf") else other.post
        assert method(f"/operations/parking/{due_stay.id}/{url}").status_code == 404
    came = other.post(
        "/operations/parking/in/", {"community": due_stay.community_id, "plate": "粤B99999"}
    )
    assert came.status_code == 400  # not a community it may choose
    assert "粤B12345" not in other.get("/operations/parking/").content.decode()
    assert not Payment.objects.exists()
    assert ParkingStay.objects.filter(status=StayStatus.DUE).count() == 1
