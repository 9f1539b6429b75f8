"""Release passes (物品放行): apply, approve with the link and fee gates, use once at the gate."""

import datetime

import pytest

from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.custody import error_codes
from propdesk.custody.models import PassStatus, ReleasePass
from propdesk.custody.services.config import custody_settings_update
from propdesk.custody.services.passes import (
    CODE_RE,
    apply_for_pass,
    parse_pass_code,
    pass_for_gate,
    qr_payload,
    release_pass_apply,
    release_pass_approve,
    release_pass_cancel,
    release_pass_reject,
    release_pass_use,
)
from propdesk.custody.tests.conftest import NOW, SHANGHAI, TODAY


def apply(actor, house, applicant, **overrides):
    values = {"items": "冰箱一台", "release_on": TODAY}
    values.update(overrides)
    return release_pass_apply(actor=actor, house=house, applicant=applicant, **values)


# --- apply --------------------------------------------------------------------------------------


def test_an_agent_applies_for_the_owner(pending_pass, house_a, zhang_san, agent):
    assert pending_pass.status == PassStatus.PENDING
    assert (pending_pass.house, pending_pass.owner, pending_pass.applicant_kind) == (
        house_a,
        zhang_san,
        "owner",
    )
    assert pending_pass.vehicle_plate == "粤B12345"
    assert CODE_RE.match(pending_pass.code)
    assert AuditEvent.objects.get(object_type="releasepass").action == "pass_applied"


def test_codes_are_random_not_sequential(agent, house_a, zhang_san):
    codes = {apply(agent, house_a, zhang_san).code for _ in range(20)}
    assert len(codes) == 20
    assert all(CODE_RE.match(code) for code in codes)


def test_a_tenant_and_an_agent_may_apply(agent, house_a, tenant, entrusted):
    assert apply(agent, house_a, tenant, organisation="小明商店").applicant_kind == "resident"
    assert apply(agent, house_a, entrusted).applicant_kind == "agent"


def test_an_applicant_not_linked_to_the_house_is_refused(
    agent, admin, house_a, community_a, nothing_changes
):
    from propdesk.estates import services

    stranger = services.owner_create(actor=admin, community=community_a, name="路人丙")
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        apply(agent, house_a, stranger)
    assert (exc.value.code, exc.value.field) == (error_codes.NOT_LINKED, "applicant")
    assert "路人丙" in str(exc.value.message) and "3-2-1502" in str(exc.value.message)


def test_a_tenant_who_moved_out_is_refused(agent, admin, house_a, tenant, nothing_changes):
    from propdesk.estates import services

    services.resident_move_out(actor=admin, resident=tenant, moved_out_on=TODAY)
    tenant.refresh_from_db()
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        apply(agent, house_a, tenant)
    assert exc.value.code == error_codes.NOT_LINKED


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"items": ""}, "items"),
        ({"items": "x" * 1001}, "items"),
        ({"items": "a\x00b"}, "items"),
        ({"release_on": TODAY - datetime.timedelta(days=1)}, "release_on"),
        ({"release_on": TODAY + datetime.timedelta(days=61)}, "release_on"),
        ({"release_on": "2026-07-10"}, "release_on"),
        ({"vehicle_plate": "<script>"}, "vehicle_plate"),
        ({"organisation": "x" * 101}, "organisation"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    agent, house_a, zhang_san, overrides, field, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        apply(agent, house_a, zhang_san, **overrides)
    assert exc.value.field == field


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "other_agent"])
def test_only_issuing_staff_apply_for_others(personas, role, house_a, zhang_san, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        apply(personas[role], house_a, zhang_san)


# --- the owner's own application (portal) -------------------------------------------------------


def test_an_owner_account_applies_for_its_own_house(owner_account, house_a, zhang_san):
    release_pass = apply_for_pass(owner_account, house_a, items="旧家具", release_on=TODAY)
    assert (release_pass.owner, release_pass.applied_by) == (zhang_san, owner_account)


def test_an_owner_account_cannot_apply_for_another_house(
    owner_account, house_b, owner_b_fixture, nothing_changes
):
    with nothing_changes(), pytest.raises(NotFound):
        apply_for_pass(owner_account, house_b, items="旧家具", release_on=TODAY)


def test_an_owner_account_cannot_apply_in_someone_elses_name(
    owner_account, house_a, tenant, nothing_changes
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        release_pass_apply(
            actor=owner_account, house=house_a, applicant=tenant, items="x", release_on=TODAY
        )


def test_a_staff_account_is_not_an_applicant(agent, house_a, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        apply_for_pass(agent, house_a, items="x", release_on=TODAY)


def test_staff_apply_for_a_registry_person(agent, house_a, tenant):
    assert apply_for_pass(tenant, house_a, items="x", release_on=TODAY, actor=agent).resident == (
        tenant
    )


@pytest.fixture
def owner_b_fixture(admin, house_b):
    from propdesk.estates import services

    owner = services.owner_create(actor=admin, community=house_b.community, name="王五")
    services.ownership_add(
        actor=admin, house=house_b, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    return owner


# --- approve and reject -------------------------------------------------------------------------


def test_approval_sets_the_validity_window(approved_pass, agent):
    start = datetime.datetime(2026, 7, 10, 0, 0, tzinfo=SHANGHAI)
    assert approved_pass.status == PassStatus.APPROVED
    assert (approved_pass.valid_from, approved_pass.valid_until) == (
        start,
        start + datetime.timedelta(hours=24),
    )
    assert approved_pass.decided_by == agent


def test_approval_rechecks_the_applicants_link(agent, admin, house_a, tenant, nothing_changes):
    from propdesk.estates import services

    release_pass = apply(agent, house_a, tenant)
    services.resident_move_out(actor=admin, resident=tenant, moved_out_on=TODAY)
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        release_pass_approve(actor=agent, release_pass=release_pass)
    assert exc.value.code == error_codes.NOT_LINKED


def _owe_july_fees(admin, community, house):
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community)
    run = billing_run_start(actor=admin, period=datetime.date(2026, 7, 1), community=community)
    billing_run_execute(run.id)


def test_unpaid_fees_refuse_approval_where_the_community_requires_it(
    agent, admin, supervisor, pending_pass, community_a, house_a, nothing_changes
):
    _owe_july_fees(admin, community_a, house_a)
    custody_settings_update(actor=supervisor, community=community_a, release_needs_fees_paid=True)
    with nothing_changes(), pytest.raises(Conflict) as exc:
        release_pass_approve(actor=agent, release_pass=pending_pass)
    assert (exc.value.code, exc.value.field) == (error_codes.FEES_UNPAID, "house")
    assert "3-2-1502" in str(exc.value.message)


def test_unpaid_fees_do_not_matter_where_the_community_does_not_require_it(
    agent, admin, pending_pass, community_a, house_a
):
    _owe_july_fees(admin, community_a, house_a)
    assert release_pass_approve(actor=agent, release_pass=pending_pass).status == "approved"


def test_paid_up_houses_pass_the_fee_gate(agent, supervisor, pending_pass, community_a):
    custody_settings_update(actor=supervisor, community=community_a, release_needs_fees_paid=True)
    assert release_pass_approve(actor=agent, release_pass=pending_pass).status == "approved"


def test_a_pass_is_approved_once(agent, approved_pass, nothing_changes):
    with nothing_changes(), pytest.raises(Conflict) as exc:
        release_pass_approve(actor=agent, release_pass=approved_pass)
    assert exc.value.code == error_codes.PASS_NOT_PENDING


def test_rejection_needs_a_reason(agent, pending_pass, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        release_pass_reject(actor=agent, release_pass=pending_pass, reason="")
    assert exc.value.field == "reason"
    rejected = release_pass_reject(actor=agent, release_pass=pending_pass, reason="物品清单不符")
    assert (rejected.status, rejected.decision_note) == ("rejected", "物品清单不符")


def test_the_owner_cancels_their_own_pass(owner_account, house_a, agent, tenant):
    mine = apply_for_pass(owner_account, house_a, items="x", release_on=TODAY)
    assert release_pass_cancel(actor=owner_account, release_pass=mine).status == "cancelled"
    theirs = apply(agent, house_a, tenant)
    with pytest.raises(NotFound):
        release_pass_cancel(actor=owner_account, release_pass=theirs)


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "owner", "other_agent"])
def test_only_issuing_staff_approve(personas, role, pending_pass, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        release_pass_approve(actor=personas[role], release_pass=pending_pass)


# --- at the gate --------------------------------------------------------------------------------


def test_the_guard_uses_an_approved_pass_once(guard, approved_pass):
    found = pass_for_gate(guard, approved_pass.display_code.lower())
    used = release_pass_use(actor=guard, release_pass=found, note="东门 粤B12345")
    assert (used.status, used.used_by, used.used_at) == ("used", guard, NOW)
    again = ReleasePass.objects.get(pk=approved_pass.pk)
    with pytest.raises(Conflict) as exc:
        release_pass_use(actor=guard, release_pass=again)
    assert exc.value.code == error_codes.PASS_USED
    assert "2026-07-10 10:00" in str(exc.value.message)


def test_a_stale_read_cannot_use_a_pass_twice(guard, approved_pass, nothing_changes):
    """Two guards looked the pass up before either pressed the button: one exit is recorded."""
    first = ReleasePass.objects.get(pk=approved_pass.pk)
    second = ReleasePass.objects.get(pk=approved_pass.pk)
    release_pass_use(actor=guard, release_pass=first)
    with nothing_changes(), pytest.raises(Conflict) as exc:
        release_pass_use(actor=guard, release_pass=second)
    assert exc.value.code == error_codes.PASS_USED


def test_an_expired_pass_is_refused(guard, approved_pass, clock, nothing_changes):
    clock.move_to(NOW + datetime.timedelta(days=1))
    assert approved_pass.state() == "expired"
    with nothing_changes(), pytest.raises(Conflict) as exc:
        release_pass_use(actor=guard, release_pass=approved_pass)
    assert exc.value.code == error_codes.PASS_EXPIRED


def test_a_pass_for_a_later_day_is_not_yet_valid(agent, guard, house_a, zhang_san, nothing_changes):
    later = apply(agent, house_a, zhang_san, release_on=TODAY + datetime.timedelta(days=2))
    release_pass_approve(actor=agent, release_pass=later)
    with nothing_changes(), pytest.raises(Conflict) as exc:
        release_pass_use(actor=guard, release_pass=later)
    assert exc.value.code == error_codes.PASS_NOT_YET_VALID


def test_a_pending_pass_is_refused_at_the_gate(guard, pending_pass, nothing_changes):
    with nothing_changes(), pytest.raises(Conflict) as exc:
        release_pass_use(actor=guard, release_pass=pending_pass)
    assert exc.value.code == error_codes.PASS_NOT_APPROVED


def test_another_communitys_guard_does_not_find_the_pass(personas, approved_pass):
    with pytest.raises(NotFound) as exc:
        pass_for_gate(personas["other_agent"], approved_pass.code)
    assert exc.value.field == "code"


@pytest.mark.parametrize("role", ["technician", "cashier", "owner"])
def test_only_gate_staff_check_passes(personas, role, approved_pass, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        release_pass_use(actor=personas[role], release_pass=approved_pass)


@pytest.mark.parametrize(
    "typed",
    [
        "abcd2345",
        "ABCD-2345",
        " abcd 2345 ",
        "PROPDESK-PASS:ABCD2345",
        "http://127.0.0.1:8000/custody/gate/?code=ABCD2345",
    ],
)
def test_the_gate_reads_typed_codes_and_qr_payloads(typed):
    assert parse_pass_code(typed) == "ABCD2345"


@pytest.mark.parametrize("typed", ["", "ABC", "ABCD23450", "' OR 1=1 --", "<script>", "x" * 10_000])
def test_the_gate_refuses_what_is_not_a_code(typed):
    with pytest.raises(ValidationFailed) as exc:
        parse_pass_code(typed)
    assert exc.value.field == "code"


def test_the_qr_payload_is_the_guard_page_or_the_bare_code():
    assert qr_payload("ABCD2345", "http://x.test/") == "http://x.test/custody/gate/?code=ABCD2345"
    assert qr_payload("ABCD2345") == "PROPDESK-PASS:ABCD2345"
