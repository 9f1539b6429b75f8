"""What the fees endpoints answer, and how they refuse bad input: a clear 4xx naming the field,
never a 500, and nothing written."""

import json

import pytest

from propdesk.billing.models import Payment
from propdesk.billing.tests.conftest import billing_snapshot


def post(api, role, path, body):
    return api.post(role, path, body)


def assert_refused(response, field: str, before: dict, status: int | None = None) -> None:
    assert 400 <= response.status_code < 500, response.content
    if status:
        assert response.status_code == status, response.content
    body = response.json()
    assert body["message"], body
    fields = {body["field"], *(e["field"] for e in body.get("errors", []))}
    assert field in fields, body
    assert billing_snapshot() == before


def payment_body(fees, **changes) -> dict:
    return {
        "house": fees.house.id,
        "amount": "170.05",
        "method": "wechat",
        "idempotency_key": "api-pay-0000001",
        **changes,
    }


# --- payments -----------------------------------------------------------------------------------


def test_a_payment_answers_201_then_200_for_the_same_key(api, fees):
    first = post(api, "cashier", "/api/billing/payments", payment_body(fees))
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["amount"] == "170.05"
    assert body["allocations"] == [{"bill": fees.july.id, "amount": "170.05"}]
    assert body["prepaid"] == "0.00"
    assert body["receipt_number"] == "2026-000002"
    assert body["receipt_void"] is False
    again = post(api, "cashier", "/api/billing/payments", payment_body(fees))
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert Payment.objects.filter(idempotency_key="api-pay-0000001").count() == 1


def test_the_same_key_with_another_amount_is_a_409_naming_the_key(api, fees):
    post(api, "cashier", "/api/billing/payments", payment_body(fees))
    before = billing_snapshot()
    response = post(api, "cashier", "/api/billing/payments", payment_body(fees, amount="1.00"))
    assert_refused(response, "idempotency_key", before, 409)
    assert response.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "170.055"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e20"}, "amount"),
        ({"amount": None}, "amount"),
        ({"amount": [1]}, "amount"),
        ({"method": "cheque"}, "method"),
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"idempotency_key": "bad key with spaces"}, "idempotency_key"),
        ({"house": 0}, "house"),
        ({"house": "x"}, "house"),
        ({"bills": ["x"]}, "bills.0"),
        ({"payer_name": "a\x00b"}, "payer_name"),
        ({"note": "n" * 201}, "note"),
    ],
)
def test_bad_payments_are_refused_naming_the_field(api, fees, changes, field):
    before = billing_snapshot()
    response = post(api, "cashier", "/api/billing/payments", payment_body(fees, **changes))
    assert_refused(response, field, before)


def test_a_missing_amount_is_refused(api, fees):
    body = payment_body(fees)
    del body["amount"]
    before = billing_snapshot()
    assert_refused(post(api, "cashier", "/api/billing/payments", body), "amount", before, 422)


def test_an_unknown_house_is_a_404_naming_the_house(api, fees):
    before = billing_snapshot()
    response = post(api, "cashier", "/api/billing/payments", payment_body(fees, house=987654))
    assert_refused(response, "house", before, 404)


def test_another_communitys_house_is_a_404_naming_the_house(api, fees):
    before = billing_snapshot()
    response = post(
        api, "cashier", "/api/billing/payments", payment_body(fees, house=fees.house_b.id)
    )
    assert_refused(response, "house", before, 404)


def test_another_communitys_bill_is_a_404_naming_the_bills(api, fees):
    before = billing_snapshot()
    response = post(
        api, "cashier", "/api/billing/payments", payment_body(fees, bills=[fees.bill_b.id])
    )
    assert_refused(response, "bills", before, 404)
    assert response.json()["code"] == "bill_other_house"


def test_a_paid_bill_is_a_409_naming_the_bills(api, fees):
    before = billing_snapshot()
    response = post(
        api, "cashier", "/api/billing/payments", payment_body(fees, bills=[fees.june.id])
    )
    assert_refused(response, "bills", before, 409)


def test_an_unreadable_body_is_a_400(api, fees):
    before = billing_snapshot()
    response = api.raw("cashier", "post", "/api/billing/payments", "{not json", "application/json")
    assert response.status_code == 400
    assert billing_snapshot() == before


def test_hostile_text_is_stored_as_plain_text(api, fees):
    note = "<script>alert(1)</script>'; DROP TABLE billing_bill; --"
    response = post(api, "cashier", "/api/billing/payments", payment_body(fees, note=note))
    assert response.status_code == 201
    assert Payment.objects.get(id=response.json()["id"]).note == note


# --- runs ---------------------------------------------------------------------------------------


def test_a_closed_period_is_a_409_naming_the_period(api, fees):
    closed = post(
        api,
        "supervisor",
        f"/api/billing/communities/{fees.community.id}/closed-periods",
        {"period": "2026-05"},
    )
    assert closed.status_code == 201
    before = billing_snapshot()
    response = post(
        api,
        "supervisor",
        "/api/billing/runs",
        {"period": "2026-05", "community": fees.community.id},
    )
    assert_refused(response, "period", before, 409)
    assert response.json()["code"] == "period_closed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "July"}, "period"),
        ({"period": "2026-09"}, "period"),
        ({}, "period"),
        ({"period": "2026-07", "building": 987654}, "building"),
        ({"period": "2026-07"}, "community"),
    ],
)
def test_bad_runs_are_refused_naming_the_field(api, fees, body, field):
    if field != "community" and "building" not in body and "period" in body:
        body = {**body, "community": fees.community.id}
    before = billing_snapshot()
    assert_refused(post(api, "supervisor", "/api/billing/runs", body), field, before)


def test_a_run_of_another_community_is_a_404_naming_it(api, fees):
    before = billing_snapshot()
    response = post(
        api,
        "supervisor",
        "/api/billing/runs",
        {"period": "2026-07", "community": fees.community_b.id},
    )
    assert_refused(response, "community", before, 404)


def test_the_preview_reports_counts_and_totals(api, fees):
    response = post(
        api,
        "supervisor",
        "/api/billing/runs/preview",
        {"period": "2026-08", "community": fees.community.id},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2026-08"
    assert body["bills"] == 3  # house_a and the two vacant houses
    assert body["amount"] == "510.15"
    assert body["exceptions"]["unsold"] == 0


# --- other writes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/billing/decoration-fees", {"permit_ref": "ZX 1"}, "permit_ref"),
        ("/api/billing/decoration-fees", {"permit_ref": ""}, "permit_ref"),
        ("/api/billing/meter-top-ups", {"amount": "-3"}, "amount"),
        ("/api/billing/meter-top-ups", {"meter_number": "W 1"}, "meter_number"),
        ("/api/billing/meter-top-ups", {"utility": "gas"}, "utility"),
        ("/api/billing/adjustments", {"kind": "discount", "amount": "0.001"}, "amount"),
        ("/api/billing/adjustments", {"kind": "write_off", "amount": "999"}, "amount"),
        ("/api/billing/adjustments", {"kind": "teleport"}, "kind"),
        ("/api/billing/adjustments", {"kind": "cancel_bill", "reason": ""}, "reason"),
        ("/api/billing/utility-settlements", {"cost": "0"}, "cost"),
        ("/api/billing/utility-settlements", {"cost": "12.345"}, "cost"),
        ("/api/billing/utility-settlements", {"period": "2026/06"}, "period"),
    ],
)
def test_bad_writes_are_refused_naming_the_field(api, fees, path, body, field):
    defaults = {
        "/api/billing/decoration-fees": {"house": fees.house.id, "permit_ref": "ZX-1"},
        "/api/billing/meter-top-ups": {
            "house": fees.house.id,
            "utility": "water",
            "meter_number": "W1",
            "amount": "10",
            "method": "cash",
            "idempotency_key": "api-topup-000001",
        },
        "/api/billing/adjustments": {
            "house": fees.house.id,
            "bill": fees.july.id,
            "reason": "核对",
        },
        "/api/billing/utility-settlements": {
            "community": fees.community.id,
            "utility": "electricity",
            "period": "2026-06",
            "cost": "100",
        },
    }
    before = billing_snapshot()
    assert_refused(post(api, "supervisor", path, {**defaults[path], **body}), field, before)


def test_a_correction_of_another_communitys_bill_is_a_404_naming_the_bill(api, fees):
    before = billing_snapshot()
    response = post(
        api,
        "cashier",
        "/api/billing/adjustments",
        {"house": fees.house.id, "kind": "cancel_bill", "bill": fees.bill_b.id, "reason": "x"},
    )
    assert_refused(response, "bill", before, 404)


def test_approving_your_own_correction_is_a_403(api, fees, personas):
    from propdesk.billing.services.adjustments import adjustment_request

    own = adjustment_request(
        actor=personas["supervisor"],
        house=fees.house,
        kind="cancel_bill",
        bill=fees.july,
        reason="重复",
    )
    before = billing_snapshot()
    response = post(api, "supervisor", f"/api/billing/adjustments/{own.id}/approve", {})
    assert response.status_code == 403
    assert response.json()["code"] == "own_request"
    assert billing_snapshot() == before


def test_an_approved_reversal_voids_the_receipt(api, fees):
    request = post(
        api,
        "cashier",
        "/api/billing/adjustments",
        {
            "house": fees.house.id,
            "kind": "reverse_payment",
            "payment": fees.payment.id,
            "reason": "收错户",
        },
    )
    assert request.status_code == 201, request.content
    approved = post(
        api,
        "supervisor",
        f"/api/billing/adjustments/{request.json()['id']}/approve",
        {"note": "同意"},
    )
    assert approved.json()["status"] == "approved"
    detail = api.get("cashier", f"/api/billing/payments/{fees.payment.id}").json()
    assert detail["receipt_void"] is True


# --- reads --------------------------------------------------------------------------------------


def test_the_gate_answers_what_the_house_owes(api, fees):
    body = api.get("owner", f"/api/billing/houses/{fees.house.id}/dues").json()
    assert body["owes"] is True
    codes = {(b["fee_code"], b["period"], b["outstanding"]) for b in body["bills"]}
    assert codes == {
        ("mgmt_residential", "2026-07", "170.05"),
        ("utility_share", "2026-07", "100.00"),
    }
    assert (body["outstanding"], body["overdue"], body["prepaid"]) == ("270.05", "170.05", "0.00")


def test_an_owner_sees_only_their_own_houses(api, fees):
    assert api.get("owner", f"/api/billing/houses/{fees.vacant.id}/dues").status_code == 404
    bills = api.get("owner", "/api/billing/bills").json()
    assert {b["house"] for b in bills["items"]} == {fees.house.id}
    other = api.get("owner", f"/api/billing/bills?house={fees.vacant.id}")
    assert other.status_code == 404 and other.json()["field"] == "house"


def test_documents_are_served_as_files(api, fees):
    pdf = api.get("cashier", f"/api/billing/receipts/{fees.receipt.id}/pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = api.get("owner", f"/api/billing/houses/{fees.house.id}/statement.xlsx")
    assert xlsx.content.startswith(b"PK")
    assert xlsx["Cache-Control"] == "no-store"


def test_reports_answer_in_money_strings(api, fees):
    arrears = api.get("cashier", f"/api/billing/arrears?community={fees.community.id}").json()
    assert arrears["as_of"] == "2026-07-10"
    assert all(isinstance(row["total"], str) for row in arrears["houses"])
    rate = api.get(
        "cashier", f"/api/billing/collection-rate?community={fees.community.id}&period=2026-06"
    ).json()
    assert rate["collected"] == "170.05"
    cash = api.get("cashier", f"/api/billing/cash?community={fees.community.id}").json()
    assert cash["total"] == "170.05"
    assert cash["rows"][0]["method_label"]
    quote = api.get(
        "agent", f"/api/billing/temporary-parking-fee?community={fees.community.id}&minutes=90"
    ).json()
    assert quote == {"minutes": 90, "fee": "5.00"}


def test_a_cashier_sees_only_their_own_takings(api, fees, personas):
    from propdesk.billing.tests.conftest import pay

    pay(personas["supervisor"], fees.house, "1.00")
    mine = api.get("cashier", f"/api/billing/cash?community={fees.community.id}").json()
    everyone = api.get("supervisor", f"/api/billing/cash?community={fees.community.id}").json()
    assert (mine["total"], everyone["total"]) == ("170.05", "171.05")


def test_the_openapi_document_lists_the_fees_endpoints(api, fees):
    schema = json.loads(api.get("admin", "/api/openapi.json").content)
    paths = [p for p in schema["paths"] if p.startswith("/api/billing/")]
    assert "/api/billing/payments" in paths
    assert len(paths) >= 35


def test_bills_are_listed_one_community_at_a_time(api, fees, community_a):
    refused = api.get("admin", "/api/billing/bills")
    assert refused.status_code == 400
    assert refused.json()["code"] == "community_required"
    assert refused.json()["field"] == "community"
    one = api.get("admin", f"/api/billing/bills?community={community_a.id}")
    assert one.status_code == 200
    assert {b["community"] for b in one.json()["items"]} == {community_a.id}
    building = api.get("admin", f"/api/billing/bills?building={fees.house.building_id}")
    assert building.status_code == 200 and building.json()["count"] > 0
    house = api.get("admin", f"/api/billing/bills?house={fees.house.id}")
    assert {b["house"] for b in house.json()["items"]} == {fees.house.id}
    # A user of one community needs no filter.
    assert api.get("cashier", "/api/billing/bills").status_code == 200
