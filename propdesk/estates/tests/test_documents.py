"""Archive uploads with the unified archive number (estates.services.documents; DOMAIN §1, §4)."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.core.tests.hostile_files import HOSTILE, picture
from propdesk.estates import services
from propdesk.estates.models import ArchiveDocument

NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
MB = 1024 * 1024
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"

MAGIC = {
    "pdf": PDF_BYTES,
    "jpg": picture("JPEG"),
    "jpeg": picture("JPEG"),
    "png": picture("PNG"),
    "docx": b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 32,
    "xlsx": b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 32,
}
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 32

# Who may not file documents in community A's archive, as the policy says (ARCHIVE_UPLOAD).
UPLOAD_REFUSED = ["technician", "cashier", "guard", "owner", "other_agent"]


@pytest.fixture(autouse=True)
def _english_and_frozen_clock():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


def _stored_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _upload(actor, house, uploaded, **fields):
    values = {"doc_type": "contract", "house": house} | fields
    return services.document_upload(
        actor=actor, community=house.community, uploaded=uploaded, **values
    )


def test_it_files_a_document_with_its_archive_number(personas, house_a, zhang_san, pdf):
    document = _upload(
        personas["agent"],
        house_a,
        pdf("购房合同.pdf", PDF_BYTES),
        owner=zhang_san,
        title="购房合同",
    )
    document = ArchiveDocument.objects.get(pk=document.pk)
    assert (
        document.community_id,
        document.archive_number,
        document.house_id,
        document.owner_id,
        document.doc_type,
        document.title,
        document.file.name,
        document.original_name,
        document.content_type,
        document.size_bytes,
        document.uploaded_by_id,
        document.uploaded_at,
    ) == (
        house_a.community_id,
        "A-2026-000001",
        house_a.id,
        zhang_san.id,
        "contract",
        "购房合同",
        f"archive/{house_a.community_id}/A-2026-000001.pdf",
        "购房合同.pdf",
        "application/pdf",
        len(PDF_BYTES),
        personas["agent"].id,
        NOW,
    )
    assert _stored_files() == [f"archive/{house_a.community_id}/A-2026-000001.pdf"]
    assert Path(document.file.path).read_bytes() == PDF_BYTES
    assert Path(document.file.path).is_relative_to(Path(django_settings.MEDIA_ROOT))
    assert list(
        AuditEvent.objects.filter(action="document_uploaded").values_list(
            "actor__username", "object_type", "object_repr", "changes", "house_id", "owner_id"
        )
    ) == [
        (
            "agent",
            "archivedocument",
            "A-2026-000001",
            {"doc_type": [None, "contract"]},
            house_a.id,
            zhang_san.id,
        )
    ]


def test_archive_numbers_follow_each_other_per_community_and_year(personas, house_a, house_b, pdf):
    numbers = [
        _upload(personas["agent"], house_a, pdf()).archive_number,
        _upload(personas["supervisor"], house_a, pdf()).archive_number,
        _upload(personas["admin"], house_b, pdf()).archive_number,
        _upload(personas["agent"], house_a, pdf()).archive_number,
    ]
    with time_machine.travel(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=NOW.tzinfo), tick=False):
        numbers.append(_upload(personas["agent"], house_a, pdf()).archive_number)
    assert numbers == [
        "A-2026-000001",
        "A-2026-000002",
        "B-2026-000001",
        "A-2026-000003",
        "A-2027-000001",
    ]
    assert _stored_files() == [
        f"archive/{house_a.community_id}/A-2026-000001.pdf",
        f"archive/{house_a.community_id}/A-2026-000002.pdf",
        f"archive/{house_a.community_id}/A-2026-000003.pdf",
        f"archive/{house_a.community_id}/A-2027-000001.pdf",
        f"archive/{house_b.community_id}/B-2026-000001.pdf",
    ]


def test_a_document_may_be_filed_under_an_owner_alone(personas, zhang_san, pdf):
    document = services.document_upload(
        actor=personas["agent"],
        community=zhang_san.community,
        doc_type="id_copy",
        uploaded=pdf("身份证.pdf"),
        owner=zhang_san,
    )
    assert (document.house_id, document.owner_id, document.archive_number) == (
        None,
        zhang_san.id,
        "A-2026-000001",
    )


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("scan.pdf", "application/pdf"),
        ("SCAN.PDF", "application/pdf"),
        ("photo.jpg", "image/jpeg"),
        ("photo.jpeg", "image/jpeg"),
        ("photo.png", "image/png"),
        (
            "card.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("roster.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_it_accepts_scans_and_office_documents(personas, house_a, name, content_type):
    suffix = name.rsplit(".", 1)[1].lower()
    document = _upload(personas["agent"], house_a, SimpleUploadedFile(name, MAGIC[suffix]))
    assert (document.content_type, document.file.name, document.original_name) == (
        content_type,
        f"archive/{house_a.community_id}/A-2026-000001.{suffix}",
        name,
    )


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", EXE_BYTES, "bad_file_type"),
        ("virus.exe.pdf", EXE_BYTES, "bad_file_content"),
        ("virus.pdf", EXE_BYTES, "bad_file_content"),
        ("page.html", b"<html><script>alert(1)</script>", "bad_file_type"),
        ("image.svg", b"<svg onload=alert(1)>", "bad_file_type"),
        ("photo.png", PDF_BYTES, "bad_file_content"),
        ("scan.pdf", MAGIC["png"], "bad_file_content"),
        ("contract.docx", PDF_BYTES, "bad_file_content"),
        ("noextension", PDF_BYTES, "bad_file_type"),
        ("pdf", PDF_BYTES, "bad_file_type"),
        ("scan.pdf", b"", "empty_file"),
        ("scan.pdf", b"%PD", "bad_file_content"),
    ],
)
def test_it_refuses_files_whose_type_or_content_is_wrong(
    personas, house_a, nothing_changes, name, content, code
):
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        _upload(personas["agent"], house_a, SimpleUploadedFile(name, content))
    assert (refused.value.field, refused.value.code) == ("file", code)
    assert _stored_files() == []


def test_the_exe_error_names_the_allowed_types(personas, house_a):
    with pytest.raises(ValidationFailed) as refused:
        _upload(personas["agent"], house_a, SimpleUploadedFile("virus.exe", EXE_BYTES))
    assert str(refused.value.message) == "Upload a PDF, JPG, PNG, DOCX or XLSX file."


def test_it_refuses_a_file_over_the_configured_size(personas, house_a, settings, nothing_changes):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 2 * MB
    too_big = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"\x00" * (2 * MB - len(PDF_BYTES) + 1))
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _upload(personas["agent"], house_a, too_big)
    assert (refused.value.field, refused.value.code) == ("file", "file_too_large")
    assert str(refused.value.message) == "The file is larger than 2 MB."
    assert _stored_files() == []


def test_a_file_of_exactly_the_configured_size_is_accepted(personas, house_a, settings):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 1 * MB
    exact = SimpleUploadedFile("scan.pdf", PDF_BYTES + b"\x00" * (MB - len(PDF_BYTES)))
    assert _upload(personas["agent"], house_a, exact).size_bytes == MB


def test_a_refused_upload_gives_its_archive_number_back(personas, house_a, pdf):
    with pytest.raises(ValidationFailed):
        _upload(personas["agent"], house_a, SimpleUploadedFile("x.pdf", EXE_BYTES))
    with pytest.raises(ValidationFailed):
        _upload(personas["agent"], house_a, pdf(), title="题" * 121)
    assert _upload(personas["agent"], house_a, pdf()).archive_number == "A-2026-000001"


@pytest.mark.parametrize(
    ("name", "original"),
    [
        ("../../x.pdf", "x.pdf"),
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("/etc/cron.d/x.pdf", "x.pdf"),
        ("C:\\Users\\张三\\委托书.pdf", "委托书.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
    ],
)
def test_path_traversal_names_are_stored_under_the_archive_number(
    personas, house_a, name, original
):
    document = _upload(personas["agent"], house_a, ContentFile(PDF_BYTES, name=name))
    assert document.original_name == original
    assert _stored_files() == [f"archive/{house_a.community_id}/A-2026-000001.pdf"]
    assert (
        Path(document.file.path)
        .resolve()
        .is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())
    )


def test_a_long_file_name_keeps_its_end(personas, house_a):
    name = "扫" * 230 + ".pdf"
    document = _upload(personas["agent"], house_a, ContentFile(PDF_BYTES, name=name))
    assert document.original_name == ("扫" * 230 + ".pdf")[-200:]
    assert document.original_name.endswith(".pdf") and len(document.original_name) == 200


def test_it_refuses_a_nul_in_the_file_name(personas, house_a, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _upload(personas["agent"], house_a, ContentFile(PDF_BYTES, name="x.exe\x00.pdf"))
    assert refused.value.field == "file"
    assert _stored_files() == []


def test_a_document_must_be_filed_under_a_house_or_an_owner(
    personas, community_a, pdf, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.document_upload(
            actor=personas["agent"], community=community_a, doc_type="contract", uploaded=pdf()
        )
    assert refused.value.field == "house"


@pytest.mark.parametrize("field", ["house", "owner"])
def test_it_refuses_a_house_or_owner_of_another_community(
    admin, community_a, house_b, owner_b, pdf, nothing_changes, field
):
    related = {"house": house_b, "owner": owner_b}[field]
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.document_upload(
            actor=admin,
            community=community_a,
            doc_type="contract",
            uploaded=pdf(),
            **{field: related},
        )
    assert refused.value.field == field
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("fields", "field"), [({"doc_type": "selfie"}, "doc_type"), ({"title": "\x00"}, "title")]
)
def test_it_refuses_a_bad_type_or_title(personas, house_a, pdf, nothing_changes, fields, field):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _upload(personas["agent"], house_a, pdf(), **fields)
    assert refused.value.field == field
    assert _stored_files() == []


@pytest.mark.parametrize("role", UPLOAD_REFUSED)
def test_it_refuses_uploads_to_roles_without_the_upload_right(
    personas, house_a, pdf, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        _upload(personas[role], house_a, pdf())
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("scan.png", "png_headed_html", "bad_file_content"),
        ("scan.png", "pixel_bomb", "too_many_pixels"),
        ("scan.jpg", "png_headed_html", "bad_file_content"),
    ],
)
def test_it_decodes_pictures_and_refuses_hostile_files(
    personas, house_a, nothing_changes, name, kind, code
):
    with pytest.raises(ValidationFailed) as refused:
        _upload(personas["agent"], house_a, SimpleUploadedFile(name, HOSTILE[kind]()))
    assert (refused.value.field, refused.value.code) == ("file", code)
