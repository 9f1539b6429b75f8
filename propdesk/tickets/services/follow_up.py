"""The follow-up call (回访) after a resolution, and satisfaction (DOMAIN.md §2 closed loop, §7).

The agent calls (or the owner rates in the portal) 1–5 with a comment. At or below the
community's threshold (default 2) the request reopens; above it, it closes. An owner who does
not answer is called again on the next working day; after the configured number of attempts
(default 3) the request closes with a note saying so.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, has_perm
from propdesk.tickets import clock, configuration, error_codes
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    EventAction,
    FollowUp,
    ServiceRequest,
    Status,
)
from propdesk.tickets.services._common import (
    clean_note,
    event_record,
    is_house_person,
    lock_request,
    require_on_request,
)
from propdesk.tickets.services.transitions import (
    close_locked,
    follow_up_begin_locked,
    reopen_locked,
)


def _pending(request: ServiceRequest, now) -> FollowUp:
    follow_up = (
        FollowUp.objects.filter(request=request, state=FollowUp.State.PENDING)
        .order_by("-round")
        .first()
    )
    if follow_up is None:  # resolved before follow-ups existed, or cancelled by hand
        rounds = FollowUp.objects.filter(request=request).count()
        follow_up = FollowUp.objects.create(
            community_id=request.community_id, request=request, round=rounds + 1, due_at=now
        )
    return follow_up


def _begin(actor, request: ServiceRequest, via: str) -> ServiceRequest:
    request = lock_request(request)
    owner_rating = (
        via == FollowUp.Via.PORTAL
        and not has_perm(actor, Perm.REQUEST_FOLLOW_UP)
        and is_house_person(actor, request)
    )
    if not owner_rating:
        require_on_request(actor, Perm.REQUEST_FOLLOW_UP, request)
    if request.status not in AWAITING_FOLLOW_UP:
        raise Conflict(
            _("Only a resolved request is followed up; this one is “%(status)s”.")
            % {"status": request.get_status_display()},
            code=error_codes.ILLEGAL_TRANSITION,
            field="status",
        )
    return request


def _clean_satisfaction(value) -> int:
    if isinstance(value, bool):
        value = None
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5 or str(value).strip() not in {str(score), f"{score}.0"}:
        raise ValidationFailed(
            _("Give a satisfaction score from 1 to 5."),
            code=error_codes.BAD_SATISFACTION,
            field="satisfaction",
        )
    return score


@transaction.atomic
def follow_up_record(
    *,
    actor,
    request: ServiceRequest,
    satisfaction: int,
    comment: str = "",
    via: str = FollowUp.Via.PHONE,
) -> ServiceRequest:
    """Record the owner's satisfaction; reopen or close the request accordingly."""
    if via not in FollowUp.Via.values:
        raise ValidationFailed(_("Choose one of the listed ways."), field="via")
    request = _begin(actor, request, via)
    score = _clean_satisfaction(satisfaction)
    comment = clean_note("comment", comment, max_length=1000)
    return record_locked(request, actor=actor, score=score, comment=comment, via=via)


def record_locked(request: ServiceRequest, *, actor, score: int, comment: str, via: str):
    """Record a checked answer on a locked request awaiting its follow-up (`actor` None: the
    owner answered an SMS link without signing in)."""
    now = clock.now()
    settings_row = configuration.settings_for(request.community_id)
    if request.status == Status.RESOLVED:
        follow_up_begin_locked(request, actor=actor, now=now)
    follow_up = _pending(request, now)
    follow_up.state = FollowUp.State.DONE
    follow_up.satisfaction = score
    follow_up.comment = comment
    follow_up.via = via
    follow_up.recorded_by = actor if getattr(actor, "pk", None) else None
    follow_up.completed_at = now
    follow_up.save(
        update_fields=["state", "satisfaction", "comment", "via", "recorded_by", "completed_at"]
    )
    ServiceRequest.objects.filter(pk=request.pk).update(satisfaction=score)
    request.satisfaction = score
    event_record(
        request=request,
        actor=actor,
        action=EventAction.FOLLOW_UP,
        note=comment,
        data={"satisfaction": score, "via": via, "round": follow_up.round},
        at=now,
    )
    if score <= settings_row.reopen_at_or_below:
        reason = _("The owner is not satisfied (%(score)d/5).") % {"score": score}
        if comment:
            reason = f"{reason} {comment}"
        reopen_locked(request, actor=actor, now=now, reason=reason, data={"satisfaction": score})
    else:
        close_locked(
            request,
            actor=actor,
            now=now,
            note=_("Satisfaction %(score)d/5.") % {"score": score},
            data={"satisfaction": score},
        )
    return request


@transaction.atomic
def follow_up_unreachable(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """The owner did not answer: call again on the next working day, or close after N tries."""
    request = _begin(actor, request, FollowUp.Via.PHONE)
    note = clean_note("note", note, max_length=500)
    now = clock.now()
    settings_row = configuration.settings_for(request.community_id)
    if request.status == Status.RESOLVED:
        follow_up_begin_locked(request, actor=actor, now=now)
    follow_up = _pending(request, now)
    follow_up.attempts += 1
    follow_up.last_attempt_at = now
    attempts, limit = follow_up.attempts, settings_row.follow_up_max_attempts
    event_record(
        request=request,
        actor=actor,
        action=EventAction.FOLLOW_UP_ATTEMPT,
        note=note,
        data={"attempt": attempts, "of": limit},
        at=now,
    )
    if attempts >= limit:
        follow_up.state = FollowUp.State.UNREACHABLE
        follow_up.completed_at = now
        follow_up.save(update_fields=["attempts", "last_attempt_at", "state", "completed_at"])
        close_locked(
            request,
            actor=actor,
            now=now,
            note=unreachable_note(attempts),
            data={"unreachable": attempts},
        )
        return request
    calendar = configuration.calendar(request.community_id)
    follow_up.due_at = calendar.add(now, calendar.day_length)
    follow_up.save(update_fields=["attempts", "last_attempt_at", "due_at"])
    ServiceRequest.objects.filter(pk=request.pk).update(
        due_at=follow_up.due_at, due_soon_at=follow_up.due_at, updated_at=now
    )
    request.due_at = request.due_soon_at = follow_up.due_at
    return request


def unreachable_note(attempts: int) -> str:
    """The closing note of a request whose owner the follow-up calls never reached."""
    return _("Closed without a rating: the owner could not be reached after %(n)d calls.") % {
        "n": attempts
    }
