"""House inspection (一房一验): the checklist from the community's items, pass/fail with a note and
photo, failed items filed as repair requests, re-inspection closing the loop."""

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.tests.hostile_files import HOSTILE, HOSTILE_CODES
from propdesk.frontdesk.models import Inspection, InspectionStatus
from propdesk.frontdesk.services.configure import inspection_item_add
from propdesk.frontdesk.services.inspection import (
    inspection_result_record,
    inspection_start,
    inspection_submit,
    reinspection_start,
)
from propdesk.frontdesk.tests.conftest import png_upload, record_all, snapshot
from propdesk.tickets.models import ServiceRequest

pytestmark = pytest.mark.django_db

WATER = "给水、排水"
WALLS = "地面、墙面、天花"


def test_the_checklist_comes_from_the_default_items(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    names = list(inspection.results.values_list("name", flat=True))
    assert names[0] == WALLS and len(names) == 7
    assert "配电箱" in names and "入户门" in names
    assert inspection.number == "YF2026000001"
    assert inspection.status == InspectionStatus.OPEN


def test_a_communitys_own_items_replace_the_defaults(supervisor, technician, new_house):
    inspection_item_add(
        actor=supervisor,
        community=new_house.community,
        name="阳台防水",
        category_code="repair_water",
    )
    inspection = inspection_start(actor=technician, house=new_house)
    assert inspection.results.count() == 8
    assert inspection.results.order_by("-position").first().name == "阳台防水"


def test_a_failed_item_becomes_a_repair_request_with_its_photo(technician, new_house, li_si):
    inspection = inspection_start(actor=technician, house=new_house)
    record_all(technician, inspection, fail={WATER}, photo=True)
    inspection = inspection_submit(actor=technician, inspection=inspection)
    assert inspection.status == InspectionStatus.DEFECTS
    failed = inspection.results.get(name=WATER)
    request = failed.repair_request
    assert request.kind.code == "repair"
    assert request.category.code == "repair_water"
    assert request.channel == "patrol"
    assert request.house_id == new_house.id
    assert request.caller_owner_id == li_si.id
    assert inspection.number in request.description and "墙面开裂" in request.description
    assert request.photos.count() == 1
    assert ServiceRequest.objects.count() == 1


def test_all_passed_closes_at_once(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    record_all(technician, inspection)
    inspection = inspection_submit(actor=technician, inspection=inspection)
    assert inspection.status == InspectionStatus.CLOSED
    assert inspection.closed_at is not None
    assert not ServiceRequest.objects.exists()


def test_submitting_waits_for_every_item(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    first = inspection.results.order_by("position").first()
    inspection_result_record(actor=technician, result=first, outcome="pass")
    with pytest.raises(Conflict) as refused:
        inspection_submit(actor=technician, inspection=inspection)
    assert refused.value.code == "items_unchecked"
    assert "配电箱" in str(refused.value.message)


def test_a_failure_needs_a_note(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    result = inspection.results.first()
    with pytest.raises(ValidationFailed) as refused:
        inspection_result_record(actor=technician, result=result, outcome="fail")
    assert refused.value.field == "note"


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [
        ("maybe", "", "outcome"),
        ("pending", "", "outcome"),
        ("fail", "x" * 10_000, "note"),
        ("pass", "a\x00b", "note"),
    ],
)
def test_bad_input_names_the_field(technician, new_house, outcome, note, field):
    inspection = inspection_start(actor=technician, house=new_house)
    result = inspection.results.first()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        inspection_result_record(actor=technician, result=result, outcome=outcome, note=note)
    assert refused.value.field == field
    assert snapshot() == before


def test_a_photo_that_is_not_an_image_is_refused(technician, new_house):
    from django.core.files.uploadedfile import SimpleUploadedFile

    inspection = inspection_start(actor=technician, house=new_house)
    with pytest.raises(ValidationFailed) as refused:
        inspection_result_record(
            actor=technician,
            result=inspection.results.first(),
            outcome="fail",
            note="裂缝",
            photo=SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image"),
        )
    assert refused.value.field == "photo"


def test_reinspection_checks_the_failed_items_and_closes_the_loop(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    record_all(technician, inspection, fail={WATER, WALLS})
    inspection_submit(actor=technician, inspection=inspection)
    reinspection = reinspection_start(actor=technician, inspection=inspection)
    assert sorted(reinspection.results.values_list("name", flat=True)) == sorted([WATER, WALLS])
    assert reinspection.reinspection_of_id == inspection.id
    record_all(technician, reinspection)
    reinspection = inspection_submit(actor=technician, inspection=reinspection)
    inspection.refresh_from_db()
    assert reinspection.status == InspectionStatus.CLOSED
    assert inspection.status == InspectionStatus.CLOSED
    assert ServiceRequest.objects.count() == 2  # no new requests on the re-inspection


def test_a_reinspection_that_fails_again_files_another_request(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    record_all(technician, inspection, fail={WATER})
    inspection_submit(actor=technician, inspection=inspection)
    reinspection = reinspection_start(actor=technician, inspection=inspection)
    record_all(technician, reinspection, fail={WATER})
    reinspection = inspection_submit(actor=technician, inspection=reinspection)
    assert reinspection.status == InspectionStatus.DEFECTS
    assert ServiceRequest.objects.count() == 2


def test_only_defects_are_reinspected_and_one_open_inspection_a_house(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    with pytest.raises(Conflict) as twice:
        inspection_start(actor=technician, house=new_house)
    assert twice.value.code == "already_open"
    with pytest.raises(Conflict) as not_yet:
        reinspection_start(actor=technician, inspection=inspection)
    assert not_yet.value.code == "wrong_state"


def test_a_submitted_inspection_cannot_change(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    record_all(technician, inspection)
    inspection_submit(actor=technician, inspection=inspection)
    with pytest.raises(Conflict):
        inspection_result_record(
            actor=technician, result=inspection.results.first(), outcome="fail", note="x"
        )
    with pytest.raises(Conflict):
        inspection_submit(actor=technician, inspection=inspection)


@pytest.mark.parametrize("role", ["cashier", "guard", "owner", "other_agent"])
def test_roles_without_the_right_cannot_inspect(personas, role, new_house):
    with pytest.raises(PermissionDenied):
        inspection_start(actor=personas[role], house=new_house)
    assert not Inspection.objects.exists()


def test_a_photo_is_kept_on_the_line(technician, new_house):
    inspection = inspection_start(actor=technician, house=new_house)
    result = inspection_result_record(
        actor=technician,
        result=inspection.results.first(),
        outcome="fail",
        note="地面空鼓",
        photo=png_upload(),
    )
    assert result.photo.name.endswith(".png")
    assert result.photo_type == "image/png"


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_photo_is_decoded_and_refused(technician, new_house, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    inspection = inspection_start(actor=technician, house=new_house)
    result = inspection.results.first()
    with pytest.raises(ValidationFailed) as refused:
        inspection_result_record(
            actor=technician,
            result=result,
            outcome="fail",
            note="裂缝",
            photo=SimpleUploadedFile("x.png", HOSTILE[kind](), "image/png"),
        )
    assert (refused.value.field, refused.value.code) == ("photo", HOSTILE_CODES[kind])
    result.refresh_from_db()
    assert not result.photo
