"""Archive documents: list per house and owner, multipart upload, download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.api.tests.helpers import (
    PDF,
    ROLES,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    pdf_file,
    snapshot,
)
from propdesk.estates.models import ArchiveDocument


@pytest.mark.parametrize("role", ROLES)
def test_the_house_archive_is_shown_to_front_desk_roles_only(api, registry, role):
    response = api.get(role, f"/api/houses/{registry.house.id}/documents")
    assert response.status_code == edit_outcomes()[role], response.content
    if response.status_code == 200:
        assert [d["archive_number"] for d in response.json()] == [registry.poa.archive_number]


@pytest.mark.parametrize("role", ROLES)
def test_the_owner_archive_is_shown_to_front_desk_roles_only(api, registry, role):
    response = api.get(role, f"/api/owners/{registry.owner.id}/documents")
    assert response.status_code == edit_outcomes()[role], response.content
    if response.status_code == 200:
        assert [d["doc_type"] for d in response.json()] == ["power_of_attorney"]


@pytest.mark.parametrize("role", ROLES)
def test_uploading_is_refused_to_roles_without_the_right(api, registry, role):
    before = snapshot()
    response = api.upload(
        role,
        "/api/documents",
        {
            "doc_type": "id_copy",
            "house": registry.house.id,
            "title": "身份证复印件",
            "file": pdf_file("id.pdf"),
        },
    )
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["archive_number"].startswith("A-")
    assert (body["content_type"], body["size_bytes"], body["original_name"]) == (
        "application/pdf",
        len(PDF),
        "id.pdf",
    )
    document = ArchiveDocument.objects.get(pk=body["id"])
    assert document.file.read() == PDF


def test_a_document_can_be_filed_under_an_owner_only(api, registry):
    response = api.upload(
        "agent",
        "/api/documents",
        {"doc_type": "id_copy", "owner": registry.li_si.id, "file": pdf_file()},
    )
    assert response.status_code == 201, response.content
    assert response.json()["house"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"doc_type": "selfie"}, "doc_type"),
        ({"doc_type": None}, "doc_type"),
        ({"house": None}, "house"),
        ({"house": "three"}, "house"),
        ({"house": "HOUSE_B"}, "house"),
        ({"house": "HOUSE", "owner": "OWNER_B"}, "owner"),
        ({"title": "t" * 121}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"file": None}, "file"),
        ({"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")}, "file"),
        ({"file": SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>")}, "file"),
        ({"file": SimpleUploadedFile("empty.pdf", b"")}, "file"),
        ({"file": SimpleUploadedFile("noext", PDF)}, "file"),
    ],
)
def test_uploading_refuses_bad_input_naming_the_field(api, registry, fields, field):
    ids = {
        "HOUSE": registry.house.id,
        "HOUSE_B": registry.house_b.id,
        "OWNER_B": registry.owner_b.id,
    }
    data = {"doc_type": "contract", "house": registry.house.id, "file": pdf_file(), **fields}
    data = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    data = {k: v for k, v in data.items() if v is not None}
    before = snapshot()
    response = api.upload("agent", "/api/documents", data)
    assert_bad_input(response, field, before)


def test_uploading_refuses_a_file_over_the_size_limit(api, registry, settings):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 1024
    before = snapshot()
    big = pdf_file("big.pdf", PDF + b"0" * 2048)
    response = api.upload(
        "agent", "/api/documents", {"doc_type": "contract", "house": registry.house.id, "file": big}
    )
    assert response.status_code == 400
    assert_bad_input(response, "file", before)


@pytest.mark.parametrize("role", ROLES)
def test_downloading_is_refused_to_roles_without_the_right(api, registry, role):
    response = api.get(role, f"/api/documents/{registry.poa.id}/file")
    assert response.status_code == edit_outcomes()[role]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
    else:
        assert response.json()["code"]


def test_downloading_a_document_whose_file_is_gone_is_a_404(api, registry):
    registry.poa.file.delete(save=False)
    response = api.get("agent", f"/api/documents/{registry.poa.id}/file")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("multipart/form-data", b"--x\r\n"),
        ("multipart/form-data; boundary=zz", b"garbage"),
        ("application/json", b'{"doc_type": "contract"}'),
        ("text/plain", b"hello"),
    ],
)
def test_a_malformed_upload_is_a_4xx_not_a_500(api, registry, content_type, data):
    before = snapshot()
    response = api.raw("agent", "post", "/api/documents", data, content_type)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["message"]
    assert snapshot() == before
