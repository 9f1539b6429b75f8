"""Move-in (入伙), DOMAIN.md §4: who came, the documents they must bring, the forms collected and
the ten steps in order, each ticked by a named staff member. Gates: the documents are all checked
before verification (an agent's power of attorney on file), the forms before they count as
collected, the fee gate before payment is ticked, the accompanied inspection recorded before it
counts; archiving the file completes the move-in and the house becomes occupied."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_mobile
from propdesk.estates.models import EntrustedAgent, House, HouseStatus, Owner, OwnerKind
from propdesk.estates.services import document_upload, house_change_status
from propdesk.frontdesk import error_codes
from propdesk.frontdesk.models import (
    ApplicantKind,
    ChecklistGroup,
    InspectionStatus,
    MoveIn,
    MoveInItem,
    MoveInStatus,
    MoveInStep,
)
from propdesk.frontdesk.procedures import DOCUMENTS, DOCUMENTS_BY_KIND, FORMS, STEP_CODES, STEPS
from propdesk.frontdesk.services._common import (
    check_current_owner,
    check_entrustment,
    fee_gate,
    lock,
    number_next,
    refuse_state,
)


@transaction.atomic
def move_in_start(
    *,
    actor,
    house: House,
    owner: Owner,
    applicant_kind: str,
    agent: EntrustedAgent | None = None,
    person_name: str = "",
    person_mobile: str = "",
    note: str = "",
) -> MoveIn:
    """Open a move-in for a house and the person who came; the checklist follows who it is."""
    require(actor, Perm.MOVE_IN, house.community_id)
    applicant_kind = clean_choice("applicant_kind", applicant_kind, ApplicantKind)
    check_current_owner(house, owner)
    if house.status == HouseStatus.OCCUPIED:
        raise Conflict(
            _("House %(house)s is already occupied.") % {"house": house.code},
            code=error_codes.HOUSE_OCCUPIED,
            field="house",
        )
    if applicant_kind == ApplicantKind.COMPANY and owner.kind != OwnerKind.COMPANY:
        raise ValidationFailed(
            _("A company purchase needs an owner that is a company."), field="applicant_kind"
        )
    if applicant_kind != ApplicantKind.COMPANY and owner.kind == OwnerKind.COMPANY:
        raise ValidationFailed(
            _("The owner is a company: choose company purchase."), field="applicant_kind"
        )
    if applicant_kind == ApplicantKind.AGENT:
        check_entrustment(house=house, owner=owner, agent=agent)
    else:
        agent = None
    person_name = clean_text("person_name", person_name, max_length=100)
    if not person_name:
        if applicant_kind == ApplicantKind.COMPANY:
            raise ValidationFailed(
                _("Name the person who came for the company."),
                code=error_codes.REQUIRED,
                field="person_name",
            )
        person_name = agent.name if agent else owner.name
    person_mobile = clean_text("person_mobile", person_mobile, max_length=20)
    if person_mobile:
        person_mobile = clean_field("person_mobile", normalize_mobile, person_mobile)
    if MoveIn.objects.filter(house=house, status=MoveInStatus.IN_PROGRESS).exists():
        raise Conflict(
            _("A move-in of this house is already in progress."),
            code=error_codes.ALREADY_OPEN,
            field="house",
        )
    move_in = MoveIn(
        community_id=house.community_id,
        number=number_next("RH", house.community),
        house=house,
        owner=owner,
        applicant_kind=applicant_kind,
        agent=agent,
        person_name=person_name,
        person_mobile=person_mobile,
        note=clean_text("note", note, max_length=300),
        started_by=actor,
    )
    try:
        with transaction.atomic():
            move_in.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A move-in of this house is already in progress."),
            code=error_codes.ALREADY_OPEN,
            field="house",
        ) from exc
    items = [
        MoveInItem(
            community_id=house.community_id,
            move_in=move_in,
            group=ChecklistGroup.DOCUMENT,
            code=code,
            sort_order=order,
            # The agent's power of attorney is already filed in the archive: link it.
            document=agent.power_of_attorney if agent and code == "power_of_attorney" else None,
        )
        for order, code in enumerate(DOCUMENTS_BY_KIND[applicant_kind])
    ]
    items += [
        MoveInItem(
            community_id=house.community_id,
            move_in=move_in,
            group=ChecklistGroup.FORM,
            code=code,
            sort_order=order,
        )
        for order, code in enumerate(FORMS)
    ]
    MoveInItem.objects.bulk_create(items)
    MoveInStep.objects.bulk_create(
        MoveInStep(community_id=house.community_id, move_in=move_in, code=code, position=i)
        for i, code in enumerate(STEP_CODES, start=1)
    )
    audit.record_change(
        actor=actor,
        instance=move_in,
        action="move_in_started",
        changes={"applicant_kind": [None, applicant_kind]},
        house_id=house.id,
        owner_id=owner.id,
    )
    return move_in


def _item(move_in: MoveIn, group: str, code: str) -> MoveInItem:
    item = move_in.items.filter(group=group, code=code).first()
    if item is None:
        raise NotFound(_("This item is not on the move-in's checklist."), field="code")
    return item


def _refuse_after(move_in: MoveIn, step_code: str) -> None:
    if move_in.steps.filter(code=step_code, done_at__isnull=False).exists():
        raise refuse_state(
            _("The step “%(step)s” is done: its checklist can no longer change.")
            % {"step": STEPS[step_code]}
        )


@transaction.atomic
def move_in_item_set(
    *, actor, move_in: MoveIn, group: str, code: str, checked: bool = True
) -> MoveInItem:
    """Tick (or untick) a document checked or a form collected."""
    require(actor, Perm.MOVE_IN, move_in.community_id)
    group = clean_choice("group", group, ChecklistGroup)
    move_in = lock(move_in)
    if move_in.status != MoveInStatus.IN_PROGRESS:
        raise refuse_state(_("This move-in is no longer in progress."))
    _refuse_after(move_in, "verify" if group == ChecklistGroup.DOCUMENT else "collect_forms")
    item = _item(move_in, group, code)
    if checked == (item.checked_at is not None):
        return item
    item.checked_by = actor if checked else None
    item.checked_at = timezone.now() if checked else None
    item.save(update_fields=["checked_by", "checked_at"])
    audit.record_change(
        actor=actor,
        instance=move_in,
        action="move_in_item_checked" if checked else "move_in_item_unchecked",
        changes={"item": [None, code] if checked else [code, None]},
        house_id=move_in.house_id,
    )
    return item


@transaction.atomic
def move_in_document_scan(*, actor, move_in: MoveIn, code: str, uploaded) -> MoveInItem:
    """Scan a document into the house's archive under its unified number, and tick it."""
    require(actor, Perm.MOVE_IN, move_in.community_id)
    move_in = lock(move_in)
    if move_in.status != MoveInStatus.IN_PROGRESS:
        raise refuse_state(_("This move-in is no longer in progress."))
    item = _item(move_in, ChecklistGroup.DOCUMENT, code)
    label, doc_type = DOCUMENTS[code]
    document = document_upload(
        actor=actor,
        community=move_in.house.community,
        doc_type=doc_type,
        uploaded=uploaded,
        house=move_in.house,
        owner=move_in.owner,
        title=f"{move_in.number} {label}"[:120],
    )
    item.document = document
    item.checked_by = item.checked_by or actor
    item.checked_at = item.checked_at or timezone.now()
    item.save(update_fields=["document", "checked_by", "checked_at"])
    audit.record_change(
        actor=actor,
        instance=move_in,
        action="move_in_document_scanned",
        changes={"item": [None, code], "document": [None, document.archive_number]},
        house_id=move_in.house_id,
    )
    return item


def _gate(move_in: MoveIn, code: str) -> None:
    """The rule a step must meet before it can be ticked."""
    if code == "verify":
        missing = [i.label for i in move_in.items.filter(group="document", checked_at__isnull=True)]
        if missing:
            raise Conflict(
                _("Check every document first; missing: %(items)s.")
                % {"items": "、".join(missing)},
                code=error_codes.DOCUMENTS_MISSING,
                field="documents",
            )
        if move_in.applicant_kind == ApplicantKind.AGENT:
            agent = EntrustedAgent.objects.filter(pk=move_in.agent_id).first()
            check_entrustment(house=move_in.house, owner=move_in.owner, agent=agent)
    elif code == "collect_forms":
        missing = [i.label for i in move_in.items.filter(group="form", checked_at__isnull=True)]
        if missing:
            raise Conflict(
                _("Collect every form first; missing: %(items)s.") % {"items": "、".join(missing)},
                code=error_codes.FORMS_MISSING,
                field="forms",
            )
    elif code == "pay_fees":
        fee_gate(move_in.house, field="step")
    elif code in ("inspection", "sign_inspection"):
        done = move_in.inspections.filter(
            reinspection_of__isnull=True,
            status__in=[InspectionStatus.DEFECTS, InspectionStatus.CLOSED],
        ).exists()
        if not done:
            raise Conflict(
                _("Record the accompanied house inspection of this move-in first."),
                code=error_codes.INSPECTION_NOT_DONE,
                field="step",
            )


@transaction.atomic
def move_in_step_complete(*, actor, move_in: MoveIn, code: str, note: str = "") -> MoveInStep:
    """Tick the next step; archiving the file completes the move-in (house occupied)."""
    require(actor, Perm.MOVE_IN, move_in.community_id)
    if code not in STEPS:
        raise ValidationFailed(
            _("Choose one of the listed steps."), code=error_codes.BAD_CHOICE, field="step"
        )
    note = clean_text("note", note, max_length=300)
    move_in = lock(move_in)
    if move_in.status != MoveInStatus.IN_PROGRESS:
        raise refuse_state(_("This move-in is no longer in progress."))
    step = move_in.steps.get(code=code)
    if step.is_done:
        raise Conflict(_("This step is already done."), code=error_codes.WRONG_STATE, field="step")
    following = move_in.steps.filter(done_at__isnull=True).order_by("position").first()
    if following.code != code:
        raise Conflict(
            _("Do the steps in order: the next step is “%(step)s”.")
            % {"step": STEPS[following.code]},
            code=error_codes.STEP_OUT_OF_ORDER,
            field="step",
        )
    _gate(move_in, code)
    now = timezone.now()
    step.done_by = actor
    step.done_at = now
    step.note = note
    step.save(update_fields=["done_by", "done_at", "note"])
    audit.record_change(
        actor=actor,
        instance=move_in,
        action="move_in_step",
        changes={"step": [None, code]},
        house_id=move_in.house_id,
        note=note,
    )
    if code == STEP_CODES[-1]:
        _complete(actor, move_in, now)
    return step


def _complete(actor, move_in: MoveIn, now) -> None:
    move_in.status = MoveInStatus.COMPLETED
    move_in.completed_at = now
    move_in.save(update_fields=["status", "completed_at"])
    house = House.objects.select_for_update().get(pk=move_in.house_id)
    if house.status != HouseStatus.OCCUPIED:
        house_change_status(
            actor=actor,
            house=house,
            status=HouseStatus.OCCUPIED,
            note=_("Move-in %(number)s") % {"number": move_in.number},
        )
    audit.record_change(
        actor=actor,
        instance=move_in,
        action="move_in_completed",
        changes={"status": [MoveInStatus.IN_PROGRESS, MoveInStatus.COMPLETED]},
        house_id=move_in.house_id,
        owner_id=move_in.owner_id,
    )


@transaction.atomic
def move_in_cancel(*, actor, move_in: MoveIn, reason: str) -> MoveIn:
    require(actor, Perm.MOVE_IN, move_in.community_id)
    reason = clean_text("reason", reason, max_length=300, required=True)
    move_in = lock(move_in)
    if move_in.status != MoveInStatus.IN_PROGRESS:
        raise refuse_state(_("This move-in is no longer in progress."))
    move_in.status = MoveInStatus.CANCELLED
    move_in.save(update_fields=["status"])
    audit.record_change(
        actor=actor,
        instance=move_in,
        action="move_in_cancelled",
        changes={"status": [MoveInStatus.IN_PROGRESS, MoveInStatus.CANCELLED]},
        house_id=move_in.house_id,
        note=reason,
    )
    return move_in
