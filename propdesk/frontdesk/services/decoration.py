"""Decoration permits (装修), DOMAIN.md §4: an application by the owner or an entrusted agent with
the contractor, the plan and the period; the decoration management fee billed through the fee
schedule. The permit is issued only when every gate is met: all fees paid (fee gate), identity
or entrustment verified, plan approved by a supervisor, agreement signed (the hours and
prohibitions restated), and the deposit paid where the community takes one. The deposit is billed
with the application and paid at the cashier desk like any fee (receipt, cash-up); after
acceptance the front desk asks for its refund, which a supervisor approves in the corrections
queue. During works: patrols (findings become requests); at the end: acceptance and the refund."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.selectors.accounts import bill_outstanding_fen
from propdesk.billing.services.adjustments import bill_cancel_request, deposit_refund_request
from propdesk.billing.services.bills import decoration_deposit_bill, decoration_fee_bill
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_mobile
from propdesk.estates.models import DocumentType, EntrustedAgent, House, HouseStatus, Owner
from propdesk.estates.services import document_upload, house_change_status
from propdesk.frontdesk import error_codes
from propdesk.frontdesk.models import (
    ApplicantKind,
    DecorationPatrol,
    DecorationPermit,
    PermitStatus,
    PlanDecision,
)
from propdesk.frontdesk.selectors import decoration_rules_for, deposit_state
from propdesk.frontdesk.services._common import (
    check_current_owner,
    check_entrustment,
    fee_gate,
    lock,
    number_next,
    refuse_state,
)
from propdesk.tickets.models import Channel, ServiceRequest
from propdesk.tickets.services.intake import request_create

MAX_WORKERS = 200
MAX_PLAN_FILES = 5


def _clean_period(community_id: int, starts_on, ends_on) -> None:
    if not isinstance(starts_on, datetime.date):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="starts_on")
    if not isinstance(ends_on, datetime.date):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="ends_on")
    if ends_on < starts_on:
        raise ValidationFailed(_("The works end before they start."), field="ends_on")
    if ends_on < timezone.localdate():
        raise ValidationFailed(_("The works period has already ended."), field="ends_on")
    rules = decoration_rules_for(community_id)
    if (ends_on - starts_on).days + 1 > rules.max_days:
        raise ValidationFailed(
            _("A permit covers at most %(days)d days.") % {"days": rules.max_days},
            field="ends_on",
        )


@transaction.atomic
def permit_apply(
    *,
    actor,
    house: House,
    owner: Owner,
    applicant_kind: str,
    contractor_name: str,
    contractor_leader: str,
    contractor_mobile: str,
    scope: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    workers: int = 1,
    agent: EntrustedAgent | None = None,
    plan_files=(),
) -> DecorationPermit:
    """Record an application and bill the decoration management fee (装修管理服务费)."""
    require(actor, Perm.DECORATION_MANAGE, house.community_id)
    applicant_kind = clean_choice("applicant_kind", applicant_kind, ApplicantKind)
    if applicant_kind == ApplicantKind.COMPANY:
        applicant_kind = ApplicantKind.OWNER  # a company applies through its representative
    check_current_owner(house, owner)
    if applicant_kind == ApplicantKind.AGENT:
        check_entrustment(house=house, owner=owner, agent=agent)
    else:
        agent = None
    if house.status == HouseStatus.UNSOLD:
        raise Conflict(
            _("House %(house)s has not been delivered to an owner.") % {"house": house.code},
            code=error_codes.WRONG_STATE,
            field="house",
        )
    contractor_name = clean_text("contractor_name", contractor_name, max_length=120, required=True)
    contractor_leader = clean_text(
        "contractor_leader", contractor_leader, max_length=60, required=True
    )
    contractor_mobile = clean_field(
        "contractor_mobile",
        normalize_mobile,
        clean_text("contractor_mobile", contractor_mobile, max_length=20, required=True),
    )
    scope = clean_text("scope", scope, max_length=2000, required=True)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ValidationFailed(
            _("Enter the number of workers, 1 to %(n)d.") % {"n": MAX_WORKERS}, field="workers"
        )
    _clean_period(house.community_id, starts_on, ends_on)
    plan_files = [f for f in (plan_files or []) if f is not None]
    if len(plan_files) > MAX_PLAN_FILES:
        raise ValidationFailed(
            _("At most %(n)d plan files at a time.") % {"n": MAX_PLAN_FILES}, field="plan_files"
        )
    if DecorationPermit.objects.filter(
        house=house, status__in=[PermitStatus.APPLIED, PermitStatus.ISSUED]
    ).exists():
        raise Conflict(
            _("This house already has an open decoration application or permit."),
            code=error_codes.ALREADY_OPEN,
            field="house",
        )
    rules = decoration_rules_for(house.community_id)
    permit = DecorationPermit(
        community_id=house.community_id,
        number=number_next("ZX", house.community),
        house=house,
        owner=owner,
        applicant_kind=applicant_kind,
        agent=agent,
        contractor_name=contractor_name,
        contractor_leader=contractor_leader,
        contractor_mobile=contractor_mobile,
        workers=workers,
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        deposit_fen=rules.deposit_fen if rules.deposit_required else 0,
        applied_by=actor,
    )
    try:
        with transaction.atomic():
            permit.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This house already has an open decoration application or permit."),
            code=error_codes.ALREADY_OPEN,
            field="house",
        ) from exc
    for uploaded in plan_files:
        permit.plan_documents.add(_plan_upload(actor, permit, uploaded))
    permit.fee_bill = decoration_fee_bill(actor=actor, house=house, permit_ref=permit.number)
    if permit.deposit_fen:
        permit.deposit_bill = decoration_deposit_bill(
            actor=actor, house=house, permit_ref=permit.number, amount_fen=permit.deposit_fen
        )
    permit.save(update_fields=["fee_bill", "deposit_bill"])
    changes = {"fee": [None, str(permit.fee_bill.amount)]}
    if permit.deposit_fen:
        changes["deposit"] = [None, str(permit.deposit)]
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_applied",
        changes=changes,
        house_id=house.id,
        owner_id=owner.id,
    )
    return permit


def _plan_upload(actor, permit: DecorationPermit, uploaded):
    return document_upload(
        actor=actor,
        community=permit.house.community,
        doc_type=DocumentType.OTHER,
        uploaded=uploaded,
        house=permit.house,
        owner=permit.owner,
        title=_("Decoration plan %(number)s") % {"number": permit.number},
    )


def _open_application(permit: DecorationPermit) -> DecorationPermit:
    permit = lock(permit)
    if permit.status != PermitStatus.APPLIED:
        raise refuse_state(_("This application has already been decided."))
    return permit


@transaction.atomic
def permit_plan_add(*, actor, permit: DecorationPermit, uploaded) -> DecorationPermit:
    """File a (revised) plan; a rejected plan goes back to review."""
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    permit = _open_application(permit)
    if uploaded is None:
        raise ValidationFailed(_("Choose a file."), code=error_codes.REQUIRED, field="file")
    document = _plan_upload(actor, permit, uploaded)
    permit.plan_documents.add(document)
    if permit.plan_decision == PlanDecision.REJECTED:
        permit.plan_decision = PlanDecision.PENDING
        permit.save(update_fields=["plan_decision"])
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_plan_filed",
        changes={"plan": [None, document.archive_number]},
        house_id=permit.house_id,
    )
    return permit


@transaction.atomic
def permit_identity_verify(*, actor, permit: DecorationPermit) -> DecorationPermit:
    """The owner's identity, or the agent's entrustment with its power of attorney, checked."""
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    permit = _open_application(permit)
    check_current_owner(permit.house, permit.owner)
    if permit.applicant_kind == ApplicantKind.AGENT:
        agent = EntrustedAgent.objects.filter(pk=permit.agent_id).first()
        check_entrustment(house=permit.house, owner=permit.owner, agent=agent)
    permit.identity_verified_by = actor
    permit.identity_verified_at = timezone.now()
    permit.save(update_fields=["identity_verified_by", "identity_verified_at"])
    audit.record_change(
        actor=actor, instance=permit, action="permit_identity_verified", house_id=permit.house_id
    )
    return permit


@transaction.atomic
def permit_plan_review(
    *, actor, permit: DecorationPermit, approve: bool, note: str = ""
) -> DecorationPermit:
    """A supervisor approves the decoration plan, or rejects it with the reason."""
    require(actor, Perm.DECORATION_APPROVE, permit.community_id)
    note = clean_text("note", note, max_length=300, required=not approve)
    permit = _open_application(permit)
    if not permit.plan_documents.exists():
        raise Conflict(
            _("File the decoration plan before it is reviewed."),
            code=error_codes.PLAN_MISSING,
            field="plan_files",
        )
    previous = permit.plan_decision
    permit.plan_decision = PlanDecision.APPROVED if approve else PlanDecision.REJECTED
    permit.plan_reviewed_by = actor
    permit.plan_reviewed_at = timezone.now()
    permit.plan_note = note
    permit.save(
        update_fields=["plan_decision", "plan_reviewed_by", "plan_reviewed_at", "plan_note"]
    )
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_plan_reviewed",
        changes={"plan_decision": [previous, permit.plan_decision]},
        house_id=permit.house_id,
        note=note,
    )
    return permit


@transaction.atomic
def permit_agreement_sign(*, actor, permit: DecorationPermit) -> DecorationPermit:
    """The decoration agreement signed, the hours and prohibitions restated to owner and
    contractor (DOMAIN.md §4)."""
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    permit = _open_application(permit)
    permit.agreement_signed_by = actor
    permit.agreement_signed_at = timezone.now()
    permit.save(update_fields=["agreement_signed_by", "agreement_signed_at"])
    audit.record_change(
        actor=actor, instance=permit, action="permit_agreement_signed", house_id=permit.house_id
    )
    return permit


def _issue_gates(permit: DecorationPermit) -> None:
    if deposit_state(permit).status == "unpaid":  # before the fee gate: the precise reason
        raise Conflict(
            _("The decoration deposit is not paid yet: take it at the cashier desk first."),
            code=error_codes.DEPOSIT_NOT_RECEIVED,
            field="deposit",
        )
    fee_gate(permit.house, field="fees")
    if not permit.identity_verified_at:
        raise Conflict(
            _("Verify the owner's identity or the agent's entrustment first."),
            code=error_codes.IDENTITY_NOT_VERIFIED,
            field="identity",
        )
    if permit.plan_decision != PlanDecision.APPROVED:
        raise Conflict(
            _("A supervisor must approve the decoration plan first."),
            code=error_codes.PLAN_NOT_APPROVED,
            field="plan",
        )
    if not permit.agreement_signed_at:
        raise Conflict(
            _("Sign the decoration agreement first."),
            code=error_codes.AGREEMENT_NOT_SIGNED,
            field="agreement",
        )


@transaction.atomic
def permit_issue(*, actor, permit: DecorationPermit) -> DecorationPermit:
    """Issue the permit when every gate is met; the house is then under decoration."""
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    permit = _open_application(permit)
    _issue_gates(permit)
    house = House.objects.select_for_update().get(pk=permit.house_id)
    permit.status = PermitStatus.ISSUED
    permit.issued_by = actor
    permit.issued_at = timezone.now()
    permit.house_status_before = house.status
    permit.save(update_fields=["status", "issued_by", "issued_at", "house_status_before"])
    if house.status != HouseStatus.DECORATING:
        house_change_status(
            actor=actor,
            house=house,
            status=HouseStatus.DECORATING,
            note=_("Decoration permit %(number)s") % {"number": permit.number},
        )
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_issued",
        changes={"status": [PermitStatus.APPLIED, PermitStatus.ISSUED]},
        house_id=permit.house_id,
    )
    return permit


@transaction.atomic
def permit_patrol_record(
    *, actor, permit: DecorationPermit, found_issue: bool, findings: str = ""
) -> DecorationPatrol:
    """A patrol of the works; an issue found becomes a request in the decoration category."""
    require(actor, Perm.DECORATION_PATROL, permit.community_id)
    findings = clean_text("findings", findings, max_length=500, required=bool(found_issue))
    permit = lock(permit)
    if permit.status != PermitStatus.ISSUED:
        raise refuse_state(_("Only works under an issued permit are patrolled."))
    request = None
    if found_issue:
        request = request_create(
            actor=actor,
            kind="complaint",
            category="decoration",
            urgency="normal",
            description=_("Decoration patrol of permit %(number)s: %(findings)s")
            % {"number": permit.number, "findings": findings},
            channel=Channel.PATROL,
            house=permit.house,
            caller_owner=permit.owner,
        )
    patrol = DecorationPatrol.objects.create(
        community_id=permit.community_id,
        permit=permit,
        found_issue=bool(found_issue),
        findings=findings,
        request=request,
        patrolled_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_patrolled",
        changes={"request": [None, request.number if request else None]},
        house_id=permit.house_id,
        note=findings,
    )
    return patrol


@transaction.atomic
def permit_accept(*, actor, permit: DecorationPermit, note: str = "") -> DecorationPermit:
    """Completion acceptance: the works are done; the house returns to its earlier status."""
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    note = clean_text("note", note, max_length=300)
    permit = lock(permit)
    if permit.status != PermitStatus.ISSUED:
        raise refuse_state(_("Only works under an issued permit are accepted."))
    permit.status = PermitStatus.COMPLETED
    permit.accepted_by = actor
    permit.accepted_at = timezone.now()
    permit.acceptance_note = note
    permit.save(update_fields=["status", "accepted_by", "accepted_at", "acceptance_note"])
    house = House.objects.select_for_update().get(pk=permit.house_id)
    back_to = permit.house_status_before or HouseStatus.OCCUPIED
    if house.status == HouseStatus.DECORATING and back_to != HouseStatus.DECORATING:
        house_change_status(
            actor=actor,
            house=house,
            status=back_to,
            note=_("Decoration %(number)s accepted") % {"number": permit.number},
        )
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_accepted",
        changes={"status": [PermitStatus.ISSUED, PermitStatus.COMPLETED]},
        house_id=permit.house_id,
        note=note,
    )
    return permit


@transaction.atomic
def permit_deposit_refund(
    *, actor, permit: DecorationPermit, method: str, reason: str = ""
) -> DecorationPermit:
    """Ask for the deposit's refund after acceptance (once no patrol finding is still open) or
    after the application was cancelled; a supervisor approves it in the fee corrections, which
    pays the money back."""
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    permit = lock(permit)
    if permit.status not in (PermitStatus.COMPLETED, PermitStatus.CANCELLED):
        raise refuse_state(
            _("The deposit is refunded after the works are accepted or the application cancelled.")
        )
    state = deposit_state(permit).status
    if state == "refund_pending":
        raise refuse_state(_("The refund is already waiting for a supervisor's approval."))
    if state != "paid":
        raise refuse_state(_("There is no paid deposit to refund."))
    open_requests = ServiceRequest.objects.filter(
        community_id=permit.community_id,
        pk__in=permit.patrols.exclude(request=None).values("request_id"),
        is_open=True,
    )
    if open_requests.exists():
        raise Conflict(
            _("Patrol findings are still open: settle them before refunding the deposit."),
            code=error_codes.FINDINGS_OPEN,
            field="deposit",
        )
    reason = clean_text("reason", reason, max_length=200)
    permit.deposit_refund = deposit_refund_request(
        actor=actor,
        bill=permit.deposit_bill,
        method=method,
        reason=reason
        or _("Decoration deposit refund, permit %(number)s") % {"number": permit.number},
    )
    permit.save(update_fields=["deposit_refund"])
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_deposit_refund_requested",
        changes={"deposit": [str(permit.deposit), None]},
        house_id=permit.house_id,
    )
    return permit


@transaction.atomic
def permit_cancel(*, actor, permit: DecorationPermit, reason: str) -> DecorationPermit:
    require(actor, Perm.DECORATION_MANAGE, permit.community_id)
    reason = clean_text("reason", reason, max_length=300, required=True)
    permit = _open_application(permit)
    permit.status = PermitStatus.CANCELLED
    permit.save(update_fields=["status"])
    audit.record_change(
        actor=actor,
        instance=permit,
        action="permit_cancelled",
        changes={"status": [PermitStatus.APPLIED, PermitStatus.CANCELLED]},
        house_id=permit.house_id,
        note=reason,
    )
    _unpaid_bills_cancel(actor, permit, reason)
    return permit


def _unpaid_bills_cancel(actor, permit: DecorationPermit, reason: str) -> None:
    """The application's fee and deposit, where nothing of them is paid yet, are put to a
    supervisor for cancellation, so the owner is not chased for works that will not happen. A
    paid deposit is refunded through `permit_deposit_refund`; a paid fee stays paid."""
    note = _("Decoration application %(number)s cancelled: %(reason)s") % {
        "number": permit.number,
        "reason": reason,
    }
    for bill in (permit.fee_bill, permit.deposit_bill):
        if bill is None or bill_outstanding_fen(bill) != bill.amount_fen:
            continue
        try:
            bill_cancel_request(actor=actor, bill=bill, reason=note[:300])
        except Conflict:  # a cashier has already asked, or it is cancelled: nothing to add
            continue
