"""The document register (资料管理, DOMAIN.md §4): incoming and outgoing documents, drawings and
resident files, classified, given the unified archive number (the same counter as the owner
archive, so a number is never given twice in a community and year), filed at a location, and
lent out with a log. A scan may be attached; it passes the archive's upload checks (type,
size, magic bytes).
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.custody import error_codes
from propdesk.custody.models import (
    DocumentCategory,
    DocumentLoan,
    RegisteredDocument,
    RegisteredDocumentStatus,
)
from propdesk.custody.services._common import clean_choice, clean_text
from propdesk.custody.services._common import now as clock_now
from propdesk.custody.services._common import today as clock_today
from propdesk.estates.models import Community, House
from propdesk.estates.services.documents import (
    CONTENT_TYPES,
    archive_number_next,
    upload_check,
    upload_name,
)


def _checked_scan(scan) -> str:
    """The archive's upload checks, with the error naming this form's field."""
    try:
        return upload_check(scan)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, field="scan") from exc


@transaction.atomic
def document_register(
    *,
    actor,
    community: Community,
    category: str,
    title: str,
    location: str,
    counterparty: str = "",
    reference: str = "",
    dated: datetime.date | None = None,
    house: House | None = None,
    keywords: str = "",
    scan=None,
) -> RegisteredDocument:
    """Register a document and give it the next unified archive number."""
    require(actor, Perm.DOCUMENTS_REGISTER, community.id)
    category = clean_choice("category", category, DocumentCategory)
    if house is not None and house.community_id != community.id:
        raise ValidationFailed(_("This belongs to another community."), field="house")
    if category == DocumentCategory.RESIDENT_FILE and house is None:
        raise ValidationFailed(_("File a resident's document under its house."), field="house")
    if dated is not None and (not isinstance(dated, datetime.date) or dated > clock_today()):
        raise ValidationFailed(_("The document date cannot be in the future."), field="dated")
    values = {
        "title": clean_text("title", title, max_length=120, required=True),
        "location": clean_text("location", location, max_length=60, required=True),
        "counterparty": clean_text("counterparty", counterparty, max_length=100),
        "reference": clean_text("reference", reference, max_length=60),
        "keywords": clean_text("keywords", keywords, max_length=120),
    }
    suffix = _checked_scan(scan) if scan is not None else None
    document = RegisteredDocument(
        community=community,
        number=archive_number_next(community),
        category=category,
        dated=dated,
        house=house,
        registered_by=actor,
        registered_at=clock_now(),
        **values,
    )
    if suffix:
        document.scan_name = upload_name(scan.name)
        document.scan_type = CONTENT_TYPES[suffix]
        document.scan.save(f"{document.number}.{suffix}", scan, save=False)
    document.save()
    audit.record_change(
        actor=actor,
        instance=document,
        action="document_registered",
        changes={"location": [None, document.location]},
        house_id=document.house_id,
        note=document.title,
    )
    return document


@transaction.atomic
def document_move(*, actor, document: RegisteredDocument, location: str) -> RegisteredDocument:
    """File the document at another location (cabinet, shelf, box)."""
    require(actor, Perm.DOCUMENTS_REGISTER, document.community_id)
    location = clean_text("location", location, max_length=60, required=True)
    changes = audit.apply_changes(document, {"location": location})
    if changes:
        document.save(update_fields=list(changes))
        audit.record_change(
            actor=actor,
            instance=document,
            action="update",
            changes=changes,
            house_id=document.house_id,
        )
    return document


@transaction.atomic
def document_lend(
    *,
    actor,
    document: RegisteredDocument,
    borrower_name: str,
    purpose: str,
    due_on: datetime.date,
) -> DocumentLoan:
    require(actor, Perm.DOCUMENTS_REGISTER, document.community_id)
    borrower_name = clean_text("borrower_name", borrower_name, max_length=100, required=True)
    purpose = clean_text("purpose", purpose, max_length=200, required=True)
    if not isinstance(due_on, datetime.date) or due_on < clock_today():
        raise ValidationFailed(_("The return date cannot be in the past."), field="due_on")
    if not RegisteredDocument.objects.filter(
        pk=document.pk, status=RegisteredDocumentStatus.ON_FILE
    ).update(status=RegisteredDocumentStatus.LENT):
        raise Conflict(
            _("This document is already lent out."),
            code=error_codes.DOCUMENT_LENT,
            field="document",
        )
    document.status = RegisteredDocumentStatus.LENT
    loan = DocumentLoan.objects.create(
        community_id=document.community_id,
        document=document,
        borrower_name=borrower_name,
        purpose=purpose,
        due_on=due_on,
        lent_by=actor,
        lent_at=clock_now(),
    )
    audit.record_change(
        actor=actor,
        instance=document,
        action="document_lent",
        changes={"status": [RegisteredDocumentStatus.ON_FILE, RegisteredDocumentStatus.LENT]},
        house_id=document.house_id,
        note=f"{borrower_name} · {purpose}",
    )
    return loan


@transaction.atomic
def document_return(*, actor, document: RegisteredDocument) -> DocumentLoan:
    require(actor, Perm.DOCUMENTS_REGISTER, document.community_id)
    loan = DocumentLoan.objects.filter(document=document, returned_at__isnull=True).first()
    now = clock_now()
    if loan is None or not DocumentLoan.objects.filter(pk=loan.pk, returned_at__isnull=True).update(
        returned_at=now, returned_to=actor
    ):
        raise Conflict(
            _("This document is not lent out."),
            code=error_codes.DOCUMENT_NOT_LENT,
            field="document",
        )
    RegisteredDocument.objects.filter(pk=document.pk).update(
        status=RegisteredDocumentStatus.ON_FILE
    )
    document.status = RegisteredDocumentStatus.ON_FILE
    loan.returned_at, loan.returned_to = now, actor
    audit.record_change(
        actor=actor,
        instance=document,
        action="document_returned",
        changes={"status": [RegisteredDocumentStatus.LENT, RegisteredDocumentStatus.ON_FILE]},
        house_id=document.house_id,
        note=loan.borrower_name,
    )
    return loan
