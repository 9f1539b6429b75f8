"""The document register (资料管理): unified numbers, locations, search and lending."""

import datetime

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.core.tests.hostile_files import HOSTILE
from propdesk.custody import error_codes
from propdesk.custody.selectors import document_list
from propdesk.custody.services.register import (
    document_lend,
    document_move,
    document_register,
    document_return,
)
from propdesk.custody.tests.conftest import TODAY


def register(actor, community, **overrides):
    values = {
        "category": "incoming",
        "title": "区房管局关于电梯年检的通知",
        "location": "档案柜2-3层",
        "counterparty": "区房管局",
        "reference": "房管〔2026〕12号",
        "dated": datetime.date(2026, 7, 1),
        "keywords": "电梯 年检",
    }
    values.update(overrides)
    return document_register(actor=actor, community=community, **values)


def test_documents_share_the_archives_unified_numbering(agent, admin, community_a, house_a, pdf):
    from propdesk.estates import services

    first = register(agent, community_a)
    archived = services.document_upload(
        actor=admin, community=community_a, doc_type="contract", uploaded=pdf(), house=house_a
    )
    second = register(agent, community_a, category="drawing", title="3号楼给排水图")
    assert (first.number, archived.archive_number, second.number) == (
        "A-2026-000001",
        "A-2026-000002",
        "A-2026-000003",
    )
    assert AuditEvent.objects.filter(action="document_registered").count() == 2


def test_a_scan_passes_the_upload_checks(agent, community_a, pdf, nothing_changes):
    document = register(agent, community_a, scan=pdf("通知.pdf"))
    assert (document.scan_name, document.scan_type) == ("通知.pdf", "application/pdf")
    assert document.scan.name.endswith(f"{document.number}.pdf")
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        register(agent, community_a, scan=pdf("evil.pdf", b"MZ\x90\x00 not a pdf"))
    assert exc.value.field == "scan"


def test_a_resident_file_goes_under_its_house(agent, community_a, house_a, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        register(agent, community_a, category="resident_file")
    assert exc.value.field == "house"
    assert register(agent, community_a, category="resident_file", house=house_a).house == house_a


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 10_000}, "title"),
        ({"location": ""}, "location"),
        ({"category": "secret"}, "category"),
        ({"dated": TODAY + datetime.timedelta(days=1)}, "dated"),
        ({"counterparty": "a\x00b"}, "counterparty"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    agent, community_a, overrides, field, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        register(agent, community_a, **overrides)
    assert exc.value.field == field


def test_another_communitys_house_is_refused(agent, community_a, house_b, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        register(agent, community_a, category="resident_file", house=house_b)
    assert exc.value.field == "house"


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "owner", "other_agent"])
def test_only_the_desk_registers(personas, role, community_a, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        register(personas[role], community_a)


def test_search_finds_by_number_title_keyword_and_location(agent, community_a):
    notice = register(agent, community_a)
    drawing = register(agent, community_a, category="drawing", title="3号楼给排水图", keywords="")
    assert list(document_list(agent, q="年检")) == [notice]
    assert list(document_list(agent, q=drawing.number)) == [drawing]
    assert set(document_list(agent, q="档案柜2")) == {notice, drawing}
    assert list(document_list(agent, category="drawing")) == [drawing]
    assert list(document_list(agent, q="' OR 1=1 --")) == []
    assert list(document_list(agent, q="<script>")) == []


def test_lending_and_returning_is_logged(agent, community_a):
    document = register(agent, community_a)
    loan = document_lend(
        actor=agent, document=document, borrower_name="工程部刘工", purpose="查阅", due_on=TODAY
    )
    assert document.status == "lent" and loan.lent_by == agent
    with pytest.raises(Conflict) as exc:
        document_lend(actor=agent, document=document, borrower_name="X", purpose="Y", due_on=TODAY)
    assert exc.value.code == error_codes.DOCUMENT_LENT
    returned = document_return(actor=agent, document=document)
    document.refresh_from_db()
    assert (document.status, returned.returned_to) == ("on_file", agent)
    actions = list(
        AuditEvent.objects.filter(object_type="registereddocument")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["document_registered", "document_lent", "document_returned"]


def test_a_document_on_file_cannot_be_returned(agent, community_a, nothing_changes):
    document = register(agent, community_a)
    with nothing_changes(), pytest.raises(Conflict) as exc:
        document_return(actor=agent, document=document)
    assert exc.value.code == error_codes.DOCUMENT_NOT_LENT


def test_a_past_return_date_is_refused(agent, community_a, nothing_changes):
    document = register(agent, community_a)
    with nothing_changes(), pytest.raises(ValidationFailed) as exc:
        document_lend(
            actor=agent,
            document=document,
            borrower_name="X",
            purpose="Y",
            due_on=TODAY - datetime.timedelta(days=1),
        )
    assert exc.value.field == "due_on"


def test_moving_a_document_is_in_its_history(agent, community_a):
    document = register(agent, community_a)
    document_move(actor=agent, document=document, location="档案柜5-1层")
    event = AuditEvent.objects.get(object_type="registereddocument", action="update")
    assert event.changes == {"location": ["档案柜2-3层", "档案柜5-1层"]}


@pytest.mark.parametrize(
    ("kind", "code"), [("png_headed_html", "bad_file_content"), ("pixel_bomb", "too_many_pixels")]
)
def test_a_hostile_scan_is_decoded_and_refused(
    agent, community_a, pdf, nothing_changes, kind, code
):
    with pytest.raises(ValidationFailed) as exc:
        register(agent, community_a, scan=pdf("scan.png", HOSTILE[kind]()))
    assert (exc.value.field, exc.value.code) == ("scan", code)
