"""Rules the procedures share: the fee gate, the entrustment check, numbers and row locks."""

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.selectors.accounts import house_dues
from propdesk.core.errors import Conflict, NotFound, ValidationFailed
from propdesk.core.money import format_yuan
from propdesk.core.numbering import next_number
from propdesk.estates.models import EntrustedAgent, House, Owner
from propdesk.frontdesk import error_codes


def number_next(prefix: str, community) -> str:
    """RH2026000012: a procedure prefix, the year, a gap-free counter per community and year."""
    year = timezone.localdate().year
    value = next_number(f"frontdesk:{prefix}:{community.id}:{year}")
    return f"{prefix}{year}{value:06d}"


def lock(row: Model) -> Model:
    """Re-read `row` locked for the rest of the transaction (two clicks do one step once)."""
    return type(row).objects.select_for_update().get(pk=row.pk)


def fee_gate(house: House, *, field: str) -> None:
    """Refuse while the house owes anything (DOMAIN.md §3, §4: fees are paid first)."""
    dues = house_dues(house)
    if dues.owes:
        items = "、".join(sorted({bill.fee_name for bill in dues.bills}))
        raise Conflict(
            _(
                "House %(house)s still owes %(amount)s yuan (%(items)s): "
                "take the payment at the cashier desk first."
            )
            % {"house": house.code, "amount": format_yuan(dues.outstanding), "items": items},
            code=error_codes.FEES_UNPAID,
            field=field,
        )


def check_current_owner(house: House, owner: Owner) -> None:
    if (
        owner.community_id != house.community_id
        or not owner.ownerships.filter(house=house, end_on__isnull=True).exists()
    ):
        raise ValidationFailed(
            _("This person is not a current owner of the house."),
            code=error_codes.NOT_OWNER,
            field="owner",
        )


def check_entrustment(*, house: House, owner: Owner, agent: EntrustedAgent | None) -> None:
    """An agent acts only with a valid entrustment and its power of attorney on file (DOMAIN §1)."""
    if agent is None or not agent.power_of_attorney_id:
        raise ValidationFailed(
            _(
                "An entrusted agent needs the owner's power of attorney on file: record the agent "
                "with the power of attorney in the house's archive first."
            ),
            code=error_codes.POWER_OF_ATTORNEY_MISSING,
            field="agent",
        )
    if agent.house_id != house.id or agent.owner_id != owner.id:
        raise NotFound(
            _("This agent is not entrusted for this house by this owner."), field="agent"
        )
    today = timezone.localdate()
    if (
        agent.revoked_at is not None
        or agent.valid_from > today
        or (agent.valid_until is not None and agent.valid_until < today)
    ):
        raise ValidationFailed(
            _("The entrustment is revoked or not valid today."),
            code=error_codes.ENTRUSTMENT_INVALID,
            field="agent",
        )


def refuse_state(message) -> Conflict:
    return Conflict(message, code=error_codes.WRONG_STATE, field="status")


def primary_owner(house: House) -> Owner | None:
    ownership = (
        house.ownerships.filter(end_on__isnull=True)
        .select_related("owner")
        .order_by("-is_primary", "id")
        .first()
    )
    return ownership.owner if ownership else None
