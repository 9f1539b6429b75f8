"""House inspection (一房一验), DOMAIN.md §4: a checklist per house from the community's items,
each pass or fail with a note and a photo. Submitting turns every failed item into a repair
request linked to its line; a re-inspection checks those items again and closes the loop."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import House
from propdesk.frontdesk import error_codes
from propdesk.frontdesk.models import (
    Inspection,
    InspectionResult,
    InspectionStatus,
    MoveIn,
    MoveInStatus,
    Outcome,
)
from propdesk.frontdesk.selectors import inspection_items_for
from propdesk.frontdesk.services._common import lock, number_next, primary_owner, refuse_state
from propdesk.tickets.models import Category, Channel
from propdesk.tickets.services.intake import request_create
from propdesk.tickets.services.photos import photos_check

FALLBACK_CATEGORY = "repair_building"


@transaction.atomic
def inspection_start(*, actor, house: House, move_in: MoveIn | None = None) -> Inspection:
    """Open the checklist of a house from the community's inspection items."""
    require(actor, Perm.INSPECTION_RECORD, house.community_id)
    if move_in is not None:
        if move_in.house_id != house.id:
            raise ValidationFailed(_("The move-in is of another house."), field="move_in")
        if move_in.status != MoveInStatus.IN_PROGRESS:
            raise refuse_state(_("This move-in is no longer in progress."))
        if move_in.inspections.filter(reinspection_of__isnull=True).exists():
            raise Conflict(
                _("This move-in already has its inspection."),
                code=error_codes.ALREADY_OPEN,
                field="move_in",
            )
    _refuse_open(house)
    items = inspection_items_for(house.community_id)
    if not items:
        raise ValidationFailed(
            _("The community has no inspection items: add them in the configuration."),
            code=error_codes.NO_INSPECTION_ITEMS,
            field="house",
        )
    inspection = Inspection.objects.create(
        community_id=house.community_id,
        number=number_next("YF", house.community),
        house=house,
        move_in=move_in,
        started_by=actor,
    )
    InspectionResult.objects.bulk_create(
        InspectionResult(
            community_id=house.community_id,
            inspection=inspection,
            position=position,
            name=item.name,
            category_code=item.category_code,
        )
        for position, item in enumerate(items, start=1)
    )
    audit.record_change(
        actor=actor, instance=inspection, action="inspection_started", house_id=house.id
    )
    return inspection


def _refuse_open(house: House) -> None:
    if Inspection.objects.filter(
        community_id=house.community_id, house=house, status=InspectionStatus.OPEN
    ).exists():
        raise Conflict(
            _("An inspection of this house is already open: finish it first."),
            code=error_codes.ALREADY_OPEN,
            field="house",
        )


@transaction.atomic
def inspection_result_record(
    *, actor, result: InspectionResult, outcome: str, note: str = "", photo=None
) -> InspectionResult:
    """Record one line: pass, or fail with what is wrong (and a photo when taken)."""
    require(actor, Perm.INSPECTION_RECORD, result.community_id)
    outcome = clean_choice("outcome", outcome, Outcome)
    if outcome == Outcome.PENDING:
        raise ValidationFailed(
            _("Choose pass or fail."), code=error_codes.BAD_CHOICE, field="outcome"
        )
    note = clean_text("note", note, max_length=500)
    if outcome == Outcome.FAIL and not note:
        raise ValidationFailed(
            _("Say what is wrong with this item."), code=error_codes.REQUIRED, field="note"
        )
    checked = photos_check([photo] if photo is not None else [], field="photo")
    inspection = lock(result.inspection)
    if inspection.status != InspectionStatus.OPEN:
        raise refuse_state(_("This inspection has been submitted and can no longer change."))
    result.outcome = outcome
    result.note = note
    result.checked_by = actor
    result.checked_at = timezone.now()
    fields = ["outcome", "note", "checked_by", "checked_at"]
    for upload, content_type, _digest in checked:
        suffix = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif"}.get(
            content_type, "webp"
        )
        result.photo.save(f"photo.{suffix}", upload, save=False)
        result.photo_type = content_type
        fields += ["photo", "photo_type"]
    result.save(update_fields=fields)
    audit.record_change(
        actor=actor,
        instance=inspection,
        action="inspection_item_recorded",
        changes={result.name: [None, outcome]},
        house_id=inspection.house_id,
        note=note,
    )
    return result


def _category(code: str) -> Category:
    from propdesk.tickets import configuration

    row = configuration.taxonomy_by_code(Category, code)
    if row is None or not row.is_active:
        row = configuration.taxonomy_by_code(Category, FALLBACK_CATEGORY)
    return row


def _repair_request(actor, inspection: Inspection, result: InspectionResult):
    description = _("House inspection %(number)s, %(item)s: %(note)s") % {
        "number": inspection.number,
        "item": result.name,
        "note": result.note,
    }
    photos = []
    if result.photo:
        result.photo.open("rb")
        photos = [result.photo]
    try:
        return request_create(
            actor=actor,
            kind="repair",
            category=_category(result.category_code),
            urgency="normal",
            description=description,
            channel=Channel.PATROL,
            house=inspection.house,
            caller_owner=primary_owner(inspection.house),
            photos=photos,
        )
    finally:
        if result.photo:
            result.photo.close()


@transaction.atomic
def inspection_submit(*, actor, inspection: Inspection) -> Inspection:
    """Close the checklist: every failed item becomes a repair request linked to its line."""
    require(actor, Perm.INSPECTION_RECORD, inspection.community_id)
    inspection = lock(inspection)
    if inspection.status != InspectionStatus.OPEN:
        raise refuse_state(_("This inspection has already been submitted."))
    results = list(inspection.results.order_by("position"))
    pending = [r.name for r in results if r.outcome == Outcome.PENDING]
    if pending:
        raise Conflict(
            _("Check every item first; not checked: %(items)s.") % {"items": "、".join(pending)},
            code=error_codes.ITEMS_UNCHECKED,
            field="results",
        )
    failed = [r for r in results if r.outcome == Outcome.FAIL]
    for result in failed:
        result.repair_request = _repair_request(actor, inspection, result)
        result.save(update_fields=["repair_request"])
    now = timezone.now()
    inspection.status = InspectionStatus.DEFECTS if failed else InspectionStatus.CLOSED
    inspection.submitted_by = actor
    inspection.submitted_at = now
    inspection.closed_at = None if failed else now
    inspection.save(update_fields=["status", "submitted_by", "submitted_at", "closed_at"])
    audit.record_change(
        actor=actor,
        instance=inspection,
        action="inspection_submitted",
        changes={
            "status": [InspectionStatus.OPEN, inspection.status],
            "failed": [None, [r.name for r in failed]],
        },
        house_id=inspection.house_id,
    )
    if inspection.reinspection_of_id:
        _close_original(actor, inspection, now)
    return inspection


def _close_original(actor, reinspection: Inspection, now) -> None:
    """The re-inspection takes over the loop: the inspection it re-checks is closed."""
    original = lock(reinspection.reinspection_of)
    if original.status == InspectionStatus.CLOSED:
        return
    original.status = InspectionStatus.CLOSED
    original.closed_at = now
    original.save(update_fields=["status", "closed_at"])
    audit.record_change(
        actor=actor,
        instance=original,
        action="inspection_closed",
        changes={"status": [InspectionStatus.DEFECTS, InspectionStatus.CLOSED]},
        house_id=original.house_id,
        note=reinspection.number,
    )


@transaction.atomic
def reinspection_start(*, actor, inspection: Inspection) -> Inspection:
    """Check again the items that failed, after their repairs."""
    require(actor, Perm.INSPECTION_RECORD, inspection.community_id)
    inspection = lock(inspection)
    if inspection.status != InspectionStatus.DEFECTS:
        raise refuse_state(_("Only an inspection with defects is re-inspected."))
    house = inspection.house
    _refuse_open(house)
    failed = list(inspection.results.filter(outcome=Outcome.FAIL).order_by("position"))
    reinspection = Inspection.objects.create(
        community_id=inspection.community_id,
        number=number_next("YF", house.community),
        house=house,
        move_in=inspection.move_in,
        reinspection_of=inspection,
        started_by=actor,
    )
    InspectionResult.objects.bulk_create(
        InspectionResult(
            community_id=inspection.community_id,
            inspection=reinspection,
            position=position,
            name=result.name,
            category_code=result.category_code,
        )
        for position, result in enumerate(failed, start=1)
    )
    audit.record_change(
        actor=actor,
        instance=reinspection,
        action="reinspection_started",
        house_id=house.id,
        note=inspection.number,
    )
    return reinspection
