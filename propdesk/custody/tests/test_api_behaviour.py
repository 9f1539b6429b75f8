"""What the custody API answers beyond who may call it: owner-safe passes, the gate's single use,
masked personal data, and bad input refused with the field named and nothing written."""

import datetime

import pytest

from propdesk.custody.models import PassStatus, ReleasePass
from propdesk.custody.tests.conftest import TODAY, custody_snapshot


def assert_bad(response, field: str, before: dict, status: int | None = None):
    assert 400 <= response.status_code < 500, response.content
    if status:
        assert response.status_code == status, response.content
    body = response.json()
    assert body["message"]
    fields = {body.get("field"), *(e["field"] for e in body.get("errors", []))}
    assert field in fields, body
    assert custody_snapshot() == before


# --- owners -------------------------------------------------------------------------------------


def test_an_owner_applies_for_their_own_house(api, world):
    response = api.post(
        "owner",
        "/api/custody/passes",
        {"house": world.house.id, "items": "旧衣柜", "release_on": "2026-07-11"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["applicant_name"], body["status"], body["house_code"]) == (
        "张三",
        "pending",
        "3-2-1502",
    )
    assert body["qr_payload"].endswith(f"/custody/gate/?code={body['code']}")


def test_an_owner_cannot_apply_for_a_foreign_house(api, world):
    before = custody_snapshot()
    response = api.post(
        "owner",
        "/api/custody/passes",
        {"house": world.house_b.id, "items": "x", "release_on": "2026-07-11"},
    )
    assert_bad(response, "house", before, status=404)


def test_an_owner_cannot_name_another_applicant(api, world, tenant):
    response = api.post(
        "owner",
        "/api/custody/passes",
        {
            "house": world.house.id,
            "applicant_kind": "resident",
            "applicant": tenant.id,
            "items": "x",
            "release_on": "2026-07-11",
        },
    )
    # The owner's account always applies as itself: the named applicant is ignored.
    assert response.status_code == 201
    assert response.json()["applicant_kind"] == "owner"


def test_an_owner_sees_only_their_houses_passes(api, world, admin, house_b):
    from propdesk.custody.services.passes import release_pass_apply
    from propdesk.estates import services

    wang = services.owner_create(actor=admin, community=house_b.community, name="王五")
    services.ownership_add(
        actor=admin, house=house_b, owner=wang, start_on=datetime.date(2022, 1, 1)
    )
    foreign = release_pass_apply(
        actor=admin, house=house_b, applicant=wang, items="x", release_on=TODAY
    )
    listed = api.get("owner", "/api/custody/passes").json()
    assert {p["house_code"] for p in listed["items"]} == {"3-2-1502"}
    assert listed["count"] == 2
    assert api.get("owner", f"/api/custody/passes/{foreign.id}").status_code == 404
    assert api.get("owner", f"/api/custody/passes/{foreign.id}/pdf").status_code == 404
    assert api.post("owner", f"/api/custody/passes/{foreign.id}/cancel", {}).status_code == 404


def test_an_owner_without_an_archive_record_sees_nothing(api, world, personas):
    from propdesk.estates.models import Owner

    Owner.objects.filter(user=personas["owner"]).update(user=None)
    assert api.get("owner", "/api/custody/passes").json()["count"] == 0
    response = api.post(
        "owner",
        "/api/custody/passes",
        {"house": world.house.id, "items": "x", "release_on": "2026-07-11"},
    )
    assert response.status_code == 404


# --- the gate -----------------------------------------------------------------------------------


def test_the_gate_uses_a_pass_once(api, world):
    code = world.approved.display_code
    check = api.post("guard", "/api/custody/gate/check", {"code": code})
    assert check.status_code == 200
    assert check.json()["ok"] is True
    assert check.json()["release_pass"]["vehicle_plate"] == ""
    used = api.post("guard", "/api/custody/gate/use", {"code": code, "note": "东门"})
    assert used.status_code == 200 and used.json()["release_pass"]["status"] == "used"
    before = custody_snapshot()
    again = api.post("guard", "/api/custody/gate/use", {"code": code})
    assert again.status_code == 409
    assert again.json()["code"] == "pass_used"
    assert custody_snapshot() == before
    recheck = api.post("guard", "/api/custody/gate/check", {"code": code}).json()
    assert (recheck["ok"], recheck["code"]) == (False, "pass_used")


def test_the_gate_takes_the_qr_payload(api, world):
    payload = f"http://testserver/custody/gate/?code={world.approved.code}"
    response = api.post("guard", "/api/custody/gate/use", {"code": payload})
    assert response.status_code == 200


def test_an_expired_pass_is_refused_at_the_gate(api, world, clock):
    clock.move_to(datetime.datetime(2026, 7, 11, 12, 0, tzinfo=datetime.UTC))
    before = custody_snapshot()
    response = api.post("guard", "/api/custody/gate/use", {"code": world.approved.code})
    assert response.status_code == 409 and response.json()["code"] == "pass_expired"
    assert custody_snapshot() == before


@pytest.mark.parametrize(
    "code", ["", "ZZZZ", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 501]
)
def test_the_gate_refuses_what_is_not_a_code(api, world, code):
    before = custody_snapshot()
    assert_bad(api.post("guard", "/api/custody/gate/use", {"code": code}), "code", before)


def test_an_unknown_code_is_not_found(api, world):
    before = custody_snapshot()
    response = api.post("guard", "/api/custody/gate/check", {"code": "ZZZZ-ZZZZ"})
    assert_bad(response, "code", before, status=404)


def test_plates_and_mobiles_leave_masked(api, world, pending_pass):
    body = api.get("agent", f"/api/custody/passes/{pending_pass.id}").json()
    assert body["vehicle_plate"] == "粤B***45"
    contractors = api.get("agent", "/api/custody/contractors").json()
    assert contractors[0]["responsible_mobile"] == "137****1111"


# --- keys ---------------------------------------------------------------------------------------


def test_an_agent_key_loan_without_a_letter_is_refused_with_the_field(api, world, entrusted):
    before = custody_snapshot()
    response = api.post(
        "agent",
        f"/api/custody/keys/{world.key.id}/lend",
        {
            "purpose": "agent",
            "agent": entrusted.id,
            "id_checked": True,
            "confirming_owner": world.owner.id,
            "owner_confirmation": "电话确认",
        },
    )
    assert_bad(response, "authority_letter", before, status=400)
    assert response.json()["code"] == "no_authority_letter"


def test_the_key_detail_has_its_timeline(api, world):
    api.post(
        "agent",
        f"/api/custody/keys/{world.key.id}/lend",
        {"purpose": "owner", "owner": world.owner.id, "id_checked": True},
    )
    body = api.get("agent", f"/api/custody/keys/{world.key.id}").json()
    assert body["status"] == "on_loan" and body["holder"] == "张三"
    assert [e["action"] for e in body["timeline"]] == ["key_lent", "key_registered"]
    assert body["loans"][0]["borrower_mobile"] == "138****5678"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"purpose": "owner", "owner": "7"}, "owner"),
        ({"purpose": "owner", "owner": True}, "owner"),
        ({"purpose": "magic"}, "purpose"),
        ({"purpose": "owner", "owner": 1, "reason": "x" * 10_000}, "reason"),
        ({"purpose": "warranty", "borrower_name": "<script>"}, "borrower_name"),
        ({"purpose": "owner", "owner": 2**70}, "owner"),
    ],
)
def test_bad_lend_input_is_refused(api, world, body, field):
    before = custody_snapshot()
    assert_bad(api.post("agent", f"/api/custody/keys/{world.key.id}/lend", body), field, before)


def test_a_foreign_owner_id_is_not_found(api, world, admin, house_b):
    from propdesk.estates import services

    wang = services.owner_create(actor=admin, community=house_b.community, name="王五")
    before = custody_snapshot()
    response = api.post(
        "agent",
        f"/api/custody/keys/{world.key.id}/lend",
        {"purpose": "owner", "owner": wang.id, "id_checked": True},
    )
    assert_bad(response, "owner", before, status=404)


def test_a_foreign_house_for_a_key_is_not_found(api, world):
    before = custody_snapshot()
    response = api.post(
        "agent",
        "/api/custody/keys",
        {
            "community": world.community.id,
            "kind": "house",
            "label": "K-X",
            "location": "A",
            "house": world.house_b.id,
        },
    )
    assert_bad(response, "house", before, status=404)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"house": 1, "items": "", "release_on": "2026-07-11"}, "items"),
        ({"house": 1, "items": "x", "release_on": "2026-07-01"}, "release_on"),
        ({"house": 1, "items": "x", "release_on": 20260711}, "release_on"),
        ({"house": 1, "items": "x", "release_on": "soon"}, "release_on"),
        ({"house": 1, "items": "a\x00b", "release_on": "2026-07-11"}, "items"),
        (
            {"house": 1, "items": "x", "release_on": "2026-07-11", "vehicle_plate": "ABC"},
            "vehicle_plate",
        ),
        ({"house": "1", "items": "x", "release_on": "2026-07-11"}, "house"),
    ],
)
def test_bad_pass_input_is_refused(api, world, body, field):
    body = {**body, "house": world.house.id if body["house"] == 1 else body["house"]}
    before = custody_snapshot()
    response = api.post("owner", "/api/custody/passes", body)
    assert_bad(response, field, before)


def test_staff_must_name_the_applicant(api, world):
    before = custody_snapshot()
    response = api.post(
        "agent",
        "/api/custody/passes",
        {"house": world.house.id, "items": "x", "release_on": "2026-07-11"},
    )
    assert_bad(response, "applicant", before, status=400)


def test_unpaid_fees_refuse_approval_through_the_api(api, world, admin, supervisor):
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=world.community)
    run = billing_run_start(
        actor=admin, period=datetime.date(2026, 7, 1), community=world.community
    )
    billing_run_execute(run.id)
    api.patch(
        "supervisor",
        f"/api/custody/communities/{world.community.id}/settings",
        {"release_needs_fees_paid": True},
    )
    before = custody_snapshot()
    response = api.post("agent", f"/api/custody/passes/{world.pending.id}/approve", {})
    assert response.status_code == 409
    assert response.json()["code"] == "fees_unpaid"
    assert custody_snapshot() == before
    assert ReleasePass.objects.get(pk=world.pending.id).status == PassStatus.PENDING


@pytest.mark.parametrize(
    "body, field",
    [
        ({"key_overdue_hours": 0}, "key_overdue_hours"),
        ({"key_overdue_hours": "12"}, "key_overdue_hours"),
        ({"release_needs_fees_paid": "yes"}, "release_needs_fees_paid"),
        ({"repair_lead": 999999}, "repair_lead"),
    ],
)
def test_bad_settings_are_refused(api, world, body, field):
    custody_snapshot_before = custody_snapshot()
    response = api.patch(
        "supervisor", f"/api/custody/communities/{world.community.id}/settings", body
    )
    assert_bad(response, field, custody_snapshot_before)


def test_the_pass_pdf_is_a_pdf_with_the_code(api, world):
    import subprocess

    response = api.get("agent", f"/api/custody/passes/{world.approved.id}/pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert world.approved.display_code in text and "3-2-1502" in text


# --- documents ----------------------------------------------------------------------------------


def test_documents_are_searchable_through_the_api(api, world):
    body = api.get("agent", "/api/custody/documents", {"q": "年检"}).json()
    assert [d["title"] for d in body["items"]] == ["电梯年检通知"]


def test_a_bad_scan_is_refused(api, world):
    from propdesk.api.tests.helpers import pdf_file

    before = custody_snapshot()
    response = api.upload(
        "agent",
        "/api/custody/documents",
        {
            "community": world.community.id,
            "category": "incoming",
            "title": "x",
            "location": "y",
            "scan": pdf_file("x.pdf", b"not a pdf at all"),
        },
    )
    assert_bad(response, "scan", before, status=400)


@pytest.mark.parametrize(
    "due_at, status", [("2026-07-11T10:00:00", 201), ("2026-07-09T10:00:00", 400), ("soon", 422)]
)
def test_a_local_return_time_is_read_in_the_sites_time_zone(api, world, due_at, status):
    response = api.post(
        "agent",
        f"/api/custody/keys/{world.key.id}/lend",
        {"purpose": "owner", "owner": world.owner.id, "id_checked": True, "due_at": due_at},
    )
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["due_at"].startswith("2026-07-11T10:00:00")
    else:
        assert response.json()["field"] == "due_at"
