"""Move-in (入伙): the checklist by who came, the ten steps in order, each gate, and the house
occupied at the end."""

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.frontdesk.models import MoveIn, MoveInStatus
from propdesk.frontdesk.procedures import DOCUMENTS, STEP_CODES
from propdesk.frontdesk.services.inspection import inspection_start, inspection_submit
from propdesk.frontdesk.services.move_in import (
    move_in_cancel,
    move_in_document_scan,
    move_in_item_set,
    move_in_start,
    move_in_step_complete,
)
from propdesk.frontdesk.tests.conftest import (
    bill_fee,
    pay_all,
    pdf_upload,
    record_all,
    snapshot,
    steps_until,
    tick_documents,
)

pytestmark = pytest.mark.django_db


def documents(move_in):
    return list(move_in.items.filter(group="document").values_list("code", flat=True))


def test_an_owner_in_person_brings_four_documents(agent, new_house, li_si):
    move_in = move_in_start(actor=agent, house=new_house, owner=li_si, applicant_kind="owner")
    assert move_in.number == "RH2026000001"
    assert move_in.person_name == "李四"
    assert documents(move_in) == [
        "id_card",
        "delivery_notice",
        "purchase_invoice",
        "price_settlement",
    ]
    assert list(move_in.steps.values_list("code", flat=True)) == STEP_CODES
    assert move_in.items.filter(group="form").count() == 6


def test_an_agent_adds_the_principals_id_and_the_power_of_attorney(move_in_by_agent, wang_wu):
    assert documents(move_in_by_agent)[-2:] == ["principal_id", "power_of_attorney"]
    assert move_in_by_agent.person_name == "王五"
    poa = move_in_by_agent.items.get(code="power_of_attorney")
    assert poa.document_id == wang_wu.power_of_attorney_id


def test_a_company_purchase_adds_the_company_certificate(agent, new_house, admin):
    from propdesk.api.tests.helpers import CREDIT_CODE
    from propdesk.estates import services

    company = services.owner_create(
        actor=admin,
        community=new_house.community,
        name="星光科技有限公司",
        kind="company",
        id_type="credit_code",
        id_number=CREDIT_CODE,
    )
    services.ownership_add(actor=admin, house=new_house, owner=company)
    with pytest.raises(ValidationFailed) as refused:
        move_in_start(actor=agent, house=new_house, owner=company, applicant_kind="company")
    assert refused.value.field == "person_name"
    move_in = move_in_start(
        actor=agent,
        house=new_house,
        owner=company,
        applicant_kind="company",
        person_name="陈经理",
    )
    assert documents(move_in)[-1] == "company_certificate"


def test_it_refuses_an_agent_without_a_power_of_attorney_on_file(agent, new_house, li_si):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        move_in_start(actor=agent, house=new_house, owner=li_si, applicant_kind="agent")
    assert refused.value.code == "power_of_attorney_missing"
    assert refused.value.field == "agent"
    assert snapshot() == before


def test_it_refuses_a_revoked_entrustment_at_verification(agent, move_in_by_agent, wang_wu):
    from propdesk.estates.services import agent_revoke

    tick_documents(agent, move_in_by_agent)
    agent_revoke(actor=agent, agent=wang_wu, reason="业主撤销")
    with pytest.raises(ValidationFailed) as refused:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="verify")
    assert refused.value.code == "entrustment_invalid"
    assert not move_in_by_agent.steps.get(code="verify").is_done


def test_it_refuses_someone_who_does_not_own_the_house(agent, new_house, zhang_san):
    with pytest.raises(ValidationFailed) as refused:
        move_in_start(actor=agent, house=new_house, owner=zhang_san, applicant_kind="owner")
    assert refused.value.field == "owner"


def test_it_refuses_an_occupied_house_and_a_second_open_move_in(
    agent, house_a, zhang_san, move_in_by_agent, li_si, new_house
):
    with pytest.raises(Conflict) as occupied:
        move_in_start(actor=agent, house=house_a, owner=zhang_san, applicant_kind="owner")
    assert occupied.value.code == "house_occupied"
    with pytest.raises(Conflict) as twice:
        move_in_start(actor=agent, house=new_house, owner=li_si, applicant_kind="owner")
    assert twice.value.code == "already_open"
    assert MoveIn.objects.count() == 1


@pytest.mark.parametrize("role", ["technician", "cashier", "guard", "owner", "other_agent"])
def test_only_the_front_desk_runs_a_move_in(personas, role, new_house, li_si):
    with pytest.raises(PermissionDenied):
        move_in_start(actor=personas[role], house=new_house, owner=li_si, applicant_kind="owner")
    assert not MoveIn.objects.exists()


def test_verification_waits_for_every_document(agent, move_in_by_agent):
    move_in_item_set(actor=agent, move_in=move_in_by_agent, group="document", code="id_card")
    with pytest.raises(Conflict) as refused:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="verify")
    assert refused.value.code == "documents_missing"
    assert str(DOCUMENTS["power_of_attorney"][0]) in str(refused.value.message)


def test_steps_go_in_order(agent, move_in_by_agent):
    with pytest.raises(Conflict) as refused:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="pay_fees")
    assert refused.value.code == "step_out_of_order"
    assert not move_in_by_agent.steps.filter(done_at__isnull=False).exists()


def test_a_step_records_who_and_when(agent, move_in_by_agent, clock):
    tick_documents(agent, move_in_by_agent)
    step = move_in_step_complete(
        actor=agent, move_in=move_in_by_agent, code="verify", note="原件已核对"
    )
    assert step.done_by == agent
    assert step.done_at is not None and step.note == "原件已核对"
    with pytest.raises(Conflict):
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="verify")
    with pytest.raises(Conflict) as frozen:
        move_in_item_set(
            actor=agent, move_in=move_in_by_agent, group="document", code="id_card", checked=False
        )
    assert frozen.value.code == "wrong_state"


def test_collecting_forms_waits_for_every_form(agent, move_in_by_agent):
    steps_until(agent, move_in_by_agent, "fill_forms")
    move_in_item_set(actor=agent, move_in=move_in_by_agent, group="form", code="household_card")
    with pytest.raises(Conflict) as refused:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="collect_forms")
    assert refused.value.code == "forms_missing"


def test_the_fee_gate_refuses_payment_while_the_house_owes(agent, move_in_by_agent, new_house):
    steps_until(agent, move_in_by_agent, "collect_forms")
    bill_fee(agent, new_house)
    with pytest.raises(Conflict) as refused:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="pay_fees")
    assert refused.value.code == "fees_unpaid"
    assert "500.00" in str(refused.value.message)
    pay_all(new_house)
    step = move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="pay_fees")
    assert step.is_done


def test_the_inspection_steps_wait_for_the_recorded_inspection(agent, move_in_by_agent, new_house):
    steps_until(agent, move_in_by_agent, "keys_handover")
    with pytest.raises(Conflict) as refused:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="inspection")
    assert refused.value.code == "inspection_not_done"
    inspection = inspection_start(actor=agent, house=new_house, move_in=move_in_by_agent)
    record_all(agent, inspection)
    inspection_submit(actor=agent, inspection=inspection)
    move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="inspection")


def test_archiving_completes_the_move_in_and_the_house_is_occupied(
    agent, move_in_by_agent, new_house
):
    steps_until(agent, move_in_by_agent, "keys_handover")
    inspection = inspection_start(actor=agent, house=new_house, move_in=move_in_by_agent)
    record_all(agent, inspection)
    inspection_submit(actor=agent, inspection=inspection)
    steps_until(agent, move_in_by_agent, "archive")
    move_in_by_agent.refresh_from_db()
    new_house.refresh_from_db()
    assert move_in_by_agent.status == MoveInStatus.COMPLETED
    assert move_in_by_agent.completed_at is not None
    assert new_house.status == "occupied"
    change = new_house.status_changes.order_by("-id").first()
    assert (change.from_status, change.to_status) == ("vacant", "occupied")
    assert move_in_by_agent.number in change.note


def test_a_scanned_document_gets_its_archive_number(agent, move_in_by_agent):
    item = move_in_document_scan(
        actor=agent, move_in=move_in_by_agent, code="delivery_notice", uploaded=pdf_upload()
    )
    assert item.document.archive_number.startswith("A-2026-")
    assert item.document.house_id == move_in_by_agent.house_id
    assert item.checked_by == agent


def test_a_scan_that_is_not_a_document_is_refused(agent, move_in_by_agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        move_in_document_scan(
            actor=agent,
            move_in=move_in_by_agent,
            code="id_card",
            uploaded=SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>"),
        )
    assert refused.value.field == "file"
    assert snapshot() == before


def test_cancelling_needs_a_reason(agent, move_in_by_agent):
    with pytest.raises(ValidationFailed):
        move_in_cancel(actor=agent, move_in=move_in_by_agent, reason=" ")
    move_in_cancel(actor=agent, move_in=move_in_by_agent, reason="业主改期")
    move_in_by_agent.refresh_from_db()
    assert move_in_by_agent.status == MoveInStatus.CANCELLED


def test_an_unknown_step_or_item_is_refused(agent, move_in_by_agent):
    from propdesk.core.errors import NotFound

    with pytest.raises(ValidationFailed) as bad_step:
        move_in_step_complete(actor=agent, move_in=move_in_by_agent, code="'; DROP TABLE x;--")
    assert bad_step.value.field == "step"
    with pytest.raises(NotFound):
        move_in_item_set(actor=agent, move_in=move_in_by_agent, group="form", code="<script>")
