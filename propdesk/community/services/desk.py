"""The front-desk visit log (来访登记, seed 001 来访接待): every walk-in at the service centre
is written down — when, who, which house, what about, who it was referred to and how it ended.
A question the desk cannot answer gets a promised callback time and becomes an inquiry request
with that deadline, so the request queue and its clock follow it up."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.community import error_codes
from propdesk.community.models import DeskVisit, VisitOutcome, VisitPurpose
from propdesk.community.services._common import clean_when
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.core.permissions import Perm, require
from propdesk.core.validators import normalize_mobile
from propdesk.estates.models import Community, House

MAX_LATE_ENTRY = datetime.timedelta(days=7)
MAX_CALLBACK_AHEAD = datetime.timedelta(days=30)
# The kind of request a visit becomes, by what the visitor came about.
REQUEST_KIND = {
    VisitPurpose.COMPLAINT: "complaint",
    VisitPurpose.REPAIR: "repair",
    VisitPurpose.SUGGESTION: "suggestion",
}


@transaction.atomic
def desk_visit_record(
    *,
    actor,
    community: Community,
    visitor_name: str,
    purpose: str,
    details: str,
    outcome: str,
    visitor_mobile: str = "",
    house: House | None = None,
    referred_to: str = "",
    outcome_note: str = "",
    callback_at: datetime.datetime | None = None,
    category: str = "",
    visited_at: datetime.datetime | None = None,
) -> DeskVisit:
    """Write one visit. A promised callback (or a visit recorded as a request) opens a request
    for the house: an inquiry due at the callback time, or the kind the purpose suggests."""
    from propdesk.tickets.services.intake import request_create

    require(actor, Perm.VISIT_LOG, community.id)
    now = timezone.now()
    visitor_name = clean_text("visitor_name", visitor_name, max_length=100, required=True)
    if visitor_mobile:
        visitor_mobile = clean_field("visitor_mobile", normalize_mobile, visitor_mobile)
    purpose = clean_choice("purpose", purpose, VisitPurpose)
    details = clean_text("details", details, max_length=2000, required=True)
    outcome = clean_choice("outcome", outcome, VisitOutcome)
    referred_to = clean_text("referred_to", referred_to, max_length=100)
    outcome_note = clean_text("outcome_note", outcome_note, max_length=500)
    visited_at = (
        clean_when("visited_at", visited_at, not_before=now - MAX_LATE_ENTRY, not_after=now) or now
    )
    if house is not None and house.community_id != community.id:
        raise NotFound(
            _("No such house in this community."), code=error_codes.NOT_FOUND, field="house"
        )
    if outcome == VisitOutcome.REFERRED and not referred_to:
        raise ValidationFailed(
            _("Say who the visitor was referred to."),
            code=error_codes.REFERRAL_REQUIRED,
            field="referred_to",
        )
    callback_at = clean_when(
        "callback_at", callback_at, not_before=now, not_after=now + MAX_CALLBACK_AHEAD
    )
    if outcome == VisitOutcome.CALLBACK and callback_at is None:
        raise ValidationFailed(
            _("Give the time the visitor will be called back."),
            code=error_codes.CALLBACK_REQUIRED,
            field="callback_at",
        )
    request = None
    if outcome in (VisitOutcome.CALLBACK, VisitOutcome.REQUEST):
        if house is None:
            raise ValidationFailed(
                _("Name the visitor's house: the request is filed under it."),
                code=error_codes.HOUSE_REQUIRED,
                field="house",
            )
        if not category:
            raise ValidationFailed(
                _("Choose the category of the request."),
                code=error_codes.CATEGORY_REQUIRED,
                field="category",
            )
        kind = (
            "inquiry" if outcome == VisitOutcome.CALLBACK else REQUEST_KIND.get(purpose, "inquiry")
        )
        request = request_create(
            actor=actor,
            kind=kind,
            category=category,
            urgency="normal",
            description=details,
            channel="walk_in",
            house=house,
            caller_name=visitor_name,
            caller_mobile=visitor_mobile,
            promised_at=callback_at,
        )
    visit = DeskVisit.objects.create(
        community=community,
        visited_at=visited_at,
        visitor_name=visitor_name,
        visitor_mobile=visitor_mobile,
        house=house,
        purpose=purpose,
        details=details,
        referred_to=referred_to,
        outcome=outcome,
        outcome_note=outcome_note,
        callback_at=callback_at,
        request=request,
        recorded_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=visit,
        action="desk_visit_recorded",
        house_id=visit.house_id,
        changes={"outcome": [None, outcome]},
        object_repr=f"{visit.visited_at:%Y-%m-%d %H:%M}",
    )
    return visit
