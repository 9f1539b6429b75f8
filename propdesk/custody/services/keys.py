"""Keys kept by the service centre (钥匙管理, DOMAIN.md §4).

- Owners borrow their house's key after an identity check.
- An entrusted agent borrows only with a letter of authority filed in the house's archive and a
  recorded confirmation from a current owner.
- For warranty repairs only the contractor's responsible person named on the register borrows;
  on return the repair lead is told (in-app, through the outbox) to inspect the work.
- Office cabinet keys go to staff only, with a second staff member supervising the opening.
- A key not back within the community's overdue hours is flagged; every event is in the key's
  (and the house's) timeline.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit, outbox
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.core.validators import normalize_mobile, normalize_resident_id
from propdesk.custody import error_codes
from propdesk.custody.models import (
    Key,
    KeyKind,
    KeyLoan,
    KeyStatus,
    LoanPurpose,
    WarrantyContractor,
)
from propdesk.custody.services._common import clean_choice, clean_field, clean_text
from propdesk.custody.services._common import now as clock_now
from propdesk.custody.services._common import today as clock_today
from propdesk.custody.services.config import custody_settings_for
from propdesk.estates.models import (
    ArchiveDocument,
    Community,
    DocumentType,
    EntrustedAgent,
    House,
    Owner,
    Ownership,
)

HOUSE_PURPOSES = {LoanPurpose.OWNER, LoanPurpose.AGENT, LoanPurpose.WARRANTY}


def _same_community(field: str, record, community_id: int) -> None:
    if record is not None and record.community_id != community_id:
        raise ValidationFailed(
            _("This belongs to another community."), code=error_codes.OTHER_COMMUNITY, field=field
        )


def _is_current_owner(owner: Owner, house: House) -> bool:
    return Ownership.objects.filter(house=house, owner=owner, end_on__isnull=True).exists()


def _works_in(user, community_id: int) -> bool:
    return has_perm(user, Perm.FRONTDESK_VIEW) and community_id in community_ids(user)


# --- the register -------------------------------------------------------------------------------


@transaction.atomic
def contractor_add(
    *,
    actor,
    community: Community,
    company: str,
    responsible_name: str,
    responsible_mobile: str,
    responsible_id_number: str = "",
) -> WarrantyContractor:
    """Put a warranty contractor and its one responsible person on the register."""
    require(actor, Perm.KEYS_MANAGE, community.id)
    id_number = (responsible_id_number or "").strip()
    contractor = WarrantyContractor.objects.create(
        community=community,
        company=clean_text("company", company, max_length=100, required=True),
        responsible_name=clean_text(
            "responsible_name", responsible_name, max_length=50, required=True
        ),
        responsible_mobile=clean_field("responsible_mobile", normalize_mobile, responsible_mobile),
        responsible_id_number=(
            clean_field("responsible_id_number", normalize_resident_id, id_number)
            if id_number
            else ""
        ),
        created_at=clock_now(),
    )
    audit.record_change(
        actor=actor, instance=contractor, action="create", object_repr=contractor.company
    )
    return contractor


@transaction.atomic
def contractor_set_active(*, actor, contractor: WarrantyContractor, active: bool):
    require(actor, Perm.KEYS_MANAGE, contractor.community_id)
    changes = audit.apply_changes(contractor, {"active": bool(active)})
    if changes:
        contractor.save(update_fields=list(changes))
        audit.record_change(
            actor=actor,
            instance=contractor,
            action="update",
            changes=changes,
            object_repr=contractor.company,
        )
    return contractor


@transaction.atomic
def key_register(
    *,
    actor,
    community: Community,
    kind: str,
    label: str,
    location: str,
    house: House | None = None,
    copies: int = 1,
    note: str = "",
) -> Key:
    """Add a key to the register: a house's key (with its house) or an office cabinet's."""
    require(actor, Perm.KEYS_MANAGE, community.id)
    kind = clean_choice("kind", kind, KeyKind)
    if kind == KeyKind.HOUSE and house is None:
        raise ValidationFailed(_("Name the house this key opens."), field="house")
    if kind == KeyKind.CABINET:
        house = None
    _same_community("house", house, community.id)
    label = clean_text("label", label, max_length=40, required=True)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 20:
        raise ValidationFailed(_("Between 1 and 20 copies."), field="copies")
    if Key.objects.filter(community=community, label=label).exists():
        raise Conflict(
            _("Another key already has this label."),
            code=error_codes.KEY_LABEL_TAKEN,
            field="label",
        )
    key = Key.objects.create(
        community=community,
        kind=kind,
        house=house,
        label=label,
        location=clean_text("location", location, max_length=60, required=True),
        copies=copies,
        note=clean_text("note", note, max_length=200),
        created_at=clock_now(),
    )
    audit.record_change(
        actor=actor,
        instance=key,
        action="key_registered",
        changes={"location": [None, key.location]},
        house_id=key.house_id,
    )
    return key


@transaction.atomic
def key_update(
    *, actor, key: Key, location: str | None = None, note: str | None = None, copies=None
) -> Key:
    """Move a key to another hook or box, or change its note or number of copies."""
    require(actor, Perm.KEYS_MANAGE, key.community_id)
    values = {}
    if location is not None:
        values["location"] = clean_text("location", location, max_length=60, required=True)
    if note is not None:
        values["note"] = clean_text("note", note, max_length=200)
    if copies is not None:
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 20:
            raise ValidationFailed(_("Between 1 and 20 copies."), field="copies")
        values["copies"] = copies
    changes = audit.apply_changes(key, values)
    if changes:
        key.save(update_fields=list(changes))
        audit.record_change(
            actor=actor, instance=key, action="update", changes=changes, house_id=key.house_id
        )
    return key


@transaction.atomic
def key_retire(*, actor, key: Key, reason: str) -> Key:
    """Take a key off the register (lost, replaced, handed to the owner for good)."""
    require(actor, Perm.KEYS_MANAGE, key.community_id)
    reason = clean_text("reason", reason, max_length=200, required=True)
    if not Key.objects.filter(pk=key.pk, status=KeyStatus.IN_STORE).update(
        status=KeyStatus.RETIRED
    ):
        raise Conflict(
            _("Only a key in the cabinet can be retired; take it back first."),
            code=error_codes.KEY_ON_LOAN,
            field="key",
        )
    old = key.status
    key.status = KeyStatus.RETIRED
    audit.record_change(
        actor=actor,
        instance=key,
        action="key_retired",
        changes={"status": [old, KeyStatus.RETIRED]},
        house_id=key.house_id,
        note=reason,
    )
    return key


# --- lending ------------------------------------------------------------------------------------


def _borrower_for_owner(key: Key, owner: Owner | None, id_checked: bool) -> dict:
    if owner is None:
        raise ValidationFailed(_("Choose the owner who borrows the key."), field="owner")
    _same_community("owner", owner, key.community_id)
    if not _is_current_owner(owner, key.house):
        raise ValidationFailed(
            _("%(name)s is not a current owner of %(house)s: the key is not lent.")
            % {"name": owner.name, "house": key.house.code},
            code=error_codes.WRONG_BORROWER,
            field="owner",
        )
    _require_id_check(id_checked)
    return {"owner": owner, "borrower_name": owner.name, "borrower_mobile": owner.mobile}


def _require_id_check(id_checked: bool) -> None:
    if id_checked is not True:
        raise ValidationFailed(
            _("Check the borrower's ID card before lending the key."),
            code=error_codes.ID_NOT_CHECKED,
            field="id_checked",
        )


def _borrower_for_agent(
    key: Key,
    agent: EntrustedAgent | None,
    id_checked: bool,
    authority_letter: ArchiveDocument | None,
    confirming_owner: Owner | None,
    owner_confirmation: str,
) -> dict:
    if agent is None:
        raise ValidationFailed(_("Choose the entrusted agent who borrows the key."), field="agent")
    _same_community("agent", agent, key.community_id)
    today = clock_today()
    if (
        agent.house_id != key.house_id
        or agent.revoked_at is not None
        or agent.valid_from > today
        or (agent.valid_until is not None and agent.valid_until < today)
    ):
        raise ValidationFailed(
            _("%(name)s is not a valid entrusted agent of %(house)s: the key is not lent.")
            % {"name": agent.name, "house": key.house.code},
            code=error_codes.WRONG_BORROWER,
            field="agent",
        )
    _require_id_check(id_checked)
    if authority_letter is None:
        raise ValidationFailed(
            _("An agent borrows a key only with the owner's letter of authority on file."),
            code=error_codes.NO_AUTHORITY_LETTER,
            field="authority_letter",
        )
    if (
        authority_letter.house_id != key.house_id
        or authority_letter.doc_type != DocumentType.POWER_OF_ATTORNEY
    ):
        raise ValidationFailed(
            _("The letter of authority must be a power of attorney filed under this house."),
            code=error_codes.NO_AUTHORITY_LETTER,
            field="authority_letter",
        )
    owner_confirmation = clean_text("owner_confirmation", owner_confirmation, max_length=200)
    if confirming_owner is None or not owner_confirmation:
        raise ValidationFailed(
            _("Record how a current owner confirmed this loan (e.g. a phone call and when)."),
            code=error_codes.NO_OWNER_CONFIRMATION,
            field="owner_confirmation" if confirming_owner else "confirming_owner",
        )
    _same_community("confirming_owner", confirming_owner, key.community_id)
    if not _is_current_owner(confirming_owner, key.house):
        raise ValidationFailed(
            _("%(name)s is not a current owner of %(house)s and cannot confirm.")
            % {"name": confirming_owner.name, "house": key.house.code},
            code=error_codes.NO_OWNER_CONFIRMATION,
            field="confirming_owner",
        )
    return {
        "agent": agent,
        "borrower_name": agent.name,
        "borrower_mobile": agent.mobile,
        "authority_letter": authority_letter,
        "confirming_owner": confirming_owner,
        "owner_confirmation": owner_confirmation,
    }


def _borrower_for_contractor(
    key: Key,
    contractor: WarrantyContractor | None,
    borrower_name: str,
    borrower_id_number: str,
    id_checked: bool,
    reason: str,
) -> dict:
    if contractor is None:
        raise ValidationFailed(_("Choose the warranty contractor."), field="contractor")
    _same_community("contractor", contractor, key.community_id)
    if not contractor.active:
        raise ValidationFailed(
            _("This contractor is no longer on the register."),
            code=error_codes.NOT_CONTRACTOR_LEAD,
            field="contractor",
        )
    name = clean_text("borrower_name", borrower_name, max_length=100, required=True)
    id_number = (borrower_id_number or "").strip().upper()
    if name != contractor.responsible_name or (
        contractor.responsible_id_number and id_number != contractor.responsible_id_number
    ):
        raise ValidationFailed(
            _(
                "Only the contractor's responsible person on the register (%(name)s) may "
                "borrow keys for warranty repairs."
            )
            % {"name": contractor.responsible_name},
            code=error_codes.NOT_CONTRACTOR_LEAD,
            field="borrower_name" if name != contractor.responsible_name else "borrower_id_number",
        )
    _require_id_check(id_checked)
    if not reason:
        raise ValidationFailed(_("Say which repair the key is for."), field="reason")
    return {
        "contractor": contractor,
        "borrower_name": contractor.responsible_name,
        "borrower_mobile": contractor.responsible_mobile,
    }


def _borrower_for_staff(key: Key, staff, witness) -> dict:
    if staff is None:
        raise ValidationFailed(_("Choose the staff member who takes the key."), field="staff")
    if not _works_in(staff, key.community_id):
        raise ValidationFailed(
            _("Cabinet keys go only to staff of this community."),
            code=error_codes.WRONG_BORROWER,
            field="staff",
        )
    if witness is None or witness.pk == staff.pk or not _works_in(witness, key.community_id):
        raise ValidationFailed(
            _("Opening a cabinet is supervised: name a second staff member."),
            code=error_codes.NO_WITNESS,
            field="witness",
        )
    return {"staff": staff, "witness": witness, "borrower_name": staff.display_name}


def _clean_due_at(due_at, now: datetime.datetime) -> datetime.datetime:
    """A return time in the future; a time without a zone is read in the site's time zone."""
    if not isinstance(due_at, datetime.datetime):
        raise ValidationFailed(_("Enter a date and time."), field="due_at")
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at <= now:
        raise ValidationFailed(_("The return time must be in the future."), field="due_at")
    return due_at


@transaction.atomic
def key_lend(
    *,
    actor,
    key: Key,
    purpose: str,
    id_checked: bool = False,
    owner: Owner | None = None,
    agent: EntrustedAgent | None = None,
    contractor: WarrantyContractor | None = None,
    borrower_name: str = "",
    borrower_id_number: str = "",
    staff=None,
    witness=None,
    authority_letter: ArchiveDocument | None = None,
    confirming_owner: Owner | None = None,
    owner_confirmation: str = "",
    reason: str = "",
    due_at: datetime.datetime | None = None,
) -> KeyLoan:
    """Hand a key out after the checks its purpose needs; refuse with the unmet check otherwise."""
    require(actor, Perm.KEYS_MANAGE, key.community_id)
    purpose = clean_choice("purpose", purpose, LoanPurpose)
    reason = clean_text("reason", reason, max_length=200)
    if key.status == KeyStatus.RETIRED:
        raise Conflict(_("This key is retired."), code=error_codes.KEY_RETIRED, field="key")
    allowed = HOUSE_PURPOSES if key.kind == KeyKind.HOUSE else {LoanPurpose.STAFF}
    if purpose not in allowed:
        raise ValidationFailed(
            _("House keys go to owners, agents and warranty contractors; cabinet keys to staff."),
            code=error_codes.WRONG_PURPOSE,
            field="purpose",
        )
    if purpose == LoanPurpose.OWNER:
        borrower = _borrower_for_owner(key, owner, id_checked)
    elif purpose == LoanPurpose.AGENT:
        borrower = _borrower_for_agent(
            key, agent, id_checked, authority_letter, confirming_owner, owner_confirmation
        )
    elif purpose == LoanPurpose.WARRANTY:
        borrower = _borrower_for_contractor(
            key, contractor, borrower_name, borrower_id_number, id_checked, reason
        )
    else:
        borrower = _borrower_for_staff(key, staff, witness)
    now = clock_now()
    if due_at is None:
        due_at = now + datetime.timedelta(
            hours=custody_settings_for(key.community_id).key_overdue_hours
        )
    else:
        due_at = _clean_due_at(due_at, now)
    # The claim: of two desks lending the same key at once, one changes the row, one gets 0.
    if not Key.objects.filter(pk=key.pk, status=KeyStatus.IN_STORE).update(
        status=KeyStatus.ON_LOAN
    ):
        raise Conflict(_("This key is already on loan."), code=error_codes.KEY_ON_LOAN, field="key")
    try:
        with transaction.atomic():
            loan = KeyLoan.objects.create(
                community_id=key.community_id,
                key=key,
                house_id=key.house_id,
                purpose=purpose,
                id_checked=bool(id_checked),
                reason=reason,
                lent_by=actor,
                lent_at=now,
                due_at=due_at,
                **borrower,
            )
    except IntegrityError as exc:  # pragma: no cover — the claim above already refuses
        raise Conflict(
            _("This key is already on loan."), code=error_codes.KEY_ON_LOAN, field="key"
        ) from exc
    key.status = KeyStatus.ON_LOAN
    audit.record_change(
        actor=actor,
        instance=key,
        action="key_lent",
        changes={"status": [KeyStatus.IN_STORE, KeyStatus.ON_LOAN]},
        house_id=key.house_id,
        note=f"{LoanPurpose(purpose).label} · {loan.borrower_name}"
        + (f" · {reason}" if reason else ""),
    )
    return loan


def open_loan(key: Key) -> KeyLoan | None:
    return KeyLoan.objects.filter(key=key, returned_at__isnull=True).first()


@transaction.atomic
def key_return(*, actor, key: Key, note: str = "") -> KeyLoan:
    """Take a key back; a warranty repair key asks the repair lead to inspect the work."""
    require(actor, Perm.KEYS_MANAGE, key.community_id)
    note = clean_text("note", note, max_length=200)
    loan = open_loan(key)
    now = clock_now()
    if loan is None or not KeyLoan.objects.filter(pk=loan.pk, returned_at__isnull=True).update(
        returned_at=now, returned_to=actor, return_note=note
    ):
        raise Conflict(_("This key is not on loan."), code=error_codes.KEY_NOT_ON_LOAN, field="key")
    Key.objects.filter(pk=key.pk).update(status=KeyStatus.IN_STORE)
    key.status = KeyStatus.IN_STORE
    loan.returned_at, loan.returned_to, loan.return_note = now, actor, note
    late = loan.due_at < now
    audit.record_change(
        actor=actor,
        instance=key,
        action="key_returned",
        changes={"status": [KeyStatus.ON_LOAN, KeyStatus.IN_STORE]},
        house_id=key.house_id,
        note=(f"{loan.borrower_name}" + (f" · {_('late')}" if late else "") + f" {note}").strip(),
    )
    if loan.purpose == LoanPurpose.WARRANTY:
        _ask_repair_lead_to_inspect(actor, key, loan)
    return loan


def _ask_repair_lead_to_inspect(actor, key: Key, loan: KeyLoan) -> None:
    """In-app notice to the community's repair lead (or, with none set, to whoever lent it)."""
    lead = custody_settings_for(key.community_id).repair_lead or loan.lent_by
    house = key.house.code if key.house_id else key.label
    outbox.message_enqueue(
        channel=OutboxMessage.Channel.IN_APP,
        recipient=lead.username,
        recipient_user=lead,
        event="custody.warranty_key_returned",
        subject=_("Inspect warranty repair at %(house)s") % {"house": house},
        body=_(
            "%(contractor)s (%(name)s) returned key %(key)s of %(house)s after a warranty "
            "repair: %(reason)s. Please inspect the work."
        )
        % {
            "contractor": loan.contractor.company if loan.contractor_id else "",
            "name": loan.borrower_name,
            "key": key.label,
            "house": house,
            "reason": loan.reason,
        },
        dedupe_key=f"custody:warranty-return:{loan.id}",
        community_id=key.community_id,
    )
    audit.record_change(
        actor=actor,
        instance=key,
        action="inspection_requested",
        house_id=key.house_id,
        note=_("Repair lead %(name)s asked to inspect.") % {"name": lead.display_name},
    )


def key_loans_flag_overdue(*, now: datetime.datetime | None = None) -> int:
    """Flag keys not back in time, once each: a timeline event and a notice to the lender.

    Safe to run twice or from several workers: each loan is claimed by a conditional UPDATE.
    """
    now = now or clock_now()
    flagged = 0
    due = KeyLoan.objects.filter(
        returned_at__isnull=True, overdue_flagged_at__isnull=True, due_at__lt=now
    ).select_related("key", "lent_by")
    for loan in due.order_by("due_at", "id")[:500]:
        with transaction.atomic():
            if not KeyLoan.objects.filter(pk=loan.pk, overdue_flagged_at__isnull=True).update(
                overdue_flagged_at=now
            ):
                continue
            audit.record_change(
                actor=None,
                instance=loan.key,
                action="key_overdue",
                house_id=loan.key.house_id,
                note=f"{loan.borrower_name} · {timezone.localtime(loan.due_at):%Y-%m-%d %H:%M}",
            )
            outbox.message_enqueue(
                channel=OutboxMessage.Channel.IN_APP,
                recipient=loan.lent_by.username,
                recipient_user=loan.lent_by,
                event="custody.key_overdue",
                subject=_("Key %(key)s is overdue") % {"key": loan.key.label},
                body=_("%(name)s has not returned key %(key)s (due %(due)s).")
                % {
                    "name": loan.borrower_name,
                    "key": loan.key.label,
                    "due": f"{timezone.localtime(loan.due_at):%Y-%m-%d %H:%M}",
                },
                dedupe_key=f"custody:key-overdue:{loan.id}",
                community_id=loan.community_id,
            )
            flagged += 1
    return flagged
