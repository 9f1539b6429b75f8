"""Goods release passes (物品放行, DOMAIN.md §4).

A resident, shop or company moving goods out applies (at the desk, or an owner from the portal);
staff approve after checking that the applicant is linked to the house now and, where the
community requires it, that the house owes no fees (billing's `house_dues`, the fee gate). The
gate guard looks the pass up by its code (typed or scanned from the QR code) and records the goods
leaving. A pass is used once: the use is a conditional UPDATE, so two guards scanning the same
pass at the same moment record one exit and the second is refused. A pass expires at the end of
its validity window (the community's `pass_validity_hours` from the start of its release date).
"""

import datetime
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.selectors.accounts import house_dues
from propdesk.core import audit
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.money import format_yuan, from_fen
from propdesk.core.permissions import Perm, community_ids, require
from propdesk.core.validators import normalize_plate
from propdesk.custody import error_codes
from propdesk.custody.models import ApplicantKind, PassStatus, ReleasePass
from propdesk.custody.services._common import clean_field, clean_text
from propdesk.custody.services._common import now as clock_now
from propdesk.custody.services._common import today as clock_today
from propdesk.custody.services.config import custody_settings_for
from propdesk.estates import owner_access
from propdesk.estates.models import EntrustedAgent, House, Owner, Ownership, Resident

# No 0/O, 1/I/L: a code read out at the gate or typed on a phone is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_DAYS_AHEAD = 60
QR_PREFIX = "PROPDESK-PASS:"


def new_pass_code() -> str:
    """8 characters from a 31-letter alphabet (~8.5·10^11 codes), from the OS's CSPRNG."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def qr_payload(code: str, base_url: str = "") -> str:
    """What the QR code holds: the guard page's URL when the site's address is known (a phone's
    own camera then opens it), else the bare `PROPDESK-PASS:<code>`."""
    if base_url:
        return f"{base_url.rstrip('/')}/custody/gate/?code={code}"
    return f"{QR_PREFIX}{code}"


def parse_pass_code(text) -> str:
    """The code in what the guard typed or scanned: `ABCD-2345`, `abcd2345`, a QR payload."""
    raw = str(text or "").strip()
    if len(raw) > 500:
        raw = ""
    match = re.search(r"[?&]code=([^&#\s]+)", raw)
    if match:
        raw = match.group(1)
    elif raw.upper().startswith(QR_PREFIX):
        raw = raw[len(QR_PREFIX) :]
    code = re.sub(r"[\s\-]", "", raw).upper()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            _("Type the 8-character pass code, such as ABCD-2345."),
            code=error_codes.PASS_UNKNOWN,
            field="code",
        )
    return code


def parse_pass_code_or_blank(text) -> str:
    try:
        return parse_pass_code(text)
    except ValidationFailed:
        return ""


# --- who may apply ------------------------------------------------------------------------------


def applicant_is_linked(applicant, house: House, today: datetime.date | None = None) -> bool:
    """Is this owner, resident or entrusted agent linked to the house today?"""
    today = today or clock_today()
    if isinstance(applicant, Owner):
        return Ownership.objects.filter(house=house, owner=applicant, end_on__isnull=True).exists()
    if isinstance(applicant, Resident):
        return (
            applicant.house_id == house.id
            and (applicant.moved_out_on is None or applicant.moved_out_on > today)
            and (applicant.lease_end is None or applicant.lease_end >= today)
        )
    if isinstance(applicant, EntrustedAgent):
        return (
            applicant.house_id == house.id
            and applicant.revoked_at is None
            and applicant.valid_from <= today
            and (applicant.valid_until is None or applicant.valid_until >= today)
        )
    return False


def _kind_of(applicant) -> str:
    if isinstance(applicant, Owner):
        return ApplicantKind.OWNER
    if isinstance(applicant, Resident):
        return ApplicantKind.RESIDENT
    if isinstance(applicant, EntrustedAgent):
        return ApplicantKind.AGENT
    raise ValidationFailed(_("Choose who applies for the pass."), field="applicant")


def _refuse_unlinked(applicant, house: House):
    raise ValidationFailed(
        _("%(name)s is not linked to %(house)s: a release pass is not issued.")
        % {"name": applicant.name, "house": house.code},
        code=error_codes.NOT_LINKED,
        field="applicant",
    )


def _check_release_on(release_on) -> datetime.date:
    if not isinstance(release_on, datetime.date) or isinstance(release_on, datetime.datetime):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field="release_on")
    today = clock_today()
    if release_on < today:
        raise ValidationFailed(
            _("The release date cannot be in the past."),
            code=error_codes.BAD_DATE,
            field="release_on",
        )
    if release_on > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            _("Apply at most %(n)d days ahead.") % {"n": MAX_DAYS_AHEAD},
            code=error_codes.BAD_DATE,
            field="release_on",
        )
    return release_on


# --- apply, decide, cancel ----------------------------------------------------------------------


@transaction.atomic
def release_pass_apply(
    *,
    actor,
    house: House,
    applicant,
    items: str,
    release_on: datetime.date,
    vehicle_plate: str = "",
    organisation: str = "",
) -> ReleasePass:
    """Record an application; staff apply for anyone linked to the house, an owner for themself.

    The applicant must be linked to the house today: a current owner, a resident or tenant not
    moved out, or an entrusted agent whose entrustment is in force.
    """
    kind = _kind_of(applicant)
    if owner_access.is_owner_account(actor):
        # An owner's account applies only as that owner, for a house the owner holds now.
        if kind != ApplicantKind.OWNER or applicant.user_id != actor.id:
            raise PermissionDenied(
                _("You can apply only in your own name."), code=error_codes.NOT_OWN_RECORD
            )
        if not applicant_is_linked(applicant, house):
            raise NotFound()
    else:
        require(actor, Perm.RELEASE_ISSUE, house.community_id)
    if applicant.community_id != house.community_id or not applicant_is_linked(applicant, house):
        _refuse_unlinked(applicant, house)
    items = clean_text("items", items, max_length=1000, required=True)
    organisation = clean_text("organisation", organisation, max_length=100)
    release_on = _check_release_on(release_on)
    plate = ""
    if (vehicle_plate or "").strip():
        plate, _new_energy = clean_field("vehicle_plate", normalize_plate, vehicle_plate)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                release_pass = ReleasePass.objects.create(
                    community_id=house.community_id,
                    house=house,
                    code=new_pass_code(),
                    applicant_kind=kind,
                    owner=applicant if kind == ApplicantKind.OWNER else None,
                    resident=applicant if kind == ApplicantKind.RESIDENT else None,
                    agent=applicant if kind == ApplicantKind.AGENT else None,
                    applicant_name=applicant.name,
                    organisation=organisation,
                    items=items,
                    release_on=release_on,
                    vehicle_plate=plate,
                    applied_by=actor,
                    applied_at=clock_now(),
                )
            break
        except IntegrityError:  # a code already taken: draw again
            continue
    else:  # pragma: no cover — five collisions in 10^11 codes
        raise Conflict(_("Could not issue a pass code; try again."))
    audit.record_change(
        actor=actor,
        instance=release_pass,
        action="pass_applied",
        changes={"status": [None, PassStatus.PENDING]},
        house_id=house.id,
        object_repr=release_pass.display_code,
        note=f"{applicant.name} · {release_on.isoformat()}",
    )
    return release_pass


def apply_for_pass(
    applicant_user_or_person,
    house: House,
    *,
    items: str,
    release_on: datetime.date,
    vehicle_plate: str = "",
    organisation: str = "",
    actor=None,
) -> ReleasePass:
    """Apply for a pass as an owner's portal account, or (with `actor`, a staff member) for a
    registry person: an Owner, Resident or EntrustedAgent.

    An owner account applies as its own archive record in the house's community; a house it does
    not hold now is NotFound (the portal never reveals other houses).
    """
    applicant = applicant_user_or_person
    if not isinstance(applicant, Owner | Resident | EntrustedAgent):
        user = applicant
        if not owner_access.is_owner_account(user):
            raise PermissionDenied(
                _("Only an owner's account applies for itself; staff name the applicant."),
                code=error_codes.NOT_OWNER_ACCOUNT,
            )
        applicant = Owner.objects.filter(user=user, community_id=house.community_id).first()
        if applicant is None:
            raise NotFound()
        actor = user
    elif actor is None:
        raise PermissionDenied(_("Your role does not allow this."), code=error_codes.ROLE_FORBIDDEN)
    return release_pass_apply(
        actor=actor,
        house=house,
        applicant=applicant,
        items=items,
        release_on=release_on,
        vehicle_plate=vehicle_plate,
        organisation=organisation,
    )


def _current_applicant(release_pass: ReleasePass):
    return release_pass.owner or release_pass.resident or release_pass.agent


def validity_window(release_pass: ReleasePass) -> tuple[datetime.datetime, datetime.datetime]:
    hours = custody_settings_for(release_pass.community_id).pass_validity_hours
    start = timezone.make_aware(
        datetime.datetime.combine(release_pass.release_on, datetime.time.min)
    )
    return start, start + datetime.timedelta(hours=hours)


def fee_gate(house: House) -> None:
    """Refuse when the community releases goods only for houses that owe nothing."""
    if not custody_settings_for(house.community_id).release_needs_fees_paid:
        return
    dues = house_dues(house)
    if dues.owes:
        raise Conflict(
            _(
                "%(house)s owes %(amount)s in fees; this community releases goods only when "
                "the fees are paid."
            )
            % {"house": house.code, "amount": format_yuan(from_fen(dues.outstanding_fen))},
            code=error_codes.FEES_UNPAID,
            field="house",
        )


@transaction.atomic
def release_pass_approve(*, actor, release_pass: ReleasePass, note: str = "") -> ReleasePass:
    """Approve after re-checking the applicant's link to the house and (if required) the fees."""
    require(actor, Perm.RELEASE_ISSUE, release_pass.community_id)
    note = clean_text("note", note, max_length=200)
    house = release_pass.house
    if release_pass.status != PassStatus.PENDING:
        raise Conflict(
            _("Only a pass waiting for approval can be approved."),
            code=error_codes.PASS_NOT_PENDING,
        )
    applicant = _current_applicant(release_pass)
    if not applicant_is_linked(applicant, house):
        _refuse_unlinked(applicant, house)
    fee_gate(house)
    valid_from, valid_until = validity_window(release_pass)
    now = clock_now()
    if valid_until <= now:
        raise Conflict(
            _("The release date has passed; ask for a new application."),
            code=error_codes.PASS_EXPIRED,
            field="release_on",
        )
    values = {
        "status": PassStatus.APPROVED,
        "decided_by": actor,
        "decided_at": now,
        "decision_note": note,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    if not ReleasePass.objects.filter(pk=release_pass.pk, status=PassStatus.PENDING).update(
        **values
    ):
        raise Conflict(
            _("Only a pass waiting for approval can be approved."),
            code=error_codes.PASS_NOT_PENDING,
        )
    for field, value in values.items():
        setattr(release_pass, field, value)
    audit.record_change(
        actor=actor,
        instance=release_pass,
        action="pass_approved",
        changes={"status": [PassStatus.PENDING, PassStatus.APPROVED]},
        house_id=house.id,
        object_repr=release_pass.display_code,
        note=note,
    )
    return release_pass


@transaction.atomic
def release_pass_reject(*, actor, release_pass: ReleasePass, reason: str) -> ReleasePass:
    require(actor, Perm.RELEASE_ISSUE, release_pass.community_id)
    reason = clean_text("reason", reason, max_length=200, required=True)
    now = clock_now()
    if not ReleasePass.objects.filter(pk=release_pass.pk, status=PassStatus.PENDING).update(
        status=PassStatus.REJECTED, decided_by=actor, decided_at=now, decision_note=reason
    ):
        raise Conflict(
            _("Only a pass waiting for approval can be rejected."),
            code=error_codes.PASS_NOT_PENDING,
        )
    release_pass.status, release_pass.decided_at = PassStatus.REJECTED, now
    release_pass.decided_by, release_pass.decision_note = actor, reason
    audit.record_change(
        actor=actor,
        instance=release_pass,
        action="pass_rejected",
        changes={"status": [PassStatus.PENDING, PassStatus.REJECTED]},
        house_id=release_pass.house_id,
        object_repr=release_pass.display_code,
        note=reason,
    )
    return release_pass


@transaction.atomic
def release_pass_cancel(*, actor, release_pass: ReleasePass, reason: str = "") -> ReleasePass:
    """Withdraw a pass not yet used: the applicant's owner account, or staff who issue passes."""
    if owner_access.is_owner_account(actor):
        if release_pass.owner is None or release_pass.owner.user_id != actor.id:
            raise NotFound()
    else:
        require(actor, Perm.RELEASE_ISSUE, release_pass.community_id)
    reason = clean_text("reason", reason, max_length=200)
    old = release_pass.status
    if not ReleasePass.objects.filter(
        pk=release_pass.pk, status__in=[PassStatus.PENDING, PassStatus.APPROVED]
    ).update(status=PassStatus.CANCELLED, decision_note=reason):
        raise Conflict(
            _("A used, rejected or cancelled pass cannot be cancelled."),
            code=error_codes.PASS_NOT_PENDING,
        )
    release_pass.status = PassStatus.CANCELLED
    audit.record_change(
        actor=actor,
        instance=release_pass,
        action="pass_cancelled",
        changes={"status": [old, PassStatus.CANCELLED]},
        house_id=release_pass.house_id,
        object_repr=release_pass.display_code,
        note=reason,
    )
    return release_pass


# --- at the gate --------------------------------------------------------------------------------


def pass_for_gate(user, code) -> ReleasePass:
    """The pass with this code in the guard's communities; NotFound (naming `code`) otherwise."""
    require(user, Perm.RELEASE_CHECK)
    code = parse_pass_code(code)
    found = (
        ReleasePass.objects.select_related("house", "community", "used_by", "decided_by")
        .filter(code=code, community_id__in=community_ids(user))
        .first()
    )
    if found is None:
        raise NotFound(
            _("No pass with this code in your communities."),
            code=error_codes.PASS_UNKNOWN,
            field="code",
        )
    return found


def gate_refusal(release_pass: ReleasePass, now: datetime.datetime | None = None):
    """Why the gate must refuse this pass now, as the error to raise; None when it is good."""
    now = now or clock_now()
    if release_pass.status == PassStatus.USED:
        return Conflict(
            _("This pass was already used at %(time)s: the goods may not leave on it.")
            % {"time": f"{timezone.localtime(release_pass.used_at):%Y-%m-%d %H:%M}"},
            code=error_codes.PASS_USED,
            field="code",
        )
    if release_pass.status != PassStatus.APPROVED:
        return Conflict(
            _("This pass is not approved (%(status)s): the goods may not leave on it.")
            % {"status": release_pass.get_status_display()},
            code=error_codes.PASS_NOT_APPROVED,
            field="code",
        )
    if release_pass.valid_until < now:
        return Conflict(
            _("This pass expired at %(time)s: the goods may not leave on it.")
            % {"time": f"{timezone.localtime(release_pass.valid_until):%Y-%m-%d %H:%M}"},
            code=error_codes.PASS_EXPIRED,
            field="code",
        )
    if release_pass.valid_from > now:
        return Conflict(
            _("This pass is valid only from %(time)s.")
            % {"time": f"{timezone.localtime(release_pass.valid_from):%Y-%m-%d %H:%M}"},
            code=error_codes.PASS_NOT_YET_VALID,
            field="code",
        )
    return None


@transaction.atomic
def release_pass_use(*, actor, release_pass: ReleasePass, note: str = "") -> ReleasePass:
    """Record the goods leaving. Single use: the conditional UPDATE lets exactly one guard in."""
    require(actor, Perm.RELEASE_CHECK, release_pass.community_id)
    note = clean_text("note", note, max_length=200)
    now = clock_now()
    used = ReleasePass.objects.filter(
        pk=release_pass.pk,
        status=PassStatus.APPROVED,
        valid_from__lte=now,
        valid_until__gte=now,
    ).update(status=PassStatus.USED, used_at=now, used_by=actor, gate_note=note)
    if not used:
        release_pass.refresh_from_db()
        raise gate_refusal(release_pass, now) or Conflict(
            _("This pass cannot be used now."), code=error_codes.PASS_NOT_APPROVED, field="code"
        )
    release_pass.status, release_pass.used_at = PassStatus.USED, now
    release_pass.used_by, release_pass.gate_note = actor, note
    audit.record_change(
        actor=actor,
        instance=release_pass,
        action="pass_used",
        changes={"status": [PassStatus.APPROVED, PassStatus.USED]},
        house_id=release_pass.house_id,
        object_repr=release_pass.display_code,
        note=note,
    )
    return release_pass
