"""Every console page renders for the roles that may see it, refuses the others, and each form
posts to one service: a refusal comes back as a message, not a 500."""

import datetime
import re

import pytest
from django.test import Client

from propdesk.frontdesk.models import DecorationPermit, Inspection, MoveIn
from propdesk.frontdesk.services.decoration import (
    permit_agreement_sign,
    permit_identity_verify,
    permit_issue,
    permit_plan_review,
)
from propdesk.frontdesk.services.inspection import inspection_start
from propdesk.frontdesk.tests.conftest import pay_all, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(agent, supervisor, move_in_by_agent, new_house, permit_ready):
    inspection = inspection_start(actor=agent, house=new_house, move_in=move_in_by_agent)
    return {"move_in": move_in_by_agent, "inspection": inspection, "permit": permit_ready}


def pages(records):
    m, i, p = records["move_in"], records["inspection"], records["permit"]
    return [
        "/frontdesk/",
        "/frontdesk/move-ins/?q=3-2&status=in_progress",
        f"/frontdesk/move-ins/{m.id}/",
        f"/frontdesk/move-ins/{m.id}/record.pdf",
        "/frontdesk/inspections/",
        f"/frontdesk/inspections/{i.id}/",
        "/frontdesk/permits/?q=ZX",
        f"/frontdesk/permits/{p.id}/",
    ]


@pytest.mark.parametrize("role", ["agent", "supervisor", "technician", "guard", "admin"])
def test_every_page_renders_for_those_who_may_see_it(personas, records, role):
    client = client_for(personas[role])
    for url in pages(records):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    ("role", "status"), [("cashier", 403), ("owner", 403), ("other_agent", 404)]
)
def test_pages_refuse_the_others(personas, records, role, status):
    client = client_for(personas[role])
    for url in pages(records)[2:4] + pages(records)[5:6] + pages(records)[7:]:
        assert client.get(url).status_code == status, url


def test_anonymous_visitors_are_sent_to_log_in(records):
    response = Client().get("/frontdesk/move-ins/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_nav_link_shows_for_the_front_desk(personas):
    assert "/frontdesk/" in client_for(personas["agent"]).get("/search/").content.decode()


def test_starting_a_move_in_from_a_house_code(agent, new_house, li_si, wang_wu):
    client = client_for(agent)
    found = client.get("/frontdesk/move-ins/new/", {"code": "3-2-1601"})
    assert found.status_code == 200 and "3-2-1601" in found.content.decode()
    missing = client.get("/frontdesk/move-ins/new/", {"code": "<script>"})
    assert missing.status_code == 200 and "<script>" not in missing.content.decode()
    response = client.post(
        f"/frontdesk/move-ins/new/?house={new_house.id}",
        {"owner": li_si.id, "applicant_kind": "agent", "agent": wang_wu.id},
    )
    move_in = MoveIn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/frontdesk/move-ins/{move_in.id}/"


def test_an_agent_without_power_of_attorney_is_shown_on_the_field(agent, new_house, li_si):
    response = client_for(agent).post(
        f"/frontdesk/move-ins/new/?house={new_house.id}",
        {"owner": li_si.id, "applicant_kind": "agent"},
    )
    assert response.status_code == 400
    assert 'data-field-error="agent"' in response.content.decode()
    assert not MoveIn.objects.exists()


def test_ticking_and_a_refused_step_come_back_as_messages(agent, move_in_by_agent):
    client = client_for(agent)
    url = f"/frontdesk/move-ins/{move_in_by_agent.id}/"
    client.post(f"{url}items/document/id_card/", {"checked": "1"})
    assert move_in_by_agent.items.get(code="id_card").checked_at is not None
    response = client.post(f"{url}steps/verify/", follow=True)
    assert response.status_code == 200
    assert response.context["messages"]
    assert not move_in_by_agent.steps.get(code="verify").is_done
    scan = client.post(f"{url}scan/delivery_notice/", {"file": pdf_upload()})
    assert scan.status_code == 302
    assert move_in_by_agent.items.get(code="delivery_notice").document_id


def test_recording_an_inspection_line_with_a_photo(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    result = inspection.results.first()
    client = client_for(technician)
    client.post(
        f"/frontdesk/inspections/{inspection.id}/results/{result.id}/",
        {"outcome": "fail", "note": "墙面开裂", "photo": png_upload()},
    )
    result.refresh_from_db()
    assert result.outcome == "fail" and result.photo
    assert client.get(f"/frontdesk/inspections/photos/{result.id}/").status_code == 200


def test_starting_an_inspection_from_the_page(technician, new_house):
    client = client_for(technician)
    response = client.post(f"/frontdesk/inspections/new/?house={new_house.id}", {"move_in": ""})
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/frontdesk/inspections/{inspection.id}/"


def test_a_permit_application_from_the_page(agent, house_a, zhang_san, schedule_a):
    response = client_for(agent).post(
        f"/frontdesk/permits/new/?house={house_a.id}",
        {
            "owner": zhang_san.id,
            "applicant_kind": "owner",
            "contractor_name": "安居装饰",
            "contractor_leader": "赵师傅",
            "contractor_mobile": "13600003333",
            "workers": "3",
            "scope": "刷墙",
            "starts_on": "2026-07-10",
            "ends_on": "2026-07-20",
            "plan": pdf_upload(),
        },
    )
    permit = DecorationPermit.objects.get()
    assert response["Location"] == f"/frontdesk/permits/{permit.id}/"
    assert permit.plan_documents.count() == 1


def test_issuing_with_unpaid_fees_shows_the_gate(agent, permit_ready):
    response = client_for(agent).post(f"/frontdesk/permits/{permit_ready.id}/issue/", follow=True)
    text = response.content.decode()
    assert "313.25" in text
    permit_ready.refresh_from_db()
    assert permit_ready.status == "applied"


def test_the_permit_pdf_carries_the_hours(agent, supervisor, permit_ready, tmp_path):
    import subprocess

    pay_all(permit_ready.house)
    permit_identity_verify(actor=agent, permit=permit_ready)
    permit_plan_review(actor=supervisor, permit=permit_ready, approve=True)
    permit_agreement_sign(actor=agent, permit=permit_ready)
    permit_issue(actor=agent, permit=permit_ready)
    response = client_for(agent).get(f"/frontdesk/permits/{permit_ready.id}/permit.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "permit.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    text = text.decode()
    assert permit_ready.number in text and "08:00–12:00" in text and "承重墙" in text


def test_the_noise_complaint_shows_the_permit_in_force(agent, supervisor, permit_ready, zhang_san):
    from propdesk.tickets.services.intake import request_create

    pay_all(permit_ready.house)
    permit_identity_verify(actor=agent, permit=permit_ready)
    permit_plan_review(actor=supervisor, permit=permit_ready, approve=True)
    permit_agreement_sign(actor=agent, permit=permit_ready)
    permit_issue(actor=agent, permit=permit_ready)
    request = request_create(
        actor=agent,
        kind="complaint",
        category="noise",
        urgency="normal",
        description="楼上装修电钻声太吵",
        house=permit_ready.house,
    )
    text = client_for(agent).get(f"/requests/{request.id}/").content.decode()
    assert 'data-testid="active-permit"' in text and permit_ready.number in text
    assert "08:00–12:00" in text


def test_the_configuration_page_saves_the_rules(supervisor, community_a):
    client = client_for(supervisor)
    assert client.get("/frontdesk/configuration/").status_code == 200
    response = client.post(
        f"/frontdesk/configuration/?community={community_a.id}",
        {
            "community": community_a.id,
            "work_start": "08:30",
            "break_start": "12:00",
            "break_end": "14:00",
            "work_end": "17:30",
            "quiet_on_rest_days": "on",
            "prohibitions": "不得拆改承重墙",
            "deposit_required": "on",
            "deposit": "1500.00",
            "max_days": "60",
        },
    )
    assert response.status_code == 302
    from propdesk.frontdesk.selectors import decoration_rules_for

    rules = decoration_rules_for(community_a.id)
    assert rules.community_id == community_a.id
    assert rules.work_start == datetime.time(8, 30) and rules.deposit_fen == 150000
    bad = client.post(
        f"/frontdesk/configuration/?community={community_a.id}",
        {
            "work_start": "19:00",
            "break_start": "12:00",
            "break_end": "14:00",
            "work_end": "17:30",
            "deposit": "0",
            "max_days": "60",
        },
    )
    assert bad.status_code == 400


def test_the_configuration_page_is_for_supervisors(personas):
    assert client_for(personas["agent"]).get("/frontdesk/configuration/").status_code == 403


def test_the_move_in_record_pdf_lists_steps_and_documents(agent, move_in_by_agent, tmp_path):
    import subprocess

    from propdesk.frontdesk.tests.conftest import steps_until

    steps_until(agent, move_in_by_agent, "verify")
    response = client_for(agent).get(f"/frontdesk/move-ins/{move_in_by_agent.id}/record.pdf")
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    text = text.decode()
    assert move_in_by_agent.number in text and "3-2-1601" in text and "王五" in text
    assert "A-2026-000001" in text  # the power of attorney's archive number


@pytest.mark.parametrize("count", [1, 4])
def test_busy_pages_run_a_fixed_number_of_queries(
    agent, supervisor, records, django_assert_max_num_queries, count
):
    from propdesk.frontdesk.services.move_in import move_in_item_set

    client = client_for(agent)
    move_in = records["move_in"]
    for item in list(move_in.items.all())[:count]:
        move_in_item_set(actor=agent, move_in=move_in, group=item.group, code=item.code)
    urls = {
        f"/frontdesk/move-ins/{move_in.id}/": 11,
        f"/frontdesk/inspections/{records['inspection'].id}/": 8,
        f"/frontdesk/permits/{records['permit'].id}/": 11,
        "/frontdesk/move-ins/": 7,
        "/frontdesk/inspections/": 7,
        "/frontdesk/permits/": 7,
    }
    for url, limit in urls.items():
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_other_requests_show_no_permit_and_a_quiet_house_says_so(agent, house_a, zhang_san):
    from propdesk.tickets.services.intake import request_create

    noise = request_create(
        actor=agent,
        kind="complaint",
        category="noise",
        urgency="normal",
        description="楼上有噪音",
        house=house_a,
    )
    leak = request_create(
        actor=agent,
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="厨房漏水",
        house=house_a,
    )
    client = client_for(agent)
    assert 'data-testid="no-active-permit"' in client.get(f"/requests/{noise.id}/").content.decode()
    text = client.get(f"/requests/{leak.id}/").content.decode()
    assert "active-permit" not in text


def test_the_permit_page_follows_the_deposit_to_its_refund(
    agent, supervisor, accepted_with_deposit
):
    from propdesk.billing.models import LedgerAdjustment

    url = f"/frontdesk/permits/{accepted_with_deposit.id}/"
    page = client_for(agent).get(url).content.decode()
    assert 'data-status="paid"' in page and 'data-testid="refund-form"' in page
    bad = client_for(agent).post(url + "refund/", {"method": "gold"}, follow=True)
    assert bad.status_code == 200 and not LedgerAdjustment.objects.exists()
    done = client_for(agent).post(url + "refund/", {"method": "cash", "reason": "验收合格"})
    assert done.status_code == 302
    page = client_for(agent).get(url).content.decode()
    assert 'data-status="refund_pending"' in page and 'data-testid="refund-form"' not in page
    adjustment = LedgerAdjustment.objects.get()
    assert (adjustment.kind, adjustment.method, adjustment.reason) == (
        "deposit_refund",
        "cash",
        "验收合格",
    )
    approved = client_for(supervisor).post(f"/billing/corrections/{adjustment.id}/approve/")
    assert approved.status_code == 302
    assert 'data-status="refunded"' in client_for(agent).get(url).content.decode()


def test_an_unpaid_deposit_links_the_cashier_to_the_payment(
    agent, supervisor, house_a, permit_ready
):
    from propdesk.frontdesk.services.configure import decoration_rules_update
    from propdesk.frontdesk.services.decoration import permit_cancel
    from propdesk.frontdesk.tests.conftest import permit_for

    decoration_rules_update(actor=supervisor, community=house_a.community, deposit_required=True)
    permit_cancel(actor=agent, permit=permit_ready, reason="重新申请")
    permit = permit_for(agent, house_a, permit_ready.owner, plan_files=[])
    url = f"/frontdesk/permits/{permit.id}/"
    payment_link = f'data-testid="take-deposit" href="/billing/houses/{house_a.id}/"'
    as_supervisor = client_for(supervisor).get(url).content.decode()
    assert 'data-status="unpaid"' in as_supervisor and payment_link in as_supervisor
    as_agent = client_for(agent).get(url).content.decode()  # the desk does not take money
    assert 'data-status="unpaid"' in as_agent and payment_link not in as_agent


def test_the_move_in_names_who_came_with_a_persons_name_label(personas, records):
    """名称 is the name of a thing; the person who came has a 姓名."""
    move_in = records["move_in"]
    content = client_for(personas["agent"]).get(f"/frontdesk/move-ins/{move_in.id}/")
    content = content.content.decode()
    assert re.search(r"<dt[^>]*>姓名</dt><dd[^>]*data-testid=\"person-name\"", content)
    assert ">名称</dt>" not in content
