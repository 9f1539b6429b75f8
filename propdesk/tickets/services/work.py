"""Work on a request besides its status: notes, photos, and costs that fall on the owner.

DOMAIN.md §2: repair costs that fall on the owner, or on the shared fund (公摊), are told to the
owner before the work and itemised after. A proposed cost blocks the start of work until the
owner has answered (tickets.services.transitions.request_start).
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm
from propdesk.tickets import clock, error_codes
from propdesk.tickets.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    EventAction,
    OwnerCost,
    RequestEvent,
    ServiceRequest,
    WorkNote,
)
from propdesk.tickets.services import notify
from propdesk.tickets.services._common import (
    answer_check,
    clean_note,
    event_record,
    is_house_person,
    lock_request,
    require_on_request,
)
from propdesk.tickets.services.photos import photos_attach, photos_check

MAX_AMOUNT = Decimal("99999999.99")


def _refuse_final(request: ServiceRequest) -> None:
    if request.status in FINAL_STATUSES:
        raise Conflict(
            _("The request is %(status)s; nothing more can be added.")
            % {"status": request.get_status_display()},
            code=error_codes.REQUEST_FINAL,
            field="status",
        )


@transaction.atomic
def note_add(*, actor, request: ServiceRequest, text: str, photos=()) -> WorkNote:
    """A work note (what was found, what was done), with photos if any, into the timeline."""
    request = lock_request(request)
    require_on_request(actor, Perm.REQUEST_WORK, request)
    _refuse_final(request)
    text = clean_note("text", text, required=True)
    checked = photos_check(photos)
    now = clock.now()
    work_note = WorkNote.objects.create(
        community_id=request.community_id, request=request, author=actor, text=text, created_at=now
    )
    event = event_record(request=request, actor=actor, action=EventAction.NOTE, note=text, at=now)
    photos_attach(request=request, event=event, checked=checked, actor=actor, at=now)
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return work_note


@transaction.atomic
def photo_add(*, actor, request: ServiceRequest, photos, note: str = "") -> RequestEvent:
    request = lock_request(request)
    require_on_request(actor, Perm.REQUEST_WORK, request)
    _refuse_final(request)
    checked = photos_check(photos)
    if not checked:
        raise ValidationFailed(
            _("Choose at least one photo."), code=error_codes.REQUIRED, field="photos"
        )
    note = clean_note("note", note, max_length=500)
    now = clock.now()
    event = event_record(
        request=request,
        actor=actor,
        action=EventAction.PHOTO,
        note=note,
        data={"count": len(checked)},
        at=now,
    )
    photos_attach(request=request, event=event, checked=checked, actor=actor, at=now)
    return event


@transaction.atomic
def owner_note_add(*, actor, request: ServiceRequest, text: str = "", photos=()) -> RequestEvent:
    """The owner adds a note or photos to their open request in the portal (DOMAIN.md §2: the
    owner keeps the centre informed too). It goes into the timeline, not the work notes."""
    request = lock_request(request)
    if not is_house_person(actor, request):
        require_on_request(actor, Perm.REQUEST_WORK, request)
    _refuse_final(request)
    text = clean_note("text", text, max_length=1000)
    checked = photos_check(photos)
    if not text and not checked:
        raise ValidationFailed(
            _("Write a note or choose a photo."), code=error_codes.REQUIRED, field="text"
        )
    now = clock.now()
    event = event_record(
        request=request,
        actor=actor,
        action=EventAction.PHOTO if checked and not text else EventAction.NOTE,
        note=text,
        data={"by": "owner", "count": len(checked)},
        at=now,
    )
    photos_attach(request=request, event=event, checked=checked, actor=actor, at=now)
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return event


def _clean_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter an amount in yuan."), field="amount") from exc
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationFailed(_("Enter an amount above zero."), field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("At most two decimal places (fen)."), field="amount")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def cost_propose(
    *, actor, request: ServiceRequest, item: str, amount, payer: str = OwnerCost.Payer.OWNER
) -> OwnerCost:
    """Tell the owner what the repair will cost them before the work (DOMAIN.md §2)."""
    request = lock_request(request)
    require_on_request(actor, Perm.REQUEST_WORK, request)
    if request.status not in OPEN_STATUSES:
        raise Conflict(
            _("Costs are agreed before the work, while the request is open."),
            code=error_codes.REQUEST_NOT_OPEN,
            field="status",
        )
    item = clean_note("item", item, max_length=200, required=True)
    amount = _clean_amount(amount)
    if payer not in OwnerCost.Payer.values:
        raise ValidationFailed(_("Choose who pays."), field="payer")
    now = clock.now()
    cost = OwnerCost.objects.create(
        community_id=request.community_id,
        request=request,
        item=item,
        amount=amount,
        payer=payer,
        proposed_by=actor,
        proposed_at=now,
    )
    event = event_record(
        request=request,
        actor=actor,
        action=EventAction.COST_PROPOSED,
        note=f"{item} {amount}",
        data={"cost": cost.pk, "amount": str(amount), "payer": payer},
        at=now,
    )
    notify.owner_notify(
        request=request,
        event=event,
        extra=_("The repair will cost %(amount)s yuan (%(item)s); please confirm.")
        % {"amount": amount, "item": item},
    )
    return cost


@transaction.atomic
def cost_decide(
    *, actor, cost: OwnerCost, confirmed: bool, via: str = "phone", note: str = ""
) -> OwnerCost:
    """Record the owner's answer to a proposed cost: by the desk, or by the owner in the portal."""
    request = lock_request(cost.request)
    answer_check(actor, request, via)
    cost = OwnerCost.objects.select_for_update().get(pk=cost.pk)
    if cost.state != OwnerCost.State.PROPOSED:
        raise Conflict(
            _("This cost has already been answered."), code=error_codes.COST_DECIDED, field="cost"
        )
    note = clean_note("note", note, max_length=300)
    now = clock.now()
    cost.state = OwnerCost.State.CONFIRMED if confirmed else OwnerCost.State.DECLINED
    cost.decided_at = now
    cost.decided_via = via
    cost.decided_by = actor
    cost.save(update_fields=["state", "decided_at", "decided_via", "decided_by"])
    event_record(
        request=request,
        actor=actor,
        action=EventAction.COST_DECIDED,
        note=note or f"{cost.item} {cost.amount}",
        data={"cost": cost.pk, "state": cost.state, "via": via},
        at=now,
    )
    return cost
