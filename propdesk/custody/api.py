"""Keys, release passes and the document register (/api/custody/…): thin endpoints, each an
access helper → schema → one service or selector, under the permission policy.

Records named in the path or body are fetched through scoped helpers: another community's key,
house or person is a 404 naming the field; a role without the right is a 403. Owners' accounts
reach only release passes, and only for houses they hold now (a foreign house is a 404).
"""

from functools import partial

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from propdesk.accounts.models import User
from propdesk.api.lists import paged
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, error_responses
from propdesk.core.errors import AppError, NotFound, fetch_named, fetch_named_optional
from propdesk.core.permissions import Perm, community_ids, company_wide_q, get_scoped, require
from propdesk.custody import schemas as s
from propdesk.custody import selectors
from propdesk.custody.printing import pass_pdf
from propdesk.custody.services import config, keys, passes, register
from propdesk.custody.services.passes import gate_refusal, pass_for_gate, qr_payload
from propdesk.estates import owner_access
from propdesk.estates.models import (
    ArchiveDocument,
    Community,
    EntrustedAgent,
    House,
    Owner,
    Resident,
)

router = Router(tags=["keys, passes and documents"])

PDF = {
    "responses": {
        200: {
            "description": "A PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _named(queryset, user, pk, field: str, perm: Perm = Perm.FRONTDESK_VIEW):
    """A record the request names by id, in the caller's communities; 404 naming `field`."""
    return fetch_named_optional(partial(get_scoped, queryset), user, pk, field=field, perm=perm)


def _community(user, community_id, perm: Perm) -> Community:
    require(user, perm)
    if community_id is None or int(community_id) not in community_ids(user):
        raise NotFound(_("No such record in your communities."), field="community")
    return Community.objects.get(pk=community_id)


def _staff(user, staff_id, field: str):
    """A staff member named in a body: one who works in a community the caller works in."""
    if staff_id is None:
        return None
    found = User.objects.filter(pk=staff_id, communities__id__in=community_ids(user)).first()
    if found is None:
        found = User.objects.filter(company_wide_q(), pk=staff_id).first()
    if found is None:
        raise NotFound(_("No such record in your communities."), field=field)
    return found


# --- settings -----------------------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/settings",
    response={200: s.SettingsOut, **READ_ERRORS},
    summary="The community's rules for keys and passes",
)
def settings_detail(request, community_id: PathId):
    community = _community(request.auth, community_id, Perm.FRONTDESK_VIEW)
    return config.custody_settings_for(community.id)


@router.patch(
    "/communities/{community_id}/settings",
    response={200: s.SettingsOut, **WRITE_ERRORS},
    summary="Change the rules: fees before release, key overdue hours, pass validity, repair lead",
)
def settings_update(request, community_id: PathId, payload: s.SettingsPatch):
    user = request.auth
    community = _community(user, community_id, Perm.FRONTDESK_CONFIGURE)
    values = payload.model_dump(exclude_unset=True)
    if "repair_lead" in values:
        values["repair_lead"] = _staff(user, values["repair_lead"], "repair_lead")
    return config.custody_settings_update(actor=user, community=community, **values)


# --- keys ---------------------------------------------------------------------------------------


@router.get("/keys", response={200: s.KeyPage, **READ_ERRORS}, summary="The key register")
@paged(Perm.FRONTDESK_VIEW)
def key_list(request, filters: Query[s.KeyFilters]):
    user = request.auth
    return fetch_named(
        selectors.key_list,
        user,
        community_id=filters.community,
        q=filters.q,
        status=filters.status,
        kind=filters.kind,
        overdue=filters.overdue,
        house=_named(House.objects.all(), user, filters.house, "house"),
        field="community",
    )


@router.post("/keys", response={201: s.KeyOut, **WRITE_ERRORS}, summary="Register a key")
def key_create(request, payload: s.KeyIn):
    user = request.auth
    community = _community(user, payload.community, Perm.KEYS_MANAGE)
    house = _named(House.objects.all(), user, payload.house, "house")
    key = keys.key_register(
        actor=user,
        community=community,
        kind=payload.kind,
        label=payload.label,
        location=payload.location,
        house=house,
        copies=payload.copies,
        note=payload.note,
    )
    key.open_loans = []
    return Status(201, key)


@router.get(
    "/keys/{key_id}",
    response={200: s.KeyDetailOut, **READ_ERRORS},
    summary="A key with its loans and timeline",
)
def key_detail(request, key_id: PathId):
    return selectors.key_for_user(request.auth, key_id)


@router.patch(
    "/keys/{key_id}",
    response={200: s.KeyOut, **WRITE_ERRORS},
    summary="Move a key or change its note",
)
def key_update(request, key_id: PathId, payload: s.KeyPatch):
    user = request.auth
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    return keys.key_update(actor=user, key=key, **payload.model_dump(exclude_unset=True))


@router.post(
    "/keys/{key_id}/retire",
    response={200: s.KeyOut, **WRITE_ERRORS},
    summary="Take a key off the register",
)
def key_retire(request, key_id: PathId, payload: s.CustodyReasonIn):
    user = request.auth
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    return keys.key_retire(actor=user, key=key, reason=payload.reason)


@router.post(
    "/keys/{key_id}/lend",
    response={201: s.LoanOut, **WRITE_ERRORS},
    summary="Lend a key after the checks its purpose needs",
)
def key_lend(request, key_id: PathId, payload: s.LendIn):
    user = request.auth
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    loan = keys.key_lend(
        actor=user,
        key=key,
        purpose=payload.purpose,
        id_checked=payload.id_checked,
        owner=_named(Owner.objects.all(), user, payload.owner, "owner"),
        agent=_named(EntrustedAgent.objects.all(), user, payload.agent, "agent"),
        contractor=_named(selectors.contractor_list(user), user, payload.contractor, "contractor"),
        borrower_name=payload.borrower_name,
        borrower_id_number=payload.borrower_id_number,
        staff=_staff(user, payload.staff, "staff"),
        witness=_staff(user, payload.witness, "witness"),
        authority_letter=_named(
            ArchiveDocument.objects.all(), user, payload.authority_letter, "authority_letter"
        ),
        confirming_owner=_named(
            Owner.objects.all(), user, payload.confirming_owner, "confirming_owner"
        ),
        owner_confirmation=payload.owner_confirmation,
        reason=payload.reason,
        due_at=payload.due_at,
    )
    return Status(201, loan)


@router.post(
    "/keys/{key_id}/return",
    response={200: s.LoanOut, **WRITE_ERRORS},
    summary="Take a key back (a warranty key asks the repair lead to inspect)",
)
def key_return(request, key_id: PathId, payload: s.ReturnIn):
    user = request.auth
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    return keys.key_return(actor=user, key=key, note=payload.note)


@router.get(
    "/key-loans/overdue",
    response={200: list[s.LoanOut], **READ_ERRORS},
    summary="Keys not back in time",
)
def overdue_loans(request, community: int | None = None):
    user = request.auth
    require(user, Perm.FRONTDESK_VIEW)
    try:
        return list(selectors.overdue_loans(user, community_id=community)[:200])
    except NotFound as exc:
        raise NotFound(_("No such record in your communities."), field="community") from exc


@router.get(
    "/contractors",
    response={200: list[s.ContractorOut], **READ_ERRORS},
    summary="Warranty contractors and their responsible persons",
)
def contractor_list(request, community: int | None = None):
    user = request.auth
    require(user, Perm.FRONTDESK_VIEW)
    try:
        return list(selectors.contractor_list(user, community_id=community)[:500])
    except NotFound as exc:
        raise NotFound(_("No such record in your communities."), field="community") from exc


@router.post(
    "/contractors",
    response={201: s.ContractorOut, **WRITE_ERRORS},
    summary="Put a warranty contractor on the register",
)
def contractor_create(request, payload: s.ContractorIn):
    user = request.auth
    community = _community(user, payload.community, Perm.KEYS_MANAGE)
    contractor = keys.contractor_add(
        actor=user,
        community=community,
        company=payload.company,
        responsible_name=payload.responsible_name,
        responsible_mobile=payload.responsible_mobile,
        responsible_id_number=payload.responsible_id_number,
    )
    return Status(201, contractor)


@router.post(
    "/contractors/{contractor_id}/active",
    response={200: s.ContractorOut, **WRITE_ERRORS},
    summary="Take a contractor off (or back on) the register",
)
def contractor_active(request, contractor_id: PathId, payload: s.ContractorActiveIn):
    user = request.auth
    contractor = selectors.contractor_for_user(user, contractor_id)
    return keys.contractor_set_active(actor=user, contractor=contractor, active=payload.active)


# --- passes -------------------------------------------------------------------------------------


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.get(
    "/passes",
    response={200: s.PassPage, **READ_ERRORS},
    summary="Release passes (an owner's account: its own houses')",
)
@paged(None)
def pass_list(request, filters: Query[s.PassFilters]):
    user = request.auth
    if owner_access.is_owner_account(user):
        house = fetch_named_optional(selectors.house_for_pass, user, filters.house, "house")
    else:
        require(user, Perm.FRONTDESK_VIEW)
        house = _named(House.objects.all(), user, filters.house, "house")
    return fetch_named(
        selectors.pass_list,
        user,
        community_id=filters.community,
        state=filters.state,
        q=filters.q,
        release_on=filters.release_on,
        house=house,
        field="community",
    )


APPLICANT_MODELS = {"owner": Owner, "resident": Resident, "agent": EntrustedAgent}


@router.post(
    "/passes",
    response={201: s.PassDetailOut, **WRITE_ERRORS},
    summary="Apply for a release pass (an owner's account: for its own house, in its own name)",
)
def pass_create(request, payload: s.PassIn):
    user = request.auth
    if owner_access.is_owner_account(user):
        house = _owned_house(user, payload.house)
        release_pass = passes.apply_for_pass(
            user,
            house,
            items=payload.items,
            release_on=payload.release_on,
            vehicle_plate=payload.vehicle_plate,
            organisation=payload.organisation,
        )
    else:
        require(user, Perm.RELEASE_ISSUE)
        house = _named(House.objects.all(), user, payload.house, "house", Perm.RELEASE_ISSUE)
        if payload.applicant is None:
            raise AppError(_("Choose who applies for the pass."), field="applicant")
        applicant = _named(
            APPLICANT_MODELS[payload.applicant_kind].objects.all(),
            user,
            payload.applicant,
            "applicant",
            Perm.RELEASE_ISSUE,
        )
        release_pass = passes.release_pass_apply(
            actor=user,
            house=house,
            applicant=applicant,
            items=payload.items,
            release_on=payload.release_on,
            vehicle_plate=payload.vehicle_plate,
            organisation=payload.organisation,
        )
    return Status(201, _pass_detail(request, release_pass))


def _owned_house(user, house_id) -> House:
    try:
        return selectors.house_for_pass(user, house_id)
    except NotFound as exc:
        raise NotFound(_("No such record in your communities."), field="house") from exc


def _pass_detail(request, release_pass):
    release_pass.qr_payload = qr_payload(release_pass.code, _base_url(request))
    return release_pass


@router.get(
    "/passes/{pass_id}",
    response={200: s.PassDetailOut, **READ_ERRORS},
    summary="A release pass with its QR payload and timeline",
)
def pass_detail(request, pass_id: PathId):
    return _pass_detail(request, selectors.pass_for_user(request.auth, pass_id))


@router.get(
    "/passes/{pass_id}/pdf",
    response=error_responses(401, 403, 404, 422),
    summary="The printable pass with its QR code",
    openapi_extra=PDF,
)
def pass_print(request, pass_id: PathId):
    release_pass = selectors.pass_for_user(request.auth, pass_id)
    response = HttpResponse(pass_pdf(release_pass, _base_url(request)), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pass-{release_pass.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/passes/{pass_id}/approve",
    response={200: s.PassOut, **WRITE_ERRORS},
    summary="Approve after the link and (if required) fee checks",
)
def pass_approve(request, pass_id: PathId, payload: s.CustodyNoteIn):
    user = request.auth
    release_pass = selectors.pass_for_user(user, pass_id, Perm.RELEASE_ISSUE)
    return passes.release_pass_approve(actor=user, release_pass=release_pass, note=payload.note)


@router.post(
    "/passes/{pass_id}/reject",
    response={200: s.PassOut, **WRITE_ERRORS},
    summary="Reject with a reason",
)
def pass_reject(request, pass_id: PathId, payload: s.CustodyReasonIn):
    user = request.auth
    release_pass = selectors.pass_for_user(user, pass_id, Perm.RELEASE_ISSUE)
    return passes.release_pass_reject(actor=user, release_pass=release_pass, reason=payload.reason)


@router.post(
    "/passes/{pass_id}/cancel",
    response={200: s.PassOut, **WRITE_ERRORS},
    summary="Withdraw a pass not yet used (an owner: their own)",
)
def pass_cancel(request, pass_id: PathId, payload: s.OptionalReasonIn):
    user = request.auth
    perm = Perm.FRONTDESK_VIEW if owner_access.is_owner_account(user) else Perm.RELEASE_ISSUE
    release_pass = selectors.pass_for_user(user, pass_id, perm)
    return passes.release_pass_cancel(actor=user, release_pass=release_pass, reason=payload.reason)


@router.post(
    "/gate/check",
    response={200: s.GateOut, **WRITE_ERRORS},
    summary="Look a pass up at the gate by its typed code or QR payload (changes nothing)",
)
def gate_check(request, payload: s.GateIn):
    release_pass = pass_for_gate(request.auth, payload.code)
    refusal = gate_refusal(release_pass)
    return {
        "ok": refusal is None,
        "code": refusal.code if refusal else None,
        "message": str(refusal.message) if refusal else _("Valid: the goods may leave."),
        "release_pass": release_pass,
    }


@router.post(
    "/gate/use",
    response={200: s.GateOut, **WRITE_ERRORS},
    summary="Record the goods leaving; a pass is used once (a second use is a 409)",
)
def gate_use(request, payload: s.GateIn):
    user = request.auth
    release_pass = pass_for_gate(user, payload.code)
    release_pass = passes.release_pass_use(actor=user, release_pass=release_pass, note=payload.note)
    return {
        "ok": True,
        "code": None,
        "message": _("Recorded: the goods left."),
        "release_pass": release_pass,
    }


# --- document register --------------------------------------------------------------------------


@router.get(
    "/documents", response={200: s.DocumentPage, **READ_ERRORS}, summary="The document register"
)
@paged(Perm.DOCUMENTS_REGISTER)
def document_list(request, filters: Query[s.DocumentFilters]):
    user = request.auth
    house = _named(House.objects.all(), user, filters.house, "house", Perm.DOCUMENTS_REGISTER)
    return fetch_named(
        selectors.document_list,
        user,
        community_id=filters.community,
        q=filters.q,
        category=filters.category,
        status=filters.status,
        house=house,
        field="community",
    )


@router.post(
    "/documents",
    response={201: s.CustodyDocumentOut, **WRITE_ERRORS},
    summary="Register a document (multipart form; the scan is optional)",
)
def document_create(request, payload: Form[s.CustodyDocumentIn], scan: File[UploadedFile] = None):
    user = request.auth
    community = _community(user, payload.community, Perm.DOCUMENTS_REGISTER)
    house = _named(House.objects.all(), user, payload.house, "house", Perm.DOCUMENTS_REGISTER)
    document = register.document_register(
        actor=user,
        community=community,
        category=payload.category,
        title=payload.title,
        location=payload.location,
        counterparty=payload.counterparty,
        reference=payload.reference,
        dated=payload.dated,
        house=house,
        keywords=payload.keywords,
        scan=scan,
    )
    return Status(201, document)


@router.get(
    "/documents/{document_id}",
    response={200: s.DocumentDetailOut, **READ_ERRORS},
    summary="A registered document with its loans and history",
)
def document_detail(request, document_id: PathId):
    return selectors.document_for_user(request.auth, document_id)


@router.patch(
    "/documents/{document_id}",
    response={200: s.CustodyDocumentOut, **WRITE_ERRORS},
    summary="File a document at another location",
)
def document_move(request, document_id: PathId, payload: s.DocumentPatch):
    user = request.auth
    document = selectors.document_for_user(user, document_id)
    return register.document_move(actor=user, document=document, location=payload.location)


@router.post(
    "/documents/{document_id}/lend",
    response={201: s.DocumentLoanOut, **WRITE_ERRORS},
    summary="Lend a document out",
)
def document_lend(request, document_id: PathId, payload: s.DocumentLendIn):
    user = request.auth
    document = selectors.document_for_user(user, document_id)
    loan = register.document_lend(
        actor=user,
        document=document,
        borrower_name=payload.borrower_name,
        purpose=payload.purpose,
        due_on=payload.due_on,
    )
    return Status(201, loan)


@router.post(
    "/documents/{document_id}/return",
    response={200: s.DocumentLoanOut, **WRITE_ERRORS},
    summary="Take a lent document back",
)
def document_return(request, document_id: PathId):
    user = request.auth
    document = selectors.document_for_user(user, document_id)
    return register.document_return(actor=user, document=document)


@router.get(
    "/documents/{document_id}/scan",
    response=error_responses(401, 403, 404, 422),
    summary="Download the document's scan",
)
def document_scan(request, document_id: PathId):
    document = selectors.document_for_user(request.auth, document_id)
    if not document.scan:
        raise NotFound(_("This document has no scan."), field="scan")
    try:
        handle = document.scan.open("rb")
    except FileNotFoundError as exc:
        raise NotFound() from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.scan_name or document.number,
        content_type=document.scan_type or "application/octet-stream",
    )
