"""Helpers the fee services share: input cleaning that names the field, and the house lock."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import HouseAccount, LedgerEntry
from propdesk.core.cleaning import clean_month
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.money import MoneyError, parse_amount, to_fen
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.estates.models import House


def require_front_desk_or_cashier(actor, community_id: int) -> None:
    """A cashier, or the front desk (registry editors who see the fees), in the community: they
    bill the one-off fees of a procedure and ask for a deposit's refund."""
    if has_perm(actor, Perm.PAYMENT_TAKE):
        require(actor, Perm.PAYMENT_TAKE, community_id)
    elif has_perm(actor, Perm.REGISTRY_EDIT) and has_perm(actor, Perm.BILLING_VIEW):
        require(actor, Perm.REGISTRY_EDIT, community_id)
    else:
        raise PermissionDenied(_("Your role does not allow this."), code=error_codes.ROLE_FORBIDDEN)


def clean_amount_fen(field: str, value, *, allow_zero: bool = False) -> int:
    """A positive amount of money as typed or sent → integer fen; errors name `field`."""
    try:
        return to_fen(parse_amount(value, allow_zero=allow_zero))
    except MoneyError as exc:
        raise ValidationFailed(exc.message, code=error_codes.BAD_AMOUNT, field=field) from exc


def clean_period(value, field: str = "period") -> datetime.date:
    """A billing month (2026-07, 2026-07-01 or the first as a date); errors name `field`."""
    return clean_month(field, value, code=error_codes.BAD_PERIOD)


def lock_house_account(house: House) -> HouseAccount:
    """Lock the house's account row for the rest of the transaction (created on first use).

    Every service that moves a house's money takes this lock first, so two cashiers paying the
    same bill run one after the other and the second sees what the first allocated.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_house_account must run inside a transaction")
    if not HouseAccount.objects.filter(house_id=house.id).exists():
        try:
            with transaction.atomic():
                HouseAccount.objects.create(house_id=house.id, community_id=house.community_id)
        except IntegrityError:
            pass  # another transaction opened it first
    return HouseAccount.objects.select_for_update().get(house_id=house.id)


def entry_row(
    *,
    house: House,
    kind: str,
    amount_fen: int,
    actor=None,
    bill=None,
    payment=None,
    adjustment=None,
    reverses=None,
    note: str = "",
) -> LedgerEntry:
    """An unsaved ledger entry, for callers that write many at once (bulk_create)."""
    return LedgerEntry(
        community_id=house.community_id,
        house_id=house.id,
        kind=kind,
        amount_fen=amount_fen,
        bill=bill,
        payment=payment,
        adjustment=adjustment,
        reverses=reverses,
        note=note[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def entry(
    *,
    house: House,
    kind: str,
    amount_fen: int,
    actor=None,
    bill=None,
    payment=None,
    adjustment=None,
    reverses=None,
    note: str = "",
    at=None,
) -> LedgerEntry:
    """Append one ledger entry (the only place that creates them)."""
    values = {
        "community_id": house.community_id,
        "house_id": house.id,
        "kind": kind,
        "amount_fen": amount_fen,
        "bill": bill,
        "payment": payment,
        "adjustment": adjustment,
        "reverses": reverses,
        "note": note[:200],
        "created_by": actor if getattr(actor, "pk", None) else None,
    }
    if at is not None:
        values["created_at"] = at
    return LedgerEntry.objects.create(**values)
