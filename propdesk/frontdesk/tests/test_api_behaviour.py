"""What the endpoints do with good input and refuse with bad: each gate's refusal names its code,
bad values (wrong, missing, oversized, hostile, wrong types, another community's ids) are a 4xx
naming the field, never a 500, and nothing is written."""

import pytest

from propdesk.frontdesk.models import DecorationPermit, MoveIn
from propdesk.frontdesk.tests.conftest import TODAY, pay_all, snapshot

pytestmark = pytest.mark.django_db
C = "/api/frontdesk"


def refused(response, before, *, field=None, code=None, status=None):
    assert 400 <= response.status_code < 500, response.content
    if status:
        assert response.status_code == status
    body = response.json()
    assert body["message"]
    if field:
        fields = {body.get("field"), *(e["field"] for e in body.get("errors", []))}
        assert field in fields, body
    if code:
        assert body["code"] == code, body
    assert snapshot() == before


def test_a_full_move_in_by_api(api, new_house, li_si, wang_wu):
    started = api.post(
        "agent",
        f"{C}/move-ins",
        {"house": new_house.id, "owner": li_si.id, "applicant_kind": "agent", "agent": wang_wu.id},
    )
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["person_name"] == "王五"
    assert [d["code"] for d in body["documents"]][-1] == "power_of_attorney"
    move_in_id = body["id"]
    for group in ("documents", "forms"):
        for item in body[group]:
            api.post(
                "agent",
                f"{C}/move-ins/{move_in_id}/items",
                {"group": item["group"], "code": item["code"]},
            )
    for step in [s["code"] for s in body["steps"]][:7]:
        response = api.post("agent", f"{C}/move-ins/{move_in_id}/steps", {"step": step})
        assert response.status_code == 200, (step, response.content)
    inspection = api.post(
        "agent", f"{C}/inspections", {"house": new_house.id, "move_in": move_in_id}
    )
    inspection_id = inspection.json()["id"]
    for line in inspection.json()["results"]:
        api.upload(
            "agent",
            f"{C}/inspections/{inspection_id}/results/{line['id']}",
            {"outcome": "pass"},
        )
    assert api.post("agent", f"{C}/inspections/{inspection_id}/submit").json()["status"] == "closed"
    for step in ("inspection", "sign_inspection", "archive"):
        last = api.post("agent", f"{C}/move-ins/{move_in_id}/steps", {"step": step})
    assert last.json()["status"] == "completed"
    new_house.refresh_from_db()
    assert new_house.status == "occupied"


def test_the_fee_gate_refuses_with_its_code(api, agent, supervisor, permit_ready):
    api.post("agent", f"{C}/permits/{permit_ready.id}/identity")
    api.post("supervisor", f"{C}/permits/{permit_ready.id}/plan-review", {"approve": True})
    api.post("agent", f"{C}/permits/{permit_ready.id}/agreement")
    before = snapshot()
    refused(
        api.post("agent", f"{C}/permits/{permit_ready.id}/issue"),
        before,
        code="fees_unpaid",
        field="fees",
        status=409,
    )
    pay_all(permit_ready.house)
    issued = api.post("agent", f"{C}/permits/{permit_ready.id}/issue")
    assert issued.json()["status"] == "issued"
    active = api.get("cashier", f"{C}/houses/{permit_ready.house_id}/active-permit").json()
    assert active["permit"]["number"] == permit_ready.number
    assert active["hours"].startswith("08:00–12:00")


def test_the_unapproved_plan_gate(api, permit_ready):
    pay_all(permit_ready.house)
    api.post("agent", f"{C}/permits/{permit_ready.id}/identity")
    api.post("agent", f"{C}/permits/{permit_ready.id}/agreement")
    refused(
        api.post("agent", f"{C}/permits/{permit_ready.id}/issue"),
        snapshot(),
        code="plan_not_approved",
        field="plan",
    )


def test_the_missing_power_of_attorney_gate(api, new_house, li_si):
    refused(
        api.post(
            "agent",
            f"{C}/move-ins",
            {"house": new_house.id, "owner": li_si.id, "applicant_kind": "agent"},
        ),
        snapshot(),
        code="power_of_attorney_missing",
        field="agent",
    )


def test_no_active_permit_is_an_empty_answer(api, house_a):
    body = api.get("agent", f"{C}/houses/{house_a.id}/active-permit").json()
    assert body == {"permit": None, "hours": None, "prohibitions": []}


LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"house": None}, "house"),
        ({"house": "1"}, "house"),
        ({"house": True}, "house"),
        ({"house": 2**70}, "house"),
        ({"applicant_kind": "<script>alert(1)</script>"}, "applicant_kind"),
        ({"applicant_kind": "owner'; DROP TABLE frontdesk_movein;--"}, "applicant_kind"),
        ({"person_name": LONG}, "person_name"),
        ({"person_name": "<b>x</b>"}, "person_name"),
        ({"person_mobile": "abc"}, "person_mobile"),
        ({"person_mobile": "12345"}, "person_mobile"),
        ({"note": "a\x00b"}, "note"),
        ({"owner": "house_b_owner"}, "owner"),
    ],
)
def test_bad_move_in_input_names_the_field(api, new_house, li_si, house_b, change, field):
    body = {"house": new_house.id, "owner": li_si.id, "applicant_kind": "owner", **change}
    if change.get("owner") == "house_b_owner":
        from propdesk.accounts.models import User
        from propdesk.estates.services import owner_create

        body["owner"] = owner_create(
            actor=User.objects.get(username="admin"), community=house_b.community, name="外人"
        ).id
    before = snapshot()
    refused(api.post("agent", f"{C}/move-ins", body), before, field=field)
    assert not MoveIn.objects.exists()


def test_another_communitys_house_is_not_found(api, house_b, li_si):
    before = snapshot()
    refused(
        api.post(
            "agent",
            f"{C}/move-ins",
            {"house": house_b.id, "owner": li_si.id, "applicant_kind": "owner"},
        ),
        before,
        field="house",
        status=404,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contractor_name": ""}, "contractor_name"),
        ({"contractor_name": LONG}, "contractor_name"),
        ({"contractor_mobile": "phone"}, "contractor_mobile"),
        ({"contractor_mobile": "10000000000"}, "contractor_mobile"),
        ({"workers": 0}, "workers"),
        ({"workers": "many"}, "workers"),
        ({"scope": ""}, "scope"),
        ({"scope": LONG}, "scope"),
        ({"starts_on": "tomorrow"}, "starts_on"),
        ({"ends_on": "2026-07-01"}, "ends_on"),
        ({"ends_on": "2027-07-01"}, "ends_on"),
        ({"applicant_kind": "company"}, "applicant_kind"),
        ({"agent": -1}, "agent"),
    ],
)
def test_bad_permit_input_names_the_field(api, house_a, zhang_san, schedule_a, change, field):
    body = {
        "house": house_a.id,
        "owner": zhang_san.id,
        "contractor_name": "安居装饰",
        "contractor_leader": "赵师傅",
        "contractor_mobile": "13600003333",
        "scope": "刷墙",
        "starts_on": TODAY.isoformat(),
        "ends_on": "2026-07-20",
        **change,
    }
    before = snapshot()
    refused(api.post("agent", f"{C}/permits", body), before, field=field)
    assert not DecorationPermit.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"step": "launch"}, "step"),
        ({"step": 7}, "step"),
        ({}, "step"),
        ({"step": "verify", "note": LONG}, "note"),
    ],
)
def test_bad_steps_name_the_field(api, move_in_by_agent, body, field):
    before = snapshot()
    refused(
        api.post("agent", f"{C}/move-ins/{move_in_by_agent.id}/steps", body), before, field=field
    )


def test_a_json_array_body_is_refused(api, move_in_by_agent):
    response = api.raw(
        "agent", "post", f"{C}/move-ins/{move_in_by_agent.id}/steps", "[]", "application/json"
    )
    assert response.status_code == 400


def test_a_hostile_scan_is_refused(api, move_in_by_agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    response = api.upload(
        "agent",
        f"{C}/move-ins/{move_in_by_agent.id}/documents/id_card/scan",
        {"file": SimpleUploadedFile("x.pdf", b"<?php system($_GET['c']); ?>")},
    )
    refused(response, before, field="file")


def test_an_inspection_line_of_another_inspection_is_not_found(api, technician, new_house, house_a):
    from propdesk.frontdesk.services.inspection import inspection_start

    one = inspection_start(actor=technician, house=new_house)
    other = inspection_start(actor=technician, house=house_a)
    response = api.upload(
        "technician",
        f"{C}/inspections/{one.id}/results/{other.results.first().id}",
        {"outcome": "pass"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"work_start": "25:00"}, "work_start"),
        ({"work_start": "19:00"}, "work_end"),
        ({"deposit": "-5"}, "deposit"),
        ({"deposit": "1.005"}, "deposit"),
        ({"max_days": 0}, "max_days"),
        ({"prohibitions": "x" * 5000}, "prohibitions"),
    ],
)
def test_bad_rules_name_the_field(api, community_a, body, field):
    before = snapshot()
    refused(
        api.patch("supervisor", f"{C}/communities/{community_a.id}/decoration-rules", body),
        before,
        field=field,
    )


def test_an_unknown_category_for_an_item_is_refused(api, community_a):
    before = snapshot()
    refused(
        api.post(
            "supervisor",
            f"{C}/communities/{community_a.id}/inspection-items",
            {"name": "阳台", "category_code": "nonsense"},
        ),
        before,
        field="category_code",
    )


def test_lists_page_and_search(api, move_in_by_agent):
    body = api.get("agent", f"{C}/move-ins", {"q": "3-2-16", "limit": 1000}).json()
    assert body["count"] == 1 and body["limit"] == 100
    assert body["items"][0]["person_mobile"] in ("", "137****2222")
    assert api.get("agent", f"{C}/move-ins", {"q": "9-9"}).json()["count"] == 0
    assert api.get("agent", f"{C}/move-ins", {"status": "DROP TABLE"}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "method"),
        ({"method": "gold"}, "method"),
        ({"method": "<script>alert(1)</script>"}, "method"),
        ({"method": 7}, "method"),
        ({"method": "cash", "reason": "退" * 201}, "reason"),
        ({"method": "cash", "reason": ["退"]}, "reason"),
    ],
)
def test_bad_deposit_refunds_name_the_field(api, accepted_with_deposit, body, field):
    before = snapshot()
    url = f"{C}/permits/{accepted_with_deposit.id}/deposit-refund"
    refused(api.post("agent", url, body), before, field=field)


def test_a_deposit_refund_by_api_waits_for_approval(api, supervisor, accepted_with_deposit):
    from propdesk.billing.services.adjustments import adjustment_approve

    url = f"{C}/permits/{accepted_with_deposit.id}/deposit-refund"
    asked = api.post("agent", url, {"method": "bank_transfer", "reason": "验收合格"})
    assert asked.status_code == 200, asked.content
    assert asked.json()["deposit_status"] == "refund_pending"
    before = snapshot()
    refused(api.post("agent", url, {"method": "cash"}), before, status=409)
    accepted_with_deposit.refresh_from_db()
    adjustment_approve(actor=supervisor, adjustment=accepted_with_deposit.deposit_refund)
    detail = api.get("agent", f"{C}/permits/{accepted_with_deposit.id}").json()
    assert detail["deposit_status"] == "refunded" and detail["deposit_refunded_at"]
    assert detail["deposit_bill"] == accepted_with_deposit.deposit_bill_id
