"""Console pages of keys, passes, the gate and the document register: each renders for the roles
that use it and refuses the others; each form calls its service and shows errors on the field."""

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.models import OutboxMessage
from propdesk.custody.models import Key, KeyLoan, RegisteredDocument, ReleasePass
from propdesk.custody.tests.conftest import custody_snapshot


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


PAGES = {
    "home": lambda w: reverse("custody_home"),
    "keys": lambda w: reverse("custody_keys") + "?q=K&status=in_store&kind=house&overdue=1",
    "key_new": lambda w: reverse("custody_key_new"),
    "key_detail": lambda w: reverse("custody_key_detail", args=[w.key.id]),
    "key_lent_detail": lambda w: reverse("custody_key_detail", args=[w.lent_key.id]),
    "lend_owner": lambda w: reverse("custody_key_lend", args=[w.key.id]) + "?purpose=owner",
    "lend_agent": lambda w: reverse("custody_key_lend", args=[w.key.id]) + "?purpose=agent",
    "lend_warranty": lambda w: reverse("custody_key_lend", args=[w.key.id]) + "?purpose=warranty",
    "key_edit": lambda w: reverse("custody_key_edit", args=[w.key.id]),
    "key_retire": lambda w: reverse("custody_key_retire", args=[w.key.id]),
    "contractors": lambda w: reverse("custody_contractors"),
    "contractor_new": lambda w: reverse("custody_contractor_new"),
    "passes": lambda w: reverse("custody_passes") + "?state=expired&q=3-2&date=2026-07-10",
    "pass_house": lambda w: reverse("custody_pass_new"),
    "pass_new": lambda w: reverse("custody_pass_new") + f"?house={w.house.id}",
    "pass_detail": lambda w: reverse("custody_pass_detail", args=[w.approved.id]),
    "pass_pdf": lambda w: reverse("custody_pass_pdf", args=[w.approved.id]),
    "gate": lambda w: reverse("custody_gate") + f"?code={w.approved.code}",
    "documents": lambda w: reverse("custody_documents") + "?q=年检&category=incoming",
    "document_new": lambda w: reverse("custody_document_new"),
    "document_detail": lambda w: reverse("custody_document_detail", args=[w.document.id]),
    "document_move": lambda w: reverse("custody_document_move", args=[w.document.id]),
    "document_lend": lambda w: reverse("custody_document_lend", args=[w.document.id]),
    "document_scan": lambda w: reverse("custody_document_scan", args=[w.document.id]),
    "settings": lambda w: reverse("custody_settings"),
}
VIEW_PAGES = {"home", "keys", "key_detail", "key_lent_detail", "contractors", "passes"}
VIEW_PAGES |= {"pass_detail", "pass_pdf"}
KEEPER_PAGES = {"key_new", "lend_owner", "lend_agent", "lend_warranty", "key_edit", "key_retire"}
KEEPER_PAGES |= {"contractor_new"}
ISSUER_PAGES = {"pass_house", "pass_new"}
CHECK_PAGES = {"gate"}
DOCUMENT_PAGES = {"documents", "document_new", "document_detail", "document_move"}
DOCUMENT_PAGES |= {"document_lend", "document_scan"}
ALLOWED = {
    "agent": VIEW_PAGES | KEEPER_PAGES | ISSUER_PAGES | CHECK_PAGES | DOCUMENT_PAGES,
    "supervisor": set(PAGES),
    "admin": set(PAGES),
    "technician": VIEW_PAGES,
    "guard": VIEW_PAGES | CHECK_PAGES,
    "cashier": set(),
    "owner": set(),
}
CASES = [(page, role) for page in PAGES for role in ALLOWED]


@pytest.mark.parametrize("page, role", CASES, ids=[f"{p}-{r}" for p, r in CASES])
def test_page_for_role(world, personas, page, role):
    response = client_for(personas[role]).get(PAGES[page](world))
    expected = 200 if page in ALLOWED[role] else 403
    assert response.status_code == expected, (page, role)


def test_another_communitys_records_are_not_found(world, personas):
    client = client_for(personas["other_agent"])
    for name in ("key_detail", "pass_detail", "document_detail", "pass_pdf", "document_scan"):
        assert client.get(PAGES[name](world)).status_code == 404, name


def test_anonymous_users_are_sent_to_log_in(world):
    response = Client().get(reverse("custody_keys"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_links_to_the_app(world, personas):
    agent_page = client_for(personas["agent"]).get(reverse("custody_passes")).content.decode()
    assert reverse("custody_home") in agent_page
    guard_page = client_for(personas["guard"]).get(reverse("custody_gate")).content.decode()
    assert f'href="{reverse("custody_gate")}"' in guard_page


# --- forms --------------------------------------------------------------------------------------


def test_registering_a_key_from_the_form(world, personas):
    response = client_for(personas["agent"]).post(
        reverse("custody_key_new"),
        {
            "community": world.community.id,
            "kind": "house",
            "house_code": "3-2-1502",
            "label": "K-备用",
            "location": "钥匙柜A-13",
            "copies": 2,
        },
    )
    key = Key.objects.get(label="K-备用")
    assert response.status_code == 302 and response["Location"].endswith(f"/keys/{key.id}/")
    assert (key.house, key.copies) == (world.house, 2)


def test_a_bad_house_code_shows_on_the_field(world, personas):
    before = custody_snapshot()
    response = client_for(personas["agent"]).post(
        reverse("custody_key_new"),
        {
            "community": world.community.id,
            "kind": "house",
            "house_code": "<script>",
            "label": "K-X",
            "location": "A",
            "copies": 1,
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="house_code"' in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main")[1].split("value=")[0]
    assert custody_snapshot() == before


def test_lending_to_the_owner_without_the_id_check_shows_the_gate(world, personas):
    before = custody_snapshot()
    response = client_for(personas["agent"]).post(
        reverse("custody_key_lend", args=[world.key.id]) + "?purpose=owner",
        {"owner": world.owner.id},
    )
    assert response.status_code == 400
    assert 'data-field-error="id_checked"' in response.content.decode()
    assert custody_snapshot() == before


def test_lending_and_returning_from_the_pages(world, personas):
    client = client_for(personas["agent"])
    response = client.post(
        reverse("custody_key_lend", args=[world.key.id]) + "?purpose=owner",
        {"owner": world.owner.id, "id_checked": "on"},
    )
    assert response.status_code == 302
    assert KeyLoan.objects.get(key=world.key, returned_at__isnull=True).borrower_name == "张三"
    response = client.post(reverse("custody_key_return", args=[world.key.id]), {"note": "完好"})
    assert response.status_code == 302
    assert not KeyLoan.objects.filter(key=world.key, returned_at__isnull=True).exists()


def test_a_warranty_return_from_the_page_notifies(world, personas):
    client = client_for(personas["agent"])
    client.post(
        reverse("custody_key_lend", args=[world.key.id]) + "?purpose=warranty",
        {
            "contractor": world.contractor.id,
            "borrower_name": "赵工",
            "borrower_id_number": "110105198001010016",
            "id_checked": "on",
            "reason": "门锁保修",
        },
    )
    client.post(reverse("custody_key_return", args=[world.key.id]))
    assert OutboxMessage.objects.filter(event="custody.warranty_key_returned").count() == 1


def test_applying_approving_and_using_a_pass_from_the_pages(world, personas):
    agent = client_for(personas["agent"])
    response = agent.post(
        reverse("custody_pass_new"),
        {
            "house": world.house.id,
            "applicant": f"owner:{world.owner.id}",
            "items": "钢琴一台",
            "release_on": "2026-07-10",
            "vehicle_plate": "粤B12345",
        },
    )
    release_pass = ReleasePass.objects.get(items="钢琴一台")
    assert response.status_code == 302
    agent.post(reverse("custody_pass_approve", args=[release_pass.id]))
    release_pass.refresh_from_db()
    assert release_pass.status == "approved"
    detail = agent.get(reverse("custody_pass_detail", args=[release_pass.id])).content.decode()
    assert "<svg" in detail and "粤B***45" in detail and "粤B12345" not in detail
    guard = client_for(personas["guard"])
    gate = guard.get(reverse("custody_gate") + f"?code={release_pass.display_code}")
    assert 'data-testid="gate-use"' in gate.content.decode()
    guard.post(reverse("custody_gate_use"), {"code": release_pass.code})
    release_pass.refresh_from_db()
    assert release_pass.status == "used"
    again = guard.get(reverse("custody_gate") + f"?code={release_pass.code}").content.decode()
    assert 'data-testid="gate-refusal"' in again and 'data-testid="gate-use"' not in again


def test_an_unlinked_applicant_choice_is_refused(world, personas):
    before = custody_snapshot()
    response = client_for(personas["agent"]).post(
        reverse("custody_pass_new") + f"?house={world.house.id}",
        {
            "house": world.house.id,
            "applicant": "owner:999999",
            "items": "x",
            "release_on": "2026-07-10",
        },
    )
    assert response.status_code == 400
    assert custody_snapshot() == before


def test_the_gate_explains_a_bad_code(world, personas):
    response = client_for(personas["guard"]).get(reverse("custody_gate") + "?code=<script>")
    assert response.status_code == 400
    assert 'data-testid="gate-error"' in response.content.decode()
    assert "<script>" not in response.content.decode().split('id="gate-code"')[1][:200]


def test_rejecting_without_a_reason_keeps_the_pass_pending(world, personas):
    client = client_for(personas["agent"])
    response = client.post(reverse("custody_pass_reject", args=[world.pending.id]), {"reason": ""})
    assert response.status_code == 302
    world.pending.refresh_from_db()
    assert world.pending.status == "pending"


def test_registering_a_document_with_a_scan(world, personas, pdf):
    response = client_for(personas["agent"]).post(
        reverse("custody_document_new"),
        {
            "community": world.community.id,
            "category": "resident_file",
            "title": "张三家庭情况登记卡",
            "house_code": "3-2-1502",
            "location": "住户档案柜3",
            "scan": pdf("登记卡.pdf"),
        },
    )
    assert response.status_code == 302
    document = RegisteredDocument.objects.get(title="张三家庭情况登记卡")
    assert document.house == world.house and document.scan_name == "登记卡.pdf"


def test_lending_a_document_from_the_page(world, personas):
    client = client_for(personas["agent"])
    client.post(
        reverse("custody_document_lend", args=[world.document.id]),
        {"borrower_name": "刘工", "purpose": "核对", "due_on": "2026-07-12"},
    )
    world.document.refresh_from_db()
    assert world.document.status == "lent"
    client.post(reverse("custody_document_return", args=[world.document.id]))
    world.document.refresh_from_db()
    assert world.document.status == "on_file"


def test_the_rules_form(world, personas):
    response = client_for(personas["supervisor"]).post(
        reverse("custody_settings"),
        {
            "community": world.community.id,
            "release_needs_fees_paid": "on",
            "key_overdue_hours": 6,
            "pass_validity_hours": 12,
            "repair_lead": str(personas["technician"].id),
        },
    )
    assert response.status_code == 302
    from propdesk.custody.services.config import custody_settings_for

    config = custody_settings_for(world.community.id)
    assert (config.release_needs_fees_paid, config.key_overdue_hours, config.repair_lead) == (
        True,
        6,
        personas["technician"],
    )
