"""Keys (钥匙管理): the register, and each gate of lending refuses when unmet, changing nothing."""

import datetime

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent, OutboxMessage
from propdesk.custody import error_codes
from propdesk.custody.models import Key, KeyLoan, KeyStatus
from propdesk.custody.services.config import custody_settings_update
from propdesk.custody.services.keys import (
    contractor_add,
    key_lend,
    key_loans_flag_overdue,
    key_register,
    key_retire,
    key_return,
    key_update,
)
from propdesk.custody.tests.conftest import LEAD_ID, NOW


def events(key) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="key", object_id=key.id)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- the register -------------------------------------------------------------------------------


def test_it_registers_a_house_key_with_its_location(house_key, house_a):
    assert (house_key.kind, house_key.house, house_key.location) == ("house", house_a, "钥匙柜A-12")
    assert house_key.status == KeyStatus.IN_STORE
    assert events(house_key) == ["key_registered"]
    event = AuditEvent.objects.get(object_type="key", object_id=house_key.id)
    assert event.house_id == house_a.id


def test_a_house_key_needs_its_house(agent, community_a, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_register(actor=agent, community=community_a, kind="house", label="K1", location="A")
    assert exc.value.field == "house"


def test_a_key_label_is_unique_in_the_community(agent, house_key, community_a, nothing_changes):
    with nothing_changes(), pytest.raises(Conflict) as exc:
        key_register(
            actor=agent, community=community_a, kind="cabinet", label="K-3-2-1502", location="B"
        )
    assert exc.value.code == error_codes.KEY_LABEL_TAKEN


def test_it_refuses_another_communitys_house(agent, community_a, house_b, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_register(
            actor=agent, community=community_a, kind="house", label="X", location="A", house=house_b
        )
    assert exc.value.field == "house"


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "owner", "other_agent"])
def test_only_key_keepers_register_keys(personas, role, community_a, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        key_register(
            actor=personas[role], community=community_a, kind="cabinet", label="X", location="A"
        )


@pytest.mark.parametrize("bad", ["", "x" * 61, "a\x00b"])
def test_it_refuses_a_bad_location(agent, house_key, bad, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_update(actor=agent, key=house_key, location=bad)
    assert exc.value.field == "location"


def test_moving_a_key_is_in_its_timeline(agent, house_key):
    key_update(actor=agent, key=house_key, location="钥匙柜B-01")
    house_key.refresh_from_db()
    assert house_key.location == "钥匙柜B-01"
    event = AuditEvent.objects.filter(object_type="key", action="update").get()
    assert event.changes == {"location": ["钥匙柜A-12", "钥匙柜B-01"]}


# --- owners -------------------------------------------------------------------------------------


def test_the_owner_borrows_after_the_id_check(agent, house_key, zhang_san):
    loan = key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=True)
    house_key.refresh_from_db()
    assert house_key.status == KeyStatus.ON_LOAN
    assert (loan.borrower_name, loan.owner, loan.lent_by) == ("张三", zhang_san, agent)
    assert loan.due_at == NOW + datetime.timedelta(hours=24)
    assert events(house_key) == ["key_registered", "key_lent"]


def test_the_owner_without_the_id_check_is_refused(agent, house_key, zhang_san, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=False)
    assert (exc.value.code, exc.value.field) == (error_codes.ID_NOT_CHECKED, "id_checked")


def test_someone_who_does_not_own_the_house_is_refused(
    agent, admin, house_key, community_a, nothing_changes
):
    from propdesk.estates import services

    stranger = services.owner_create(actor=admin, community=community_a, name="路人甲")
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_lend(actor=agent, key=house_key, purpose="owner", owner=stranger, id_checked=True)
    assert (exc.value.code, exc.value.field) == (error_codes.WRONG_BORROWER, "owner")
    assert "路人甲" in str(exc.value.message)


def test_a_key_on_loan_is_not_lent_twice(agent, house_key, zhang_san, nothing_changes):
    key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=True)
    stale = Key.objects.get(pk=house_key.pk)
    stale.status = KeyStatus.IN_STORE  # a second desk read the key before the first lent it
    with nothing_changes(), pytest.raises(Conflict) as exc:
        key_lend(actor=agent, key=stale, purpose="owner", owner=zhang_san, id_checked=True)
    assert exc.value.code == error_codes.KEY_ON_LOAN
    assert KeyLoan.objects.count() == 1


def test_a_house_key_does_not_go_to_staff(agent, house_key, supervisor, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_lend(actor=agent, key=house_key, purpose="staff", staff=agent, witness=supervisor)
    assert exc.value.code == error_codes.WRONG_PURPOSE


# --- entrusted agents ---------------------------------------------------------------------------


def agent_loan(agent, key, entrusted, zhang_san, poa, **overrides):
    values = {
        "purpose": "agent",
        "agent": entrusted,
        "id_checked": True,
        "authority_letter": poa,
        "confirming_owner": zhang_san,
        "owner_confirmation": "2026-07-10 09:50 电话确认 138****5678",
    }
    values.update(overrides)
    return key_lend(actor=agent, key=key, **values)


def test_an_agent_borrows_with_the_letter_and_the_owners_confirmation(
    agent, house_key, entrusted, zhang_san, poa
):
    loan = agent_loan(agent, house_key, entrusted, zhang_san, poa)
    assert (loan.borrower_name, loan.authority_letter, loan.confirming_owner) == (
        "李明",
        poa,
        zhang_san,
    )
    assert loan.owner_confirmation.startswith("2026-07-10 09:50")


def test_an_agent_without_a_letter_of_authority_is_refused(
    agent, house_key, entrusted, zhang_san, poa, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        agent_loan(agent, house_key, entrusted, zhang_san, poa, authority_letter=None)
    assert (exc.value.code, exc.value.field) == (
        error_codes.NO_AUTHORITY_LETTER,
        "authority_letter",
    )
    assert "letter of authority" in str(exc.value.message) or "委托" in str(exc.value.message)


def test_a_letter_that_is_not_a_power_of_attorney_is_refused(
    agent, admin, house_key, entrusted, zhang_san, poa, pdf, nothing_changes
):
    from propdesk.estates import services

    id_copy = services.document_upload(
        actor=admin,
        community=house_key.community,
        doc_type="id_copy",
        uploaded=pdf("身份证.pdf"),
        house=house_key.house,
    )
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        agent_loan(agent, house_key, entrusted, zhang_san, poa, authority_letter=id_copy)
    assert exc.value.code == error_codes.NO_AUTHORITY_LETTER


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"owner_confirmation": ""}, "owner_confirmation"),
        ({"owner_confirmation": "   "}, "owner_confirmation"),
        ({"confirming_owner": None}, "confirming_owner"),
    ],
)
def test_an_agent_without_the_owners_confirmation_is_refused(
    agent, house_key, entrusted, zhang_san, poa, overrides, field, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        agent_loan(agent, house_key, entrusted, zhang_san, poa, **overrides)
    assert (exc.value.code, exc.value.field) == (error_codes.NO_OWNER_CONFIRMATION, field)


def test_a_revoked_agent_is_refused(agent, admin, house_key, entrusted, zhang_san, poa):
    from propdesk.estates import services

    services.agent_revoke(actor=admin, agent=entrusted)
    entrusted.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        agent_loan(agent, house_key, entrusted, zhang_san, poa)
    assert (exc.value.code, exc.value.field) == (error_codes.WRONG_BORROWER, "agent")
    assert not KeyLoan.objects.exists()


def test_a_non_owner_cannot_confirm_for_an_agent(
    agent, admin, house_key, entrusted, zhang_san, poa, community_a, nothing_changes
):
    from propdesk.estates import services

    stranger = services.owner_create(actor=admin, community=community_a, name="路人乙")
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        agent_loan(agent, house_key, entrusted, zhang_san, poa, confirming_owner=stranger)
    assert exc.value.field == "confirming_owner"


# --- warranty repairs ---------------------------------------------------------------------------


def warranty_loan(agent, key, contractor, **overrides):
    values = {
        "purpose": "warranty",
        "contractor": contractor,
        "borrower_name": "赵工",
        "borrower_id_number": LEAD_ID,
        "id_checked": True,
        "reason": "卫生间渗水保修",
    }
    values.update(overrides)
    return key_lend(actor=agent, key=key, **values)


def test_the_contractors_responsible_person_borrows(agent, house_key, contractor):
    loan = warranty_loan(agent, house_key, contractor)
    assert (loan.contractor, loan.borrower_name, loan.reason) == (
        contractor,
        "赵工",
        "卫生间渗水保修",
    )


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"borrower_name": "钱工"}, "borrower_name"),
        ({"borrower_id_number": "11010519491231002X"}, "borrower_id_number"),
    ],
)
def test_someone_else_from_the_contractor_is_refused(
    agent, house_key, contractor, overrides, field, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        warranty_loan(agent, house_key, contractor, **overrides)
    assert (exc.value.code, exc.value.field) == (error_codes.NOT_CONTRACTOR_LEAD, field)
    assert "赵工" in str(exc.value.message)


def test_the_return_of_a_warranty_key_asks_the_repair_lead_to_inspect(
    agent, supervisor, house_key, contractor, community_a, personas
):
    custody_settings_update(
        actor=supervisor, community=community_a, repair_lead=personas["technician"]
    )
    warranty_loan(agent, house_key, contractor)
    loan = key_return(actor=agent, key=house_key, note="已修好")
    house_key.refresh_from_db()
    assert house_key.status == KeyStatus.IN_STORE
    assert (loan.returned_to, loan.return_note) == (agent, "已修好")
    message = OutboxMessage.objects.get(event="custody.warranty_key_returned")
    assert message.recipient_user == personas["technician"]
    assert message.channel == "in_app"
    assert "3-2-1502" in message.body and "卫生间渗水保修" in message.body
    assert events(house_key)[-2:] == ["key_returned", "inspection_requested"]


def test_without_a_repair_lead_the_lender_is_told(agent, house_key, contractor):
    warranty_loan(agent, house_key, contractor)
    key_return(actor=agent, key=house_key)
    assert OutboxMessage.objects.get().recipient_user == agent


def test_an_owner_return_notifies_nobody(agent, house_key, zhang_san):
    key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=True)
    key_return(actor=agent, key=house_key)
    assert not OutboxMessage.objects.exists()


def test_a_key_in_the_cabinet_cannot_be_returned(agent, house_key, nothing_changes):
    with nothing_changes(), pytest.raises(Conflict) as exc:
        key_return(actor=agent, key=house_key)
    assert exc.value.code == error_codes.KEY_NOT_ON_LOAN


def test_contractor_register_checks_the_mobile(agent, community_a, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        contractor_add(
            actor=agent,
            community=community_a,
            company="X",
            responsible_name="Y",
            responsible_mobile="12345",
        )
    assert exc.value.field == "responsible_mobile"


# --- office cabinets ----------------------------------------------------------------------------


def test_a_cabinet_key_goes_to_staff_with_a_supervisor(agent, supervisor, cabinet_key):
    loan = key_lend(actor=agent, key=cabinet_key, purpose="staff", staff=agent, witness=supervisor)
    assert (loan.staff, loan.witness, loan.house) == (agent, supervisor, None)


@pytest.mark.parametrize("witness", [None, "agent", "other_agent"])
def test_opening_a_cabinet_alone_is_refused(personas, agent, cabinet_key, witness, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_lend(
            actor=agent,
            key=cabinet_key,
            purpose="staff",
            staff=agent,
            witness=personas[witness] if witness else None,
        )
    assert (exc.value.code, exc.value.field) == (error_codes.NO_WITNESS, "witness")


def test_a_cabinet_key_does_not_go_to_an_owner(agent, cabinet_key, zhang_san, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_lend(actor=agent, key=cabinet_key, purpose="owner", owner=zhang_san, id_checked=True)
    assert exc.value.code == error_codes.WRONG_PURPOSE


# --- overdue and retirement ---------------------------------------------------------------------


def test_overdue_keys_are_flagged_once(agent, supervisor, house_key, zhang_san, clock, community_a):
    custody_settings_update(actor=supervisor, community=community_a, key_overdue_hours=2)
    loan = key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=True)
    assert loan.due_at == NOW + datetime.timedelta(hours=2)
    assert key_loans_flag_overdue() == 0
    clock.shift(datetime.timedelta(hours=3))
    assert key_loans_flag_overdue() == 1
    assert key_loans_flag_overdue() == 0
    loan.refresh_from_db()
    assert loan.overdue_flagged_at is not None and loan.is_overdue()
    assert events(house_key)[-1] == "key_overdue"
    assert OutboxMessage.objects.get(event="custody.key_overdue").recipient_user == agent


def test_a_key_on_loan_cannot_be_retired(agent, house_key, zhang_san, nothing_changes):
    key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=True)
    with nothing_changes(), pytest.raises(Conflict):
        key_retire(actor=agent, key=house_key, reason="丢失")


def test_a_retired_key_is_not_lent(agent, house_key, zhang_san):
    key_retire(actor=agent, key=house_key, reason="业主已取走")
    house_key.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        key_lend(actor=agent, key=house_key, purpose="owner", owner=zhang_san, id_checked=True)
    assert exc.value.code == error_codes.KEY_RETIRED


def test_a_return_time_in_the_past_is_refused(agent, house_key, zhang_san, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        key_lend(
            actor=agent,
            key=house_key,
            purpose="owner",
            owner=zhang_san,
            id_checked=True,
            due_at=NOW - datetime.timedelta(minutes=1),
        )
    assert exc.value.field == "due_at"


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "owner", "other_agent"])
def test_only_key_keepers_lend(personas, role, house_key, zhang_san, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        key_lend(
            actor=personas[role], key=house_key, purpose="owner", owner=zhang_san, id_checked=True
        )
