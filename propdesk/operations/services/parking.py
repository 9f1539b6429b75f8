"""Temporary parking (临时停车), seed 001: over 1 h within 12 h, 5 yuan a vehicle a time.

The guard records a car coming in (plate, time) and leaving; the stay is priced by the
community's rule, which billing keeps with the other fees (the temporary-parking rate, and the
policy's free minutes, period and cap: `billing.selectors.schedule.temporary_parking_quote`).
The fee is taken at the gate or the cashier desk as a billing payment of no house: a receipt in
the community's gap-free series and a line in the taker's daily cash-up. A stay is paid once:
the stay's row is locked while it is charged and the payment's idempotency key makes a retry the
same payment.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing.models import PaymentSource
from propdesk.billing.selectors.schedule import temporary_parking_quote
from propdesk.billing.services.payments import payment_take_counter
from propdesk.core.audit import record_change
from propdesk.core.cleaning import clean_datetime, clean_field, clean_text
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.masking import mask_plate
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_plate
from propdesk.estates.models import Community
from propdesk.operations import error_codes
from propdesk.operations.models import ParkingStay, StayStatus

# A time typed at the gate may be a little ahead of the server's clock, never more; a stay is
# recorded within a week of the car coming in.
CLOCK_SKEW = datetime.timedelta(minutes=5)
LOOK_BACK = datetime.timedelta(days=7)


def clean_plate(value) -> str:
    plate, _new_energy = clean_field("plate", normalize_plate, value)
    return plate


def _clean_moment(field: str, value, *, now: datetime.datetime) -> datetime.datetime:
    if value in (None, ""):
        return now
    moment = clean_datetime(field, value)
    if moment > now + CLOCK_SKEW:
        raise ValidationFailed(
            _("This time is still to come."), code=error_codes.BAD_TIME, field=field
        )
    if moment < now - LOOK_BACK:
        raise ValidationFailed(
            _("Record a stay within a week of the car coming in."),
            code=error_codes.BAD_TIME,
            field=field,
        )
    return moment


def _locked(stay: ParkingStay) -> ParkingStay:
    return ParkingStay.objects.select_for_update().get(pk=stay.pk)


@transaction.atomic
def stay_enter(
    *, actor, community: Community, plate, entered_at=None, note: str = ""
) -> ParkingStay:
    """A visitor's car comes in: its plate and the time (now, or as the gate's log says)."""
    require(actor, Perm.PARKING_CHARGE, community.id)
    plate = clean_plate(plate)
    entered_at = _clean_moment("entered_at", entered_at, now=timezone.now())
    note = clean_text("note", note, max_length=200)
    parked = Conflict(
        _("This car is already parked here: record its leaving first."),
        code=error_codes.PLATE_PARKED,
        field="plate",
    )
    if ParkingStay.objects.filter(
        community=community, plate=plate, status=StayStatus.PARKED
    ).exists():
        raise parked
    try:
        with transaction.atomic():
            stay = ParkingStay.objects.create(
                community=community,
                plate=plate,
                entered_at=entered_at,
                note=note,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # the same car recorded at the same moment at another gate
        raise parked from exc
    record_change(
        actor=actor, instance=stay, action="parking_entered", object_repr=mask_plate(plate)
    )
    return stay


@transaction.atomic
def stay_leave(*, actor, stay: ParkingStay, left_at=None) -> ParkingStay:
    """The car leaves: the stay's minutes and fee by the community's rule on that day. A stay
    within the free minutes is closed; otherwise it waits for its payment."""
    require(actor, Perm.PARKING_CHARGE, stay.community_id)
    stay = _locked(stay)
    if stay.status != StayStatus.PARKED:
        raise Conflict(_("This car has already left."), code=error_codes.STAY_CLOSED, field="stay")
    left_at = _clean_moment("left_at", left_at, now=timezone.now())
    if left_at < stay.entered_at:
        raise ValidationFailed(
            _("A car leaves after it came in."), code=error_codes.BAD_TIME, field="left_at"
        )
    minutes = int((left_at - stay.entered_at).total_seconds() // 60)
    fee_fen = temporary_parking_quote(stay.community_id, minutes, timezone.localdate(left_at))
    if fee_fen is None:
        raise Conflict(
            _("The community has no temporary-parking rate: ask finance to set one."),
            code=error_codes.NO_PARKING_RATE,
            field="stay",
        )
    stay.left_at = left_at
    stay.minutes = minutes
    stay.fee_fen = fee_fen
    stay.status = StayStatus.DUE if fee_fen > 0 else StayStatus.FREE
    fields = ["left_at", "minutes", "fee_fen", "status"]
    if stay.status == StayStatus.FREE:
        stay.closed_by = actor
        fields.append("closed_by")
    stay.save(update_fields=fields)
    record_change(
        actor=actor,
        instance=stay,
        action="parking_left",
        changes={"status": [StayStatus.PARKED, stay.status], "fee": [None, str(stay.fee)]},
        object_repr=mask_plate(stay.plate),
    )
    return stay


@transaction.atomic
def stay_charge(
    *, actor, stay: ParkingStay, method: str, idempotency_key: str, payer_name: str = ""
) -> ParkingStay:
    """Take the stay's fee at the gate or the desk: a payment with its receipt and a line in the
    taker's cash-up. The same key sent again returns the stay as paid the first time."""
    require(actor, Perm.PARKING_CHARGE, stay.community_id)
    stay = _locked(stay)
    if stay.status == StayStatus.PAID and stay.payment.idempotency_key == str(idempotency_key):
        return stay  # a retry of the payment that paid it
    if stay.status != StayStatus.DUE:
        raise Conflict(
            _("This stay has nothing to pay."), code=error_codes.STAY_NOT_DUE, field="stay"
        )
    local = timezone.localtime
    result = payment_take_counter(
        actor=actor,
        community=stay.community,
        source=PaymentSource.TEMPORARY_PARKING,
        amount_fen=stay.fee_fen,
        method=method,
        idempotency_key=idempotency_key,
        payer_name=payer_name,
        reference=f"parking:{stay.pk}",
        note=f"{stay.plate} {local(stay.entered_at):%m-%d %H:%M}–{local(stay.left_at):%m-%d %H:%M}",
    )
    stay.payment = result.payment
    stay.status = StayStatus.PAID
    stay.closed_by = actor
    stay.save(update_fields=["payment", "status", "closed_by"])
    record_change(
        actor=actor,
        instance=stay,
        action="parking_paid",
        changes={"status": [StayStatus.DUE, StayStatus.PAID]},
        object_repr=result.receipt.display_number,
    )
    return stay
