"""Archive uploads with their unified archive number (资料统一编号), per community."""

import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import ValidationFailed
from propdesk.core.images import image_check
from propdesk.core.numbering import next_number
from propdesk.core.permissions import Perm, require
from propdesk.estates import error_codes
from propdesk.estates.models import ArchiveDocument, Community, DocumentType, House, Owner

# What a scan or an office document looks like: extension → the magic bytes it must start with.
ALLOWED_FILES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
# Scans kept as pictures are decoded (core.images), not only sniffed.
PICTURES = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def archive_number_next(community: Community) -> str:
    """XF-2026-000123: community prefix, year, a gap-free counter per community and year."""
    year = timezone.localdate().year
    value = next_number(f"archive:{community.id}:{year}")
    return f"{community.archive_prefix}-{year}-{value:06d}"


def upload_check(uploaded) -> str:
    """The file's checked suffix: an allowed type, not empty, within the size limit, and its
    bytes what its name says (the archive's rules; other registers reuse them)."""
    name = (getattr(uploaded, "name", "") or "").strip()
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ALLOWED_FILES:
        raise ValidationFailed(
            _("Upload a PDF, JPG, PNG, DOCX or XLSX file."),
            code=error_codes.BAD_FILE_TYPE,
            field="file",
        )
    if uploaded.size == 0:
        raise ValidationFailed(_("The file is empty."), code=error_codes.EMPTY_FILE, field="file")
    if uploaded.size > settings.ARCHIVE_MAX_UPLOAD_BYTES:
        raise ValidationFailed(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.ARCHIVE_MAX_UPLOAD_BYTES // (1024 * 1024)},
            code=error_codes.FILE_TOO_LARGE,
            field="file",
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED_FILES[suffix]):
        raise ValidationFailed(
            _("The file's content does not match its type."),
            code=error_codes.BAD_FILE_CONTENT,
            field="file",
        )
    if suffix in PICTURES:
        try:
            image_check(uploaded, field="file", formats=(PICTURES[suffix],))
        except ValidationFailed as exc:
            if exc.code == "too_many_pixels":
                raise
            raise ValidationFailed(
                _("The file's content does not match its type."),
                code=error_codes.BAD_FILE_CONTENT,
                field="file",
            ) from exc
    return suffix


def upload_name(name: str) -> str:
    # Kept only to name the download: no folders (a browser may send C:\scans\x.pdf, a client
    # ../../x.pdf), and a long name loses its start rather than its extension.
    base = re.split(r"[\\/]", str(name or ""))[-1].strip()
    return clean_text("file", base[-200:], max_length=200)


@transaction.atomic
def document_upload(
    *,
    actor,
    community: Community,
    doc_type: str,
    uploaded,
    house: House | None = None,
    owner: Owner | None = None,
    title: str = "",
) -> ArchiveDocument:
    require(actor, Perm.ARCHIVE_UPLOAD, community.id)
    doc_type = clean_choice("doc_type", doc_type, DocumentType)
    if house is None and owner is None:
        raise ValidationFailed(_("File the document under a house or an owner."), field="house")
    for field, related in (("house", house), ("owner", owner)):
        if related is not None and related.community_id != community.id:
            raise ValidationFailed(_("This belongs to another community."), field=field)
    suffix = upload_check(uploaded)
    document = ArchiveDocument(
        community=community,
        archive_number=archive_number_next(community),
        house=house,
        owner=owner,
        doc_type=doc_type,
        title=clean_text("title", title, max_length=120),
        original_name=upload_name(uploaded.name),
        content_type=CONTENT_TYPES[suffix],
        size_bytes=uploaded.size,
        uploaded_by=actor,
    )
    document.file.save(f"{document.archive_number}.{suffix}", uploaded, save=False)
    document.save()
    audit.record_change(
        actor=actor,
        instance=document,
        action="document_uploaded",
        changes={"doc_type": [None, doc_type]},
        house_id=house.id if house else None,
        owner_id=owner.id if owner else None,
    )
    return document
