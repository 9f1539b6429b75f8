"""Decoration permits (装修): the application bills the decoration fee; the permit is issued only
when every gate is met; patrols, acceptance and the deposit refund."""

import datetime

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.frontdesk.models import DecorationPermit, PermitStatus
from propdesk.frontdesk.selectors import active_permit_for_house
from propdesk.frontdesk.services.configure import decoration_rules_update
from propdesk.frontdesk.services.decoration import (
    permit_accept,
    permit_agreement_sign,
    permit_apply,
    permit_cancel,
    permit_deposit_refund,
    permit_identity_verify,
    permit_issue,
    permit_patrol_record,
    permit_plan_add,
    permit_plan_review,
)
from propdesk.frontdesk.tests.conftest import TODAY, pay_all, pdf_upload, snapshot

pytestmark = pytest.mark.django_db


def apply(actor, house, owner, **overrides):
    values = {
        "applicant_kind": "owner",
        "contractor_name": "安居装饰公司",
        "contractor_leader": "赵师傅",
        "contractor_mobile": "13600003333",
        "scope": "厨卫翻新",
        "starts_on": TODAY,
        "ends_on": TODAY + datetime.timedelta(days=30),
    }
    values.update(overrides)
    return permit_apply(actor=actor, house=house, owner=owner, **values)


def all_gates(agent, supervisor, permit):
    pay_all(permit.house)
    permit_identity_verify(actor=agent, permit=permit)
    permit_plan_review(actor=supervisor, permit=permit, approve=True)
    permit_agreement_sign(actor=agent, permit=permit)


def test_applying_bills_the_decoration_fee(permit_ready):
    bill = permit_ready.fee_bill
    assert bill.fee_item.code == "decoration"
    assert bill.amount_fen == 31325  # 89.50 m² × 3.50
    assert bill.ref == f"permit:{permit_ready.number}"
    assert permit_ready.number == "ZX2026000001"
    assert permit_ready.plan_documents.count() == 1
    assert permit_ready.status == PermitStatus.APPLIED


def test_issuing_refuses_while_fees_are_unpaid(agent, supervisor, permit_ready):
    permit_identity_verify(actor=agent, permit=permit_ready)
    permit_plan_review(actor=supervisor, permit=permit_ready, approve=True)
    permit_agreement_sign(actor=agent, permit=permit_ready)
    with pytest.raises(Conflict) as refused:
        permit_issue(actor=agent, permit=permit_ready)
    assert refused.value.code == "fees_unpaid"
    assert "313.25" in str(refused.value.message)
    permit_ready.refresh_from_db()
    assert permit_ready.status == PermitStatus.APPLIED


def test_issuing_refuses_an_unapproved_plan(agent, supervisor, permit_ready):
    pay_all(permit_ready.house)
    permit_identity_verify(actor=agent, permit=permit_ready)
    permit_agreement_sign(actor=agent, permit=permit_ready)
    with pytest.raises(Conflict) as refused:
        permit_issue(actor=agent, permit=permit_ready)
    assert refused.value.code == "plan_not_approved"
    permit_plan_review(actor=supervisor, permit=permit_ready, approve=False, note="改动承重墙")
    with pytest.raises(Conflict) as rejected:
        permit_issue(actor=agent, permit=permit_ready)
    assert rejected.value.code == "plan_not_approved"


def test_issuing_refuses_unverified_identity_and_unsigned_agreement(
    agent, supervisor, permit_ready
):
    pay_all(permit_ready.house)
    permit_plan_review(actor=supervisor, permit=permit_ready, approve=True)
    with pytest.raises(Conflict) as identity:
        permit_issue(actor=agent, permit=permit_ready)
    assert identity.value.code == "identity_not_verified"
    permit_identity_verify(actor=agent, permit=permit_ready)
    with pytest.raises(Conflict) as agreement:
        permit_issue(actor=agent, permit=permit_ready)
    assert agreement.value.code == "agreement_not_signed"


def test_an_agent_application_needs_the_power_of_attorney(agent, new_house, li_si):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        apply(agent, new_house, li_si, applicant_kind="agent")
    assert refused.value.code == "power_of_attorney_missing"
    assert snapshot() == before


def test_a_revoked_entrustment_fails_identity_verification(agent, new_house, li_si, wang_wu):
    from propdesk.estates.services import agent_revoke

    permit = apply(agent, new_house, li_si, applicant_kind="agent", agent=wang_wu)
    agent_revoke(actor=agent, agent=wang_wu)
    with pytest.raises(ValidationFailed) as refused:
        permit_identity_verify(actor=agent, permit=permit)
    assert refused.value.code == "entrustment_invalid"


def test_issuing_puts_the_house_under_decoration_and_acceptance_puts_it_back(
    agent, supervisor, permit_ready
):
    all_gates(agent, supervisor, permit_ready)
    permit = permit_issue(actor=agent, permit=permit_ready)
    house = permit.house
    house.refresh_from_db()
    assert permit.status == PermitStatus.ISSUED and house.status == "decorating"
    assert active_permit_for_house(house).pk == permit.pk
    permit = permit_accept(actor=agent, permit=permit, note="验收合格")
    house.refresh_from_db()
    assert permit.status == PermitStatus.COMPLETED and house.status == "occupied"
    assert active_permit_for_house(house) is None


def test_only_a_supervisor_approves_the_plan(agent, permit_ready):
    with pytest.raises(PermissionDenied):
        permit_plan_review(actor=agent, permit=permit_ready, approve=True)


def test_a_rejection_needs_a_reason_and_a_revised_plan_goes_back_to_review(
    agent, supervisor, permit_ready
):
    with pytest.raises(ValidationFailed) as refused:
        permit_plan_review(actor=supervisor, permit=permit_ready, approve=False)
    assert refused.value.field == "note"
    permit_plan_review(actor=supervisor, permit=permit_ready, approve=False, note="缺水电图")
    permit = permit_plan_add(actor=agent, permit=permit_ready, uploaded=pdf_upload("v2.pdf"))
    assert permit.plan_decision == "pending"
    assert permit.plan_documents.count() == 2


def test_a_plan_is_needed_before_review(agent, supervisor, house_a, zhang_san, schedule_a):
    permit = apply(agent, house_a, zhang_san)
    with pytest.raises(Conflict) as refused:
        permit_plan_review(actor=supervisor, permit=permit, approve=True)
    assert refused.value.code == "plan_missing"


def test_the_deposit_is_billed_paid_at_the_desk_and_refunded_after_approval(
    agent, supervisor, house_a, zhang_san, schedule_a
):
    from propdesk.billing.models import LedgerEntry, Payment
    from propdesk.billing.selectors.accounts import house_balance_fen
    from propdesk.billing.services.adjustments import adjustment_approve
    from propdesk.frontdesk.selectors import deposit_state

    decoration_rules_update(
        actor=supervisor, community=house_a.community, deposit_required=True, deposit="2000.00"
    )
    permit = apply(agent, house_a, zhang_san, plan_files=[pdf_upload()])
    assert permit.deposit_fen == 200000
    bill = permit.deposit_bill
    assert (bill.fee_item.code, bill.amount_fen, bill.ref) == (
        "decoration_deposit",
        200000,
        f"deposit:permit:{permit.number}",
    )
    assert deposit_state(permit).status == "unpaid"
    permit_identity_verify(actor=agent, permit=permit)
    permit_plan_review(actor=supervisor, permit=permit, approve=True)
    permit_agreement_sign(actor=agent, permit=permit)
    with pytest.raises(Conflict) as refused:
        permit_issue(actor=agent, permit=permit)
    assert (refused.value.code, refused.value.field) == ("deposit_not_received", "deposit")
    paid = pay_all(permit.house)  # the cashier takes the fee and the deposit: one receipt
    assert Payment.objects.get(pk=paid.payment.pk).amount_fen == 31325 + 200000
    assert deposit_state(permit).status == "paid"
    permit = permit_issue(actor=agent, permit=permit)
    with pytest.raises(Conflict):
        permit_deposit_refund(actor=agent, permit=permit, method="cash")
    permit_accept(actor=agent, permit=permit)
    permit = permit_deposit_refund(actor=agent, permit=permit, method="cash")
    assert deposit_state(permit).status == "refund_pending"
    with pytest.raises(Conflict):  # asked for once
        permit_deposit_refund(actor=agent, permit=permit, method="cash")
    adjustment_approve(actor=supervisor, adjustment=permit.deposit_refund)
    permit.refresh_from_db()
    state = deposit_state(permit)
    assert state.status == "refunded" and state.refunded_at is not None
    refunds = LedgerEntry.objects.filter(adjustment=permit.deposit_refund, kind="refund")
    assert [e.amount_fen for e in refunds] == [200000]
    assert house_balance_fen(house_a) == 0


def test_a_rejected_refund_may_be_asked_for_again(
    agent, supervisor, house_a, zhang_san, schedule_a
):
    from propdesk.billing.services.adjustments import adjustment_reject
    from propdesk.frontdesk.selectors import deposit_state

    decoration_rules_update(actor=supervisor, community=house_a.community, deposit_required=True)
    permit = apply(agent, house_a, zhang_san, plan_files=[pdf_upload()])
    all_gates(agent, supervisor, permit)
    permit = permit_accept(actor=agent, permit=permit_issue(actor=agent, permit=permit))
    permit = permit_deposit_refund(actor=agent, permit=permit, method="cash", reason="退现金")
    adjustment_reject(actor=supervisor, adjustment=permit.deposit_refund, note="改为转账")
    permit.refresh_from_db()
    assert deposit_state(permit) == deposit_state(permit).__class__("paid", refund_rejected=True)
    permit = permit_deposit_refund(actor=agent, permit=permit, method="bank_transfer")
    assert permit.deposit_refund.method == "bank_transfer"
    assert deposit_state(permit).status == "refund_pending"


@pytest.mark.parametrize(
    ("method", "reason", "field"),
    [("", "", "method"), ("gold", "", "method"), ("cash", "退" * 201, "reason")],
)
def test_bad_refunds_name_the_field_and_write_nothing(
    agent, supervisor, house_a, zhang_san, schedule_a, method, reason, field
):
    from propdesk.billing.models import LedgerAdjustment

    decoration_rules_update(actor=supervisor, community=house_a.community, deposit_required=True)
    permit = apply(agent, house_a, zhang_san, plan_files=[pdf_upload()])
    all_gates(agent, supervisor, permit)
    permit = permit_accept(actor=agent, permit=permit_issue(actor=agent, permit=permit))
    with pytest.raises(ValidationFailed) as exc:
        permit_deposit_refund(actor=agent, permit=permit, method=method, reason=reason)
    assert exc.value.field == field
    assert not LedgerAdjustment.objects.exists()
    permit.refresh_from_db()
    assert permit.deposit_refund is None


def test_without_a_deposit_there_is_nothing_to_refund(agent, supervisor, permit_ready):
    all_gates(agent, supervisor, permit_ready)
    permit = permit_accept(actor=agent, permit=permit_issue(actor=agent, permit=permit_ready))
    assert permit.deposit_bill is None
    with pytest.raises(Conflict):
        permit_deposit_refund(actor=agent, permit=permit, method="cash")


def test_open_patrol_findings_hold_the_refund(
    agent, supervisor, personas, house_a, zhang_san, schedule_a
):
    decoration_rules_update(actor=supervisor, community=house_a.community, deposit_required=True)
    permit = apply(agent, house_a, zhang_san, plan_files=[pdf_upload()])
    all_gates(agent, supervisor, permit)
    permit = permit_issue(actor=agent, permit=permit)
    patrol = permit_patrol_record(
        actor=personas["guard"], permit=permit, found_issue=True, findings="楼道堆放建材"
    )
    assert patrol.request.category.code == "decoration"
    assert patrol.request.channel == "patrol"
    assert "楼道堆放建材" in patrol.request.description
    permit_accept(actor=agent, permit=permit)
    with pytest.raises(Conflict) as refused:
        permit_deposit_refund(actor=agent, permit=permit, method="cash")
    assert refused.value.code == "findings_open"


def test_a_clean_patrol_files_no_request(agent, supervisor, technician, permit_ready):
    all_gates(agent, supervisor, permit_ready)
    permit = permit_issue(actor=agent, permit=permit_ready)
    patrol = permit_patrol_record(actor=technician, permit=permit, found_issue=False)
    assert patrol.request is None and not patrol.found_issue
    with pytest.raises(ValidationFailed) as refused:
        permit_patrol_record(actor=technician, permit=permit, found_issue=True, findings="")
    assert refused.value.field == "findings"


def test_patrols_need_an_issued_permit(technician, permit_ready):
    with pytest.raises(Conflict):
        permit_patrol_record(actor=technician, permit=permit_ready, found_issue=False)


def test_one_open_application_a_house(agent, permit_ready, zhang_san):
    with pytest.raises(Conflict) as refused:
        apply(agent, permit_ready.house, zhang_san)
    assert refused.value.code == "already_open"
    permit_cancel(actor=agent, permit=permit_ready, reason="业主暂缓装修")
    assert apply(agent, permit_ready.house, zhang_san).number == "ZX2026000002"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contractor_name": ""}, "contractor_name"),
        ({"contractor_name": "x" * 10_000}, "contractor_name"),
        ({"contractor_mobile": "12345"}, "contractor_mobile"),
        ({"scope": "  "}, "scope"),
        ({"workers": 0}, "workers"),
        ({"workers": "3"}, "workers"),
        ({"ends_on": TODAY - datetime.timedelta(days=1)}, "ends_on"),
        ({"ends_on": TODAY + datetime.timedelta(days=400)}, "ends_on"),
        ({"starts_on": "2026-07-01"}, "starts_on"),
        ({"applicant_kind": "<script>"}, "applicant_kind"),
    ],
)
def test_bad_applications_name_the_field(agent, house_a, zhang_san, schedule_a, overrides, field):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        apply(agent, house_a, zhang_san, **overrides)
    assert refused.value.field == field
    assert snapshot() == before


@pytest.mark.parametrize("role", ["technician", "cashier", "guard", "owner", "other_agent"])
def test_only_the_front_desk_takes_applications(personas, role, house_a, zhang_san, schedule_a):
    with pytest.raises(PermissionDenied):
        apply(personas[role], house_a, zhang_san)
    assert not DecorationPermit.objects.exists()


def test_the_active_permit_is_only_the_one_in_its_period(agent, supervisor, permit_ready):
    all_gates(agent, supervisor, permit_ready)
    permit = permit_issue(actor=agent, permit=permit_ready)
    assert active_permit_for_house(permit.house, on=TODAY + datetime.timedelta(days=31)) is None
    found = active_permit_for_house(permit.house)
    assert found.rules.hours_text().startswith("08:00–12:00, 14:00–18:00")


def test_cancelling_an_unpaid_application_puts_its_bills_to_a_supervisor(
    agent, supervisor, house_a, zhang_san, schedule_a
):
    from propdesk.billing.models import LedgerAdjustment
    from propdesk.billing.selectors.accounts import house_balance_fen
    from propdesk.billing.services.adjustments import adjustment_approve

    decoration_rules_update(actor=supervisor, community=house_a.community, deposit_required=True)
    permit = apply(agent, house_a, zhang_san)
    assert house_balance_fen(house_a) == 31325 + 200000
    permit_cancel(actor=agent, permit=permit, reason="业主暂不装修")
    asked = LedgerAdjustment.objects.filter(kind="cancel_bill", status="pending")
    assert {a.bill_id for a in asked} == {permit.fee_bill_id, permit.deposit_bill_id}
    assert all("业主暂不装修" in a.reason and permit.number in a.reason for a in asked)
    for adjustment in asked:
        adjustment_approve(actor=supervisor, adjustment=adjustment)
    assert house_balance_fen(house_a) == 0


def test_a_paid_deposit_of_a_cancelled_application_is_refunded(
    agent, supervisor, house_a, zhang_san, schedule_a
):
    from propdesk.billing.models import LedgerAdjustment
    from propdesk.frontdesk.selectors import deposit_state

    decoration_rules_update(actor=supervisor, community=house_a.community, deposit_required=True)
    permit = apply(agent, house_a, zhang_san)
    pay_all(house_a)
    permit = permit_cancel(actor=agent, permit=permit, reason="业主暂不装修")
    assert not LedgerAdjustment.objects.exists()  # paid: nothing to cancel, the fee stays paid
    permit = permit_deposit_refund(actor=agent, permit=permit, method="cash")
    assert deposit_state(permit).status == "refund_pending"


def test_a_cashier_who_already_asked_does_not_stop_the_cancellation(
    agent, supervisor, personas, house_a, zhang_san, schedule_a
):
    from propdesk.billing.models import LedgerAdjustment
    from propdesk.billing.services.adjustments import adjustment_request

    permit = apply(agent, house_a, zhang_san)
    adjustment_request(
        actor=personas["cashier"],
        house=house_a,
        kind="cancel_bill",
        bill=permit.fee_bill,
        reason="重复开单",
    )
    permit = permit_cancel(actor=agent, permit=permit, reason="业主暂不装修")
    assert permit.status == PermitStatus.CANCELLED
    assert LedgerAdjustment.objects.get().reason == "重复开单"
