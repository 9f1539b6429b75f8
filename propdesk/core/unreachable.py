"""Addresses a provider said do not exist (an invalid or empty mobile number).

The outbox marks one when a transport fails with `TransportError(unreachable=True)` (an SMS
provider's "invalid number" answer or delivery receipt) and sends nothing more to it: the next
message to that number ends at once as failed with the reason, instead of costing a provider
call each time. The registry shows the mark beside the person's mobile; staff who correct the
number or confirm it works clear the mark (`address_mark_clear`), and sending resumes.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.models import UnreachableAddress
from propdesk.core.permissions import Perm, require


def address_unreachable(channel: str, address: str) -> UnreachableAddress | None:
    return UnreachableAddress.objects.filter(channel=channel, address=address.strip()).first()


def unreachable_addresses(channel: str, addresses) -> dict[str, UnreachableAddress]:
    """The marks among `addresses` (one query), by address: for lists and detail pages."""
    wanted = {a.strip() for a in addresses if a}
    if not wanted:
        return {}
    return {
        mark.address: mark
        for mark in UnreachableAddress.objects.filter(channel=channel, address__in=wanted)
    }


def address_mark_unreachable(*, channel: str, address: str, reason: str) -> UnreachableAddress:
    """Record that the provider refused `address` as not existing (idempotent)."""
    address = address.strip()
    try:
        with transaction.atomic():
            return UnreachableAddress.objects.create(
                channel=channel, address=address, reason=reason[:200]
            )
    except IntegrityError:
        return UnreachableAddress.objects.get(channel=channel, address=address)


@transaction.atomic
def address_mark_clear(*, actor, channel: str, address: str, community_id: int | None) -> bool:
    """Staff say the number is right (or was corrected): send to it again."""
    require(actor, Perm.REGISTRY_EDIT, community_id)
    mark = address_unreachable(channel, address)
    if mark is None:
        return False
    audit.record_change(
        actor=actor,
        instance=mark,
        action="delete",
        object_repr=_("Unreachable number"),
        note=mark.reason,
    )
    mark.delete()
    return True
