"""The SLA clock of a request: start, stop (met or missed), pause, resume, and the sweep.

DOMAIN.md §2 time limits, kept per community × kind × urgency in `SlaPolicy`. A clock's due time
and its warning points are computed once when it starts (or resumes), with core.calendar for
working-time targets; the sweep then only compares `next_check_at` with the time. The sweep
escalates each threshold of each clock once: the escalation row is unique per (clock,
threshold), written in the same transaction as the clock's move to its next threshold and the
outbox messages, so a worker killed half-way leaves either all of one escalation or none of it,
and running the sweep again never repeats one.
"""

import datetime
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core.calendar import (
    WorkingCalendar,
    deadline_after,
    deadline_before,
    resume_deadline,
)
from propdesk.core.outbox import message_enqueue
from propdesk.tickets import clock, configuration
from propdesk.tickets.models import (
    AWAITING_FOLLOW_UP,
    NO_DEADLINE,
    ClockState,
    Escalation,
    EventAction,
    FollowUp,
    ServiceRequest,
    SlaClock,
    SlaPolicy,
    Target,
    is_working_unit,
    target_length,
)
from propdesk.tickets.services._common import event_record

logger = logging.getLogger("propdesk.tickets.sla")

ALL_TARGETS = (Target.FIRST_RESPONSE, Target.ON_SITE, Target.RESOLUTION)
LIVE = (ClockState.RUNNING, ClockState.PAUSED)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    """Calendar arithmetic works in local time; stored and returned times are UTC."""
    return moment.astimezone(datetime.UTC)


def checkpoint(sla_clock: SlaClock, percent: int, calendar: WorkingCalendar) -> datetime.datetime:
    """When `percent` of the clock's target will have passed, counted back from its due time."""
    return _utc(_checkpoint(sla_clock, percent, calendar))


def _checkpoint(sla_clock, percent, calendar) -> datetime.datetime:
    length = datetime.timedelta(seconds=sla_clock.amount_seconds)
    if percent <= 100:
        return deadline_before(
            sla_clock.due_at,
            length * (100 - percent) / 100,
            working=sla_clock.working,
            calendar=calendar,
        )
    return deadline_after(
        sla_clock.due_at,
        length * (percent - 100) / 100,
        working=sla_clock.working,
        calendar=calendar,
    )


def _next_threshold(sla_clock: SlaClock, after: int) -> int | None:
    later = [p for p in sla_clock.thresholds if p > after]
    return min(later) if later else None


def clocks_start(
    *,
    request: ServiceRequest,
    policy: SlaPolicy | None,
    calendar: WorkingCalendar,
    at: datetime.datetime,
    targets=ALL_TARGETS,
    round_number: int = 1,
) -> list[SlaClock]:
    """Start a clock for each target the policy sets (not saved: the caller bulk-inserts)."""
    clocks = []
    if policy is None:
        return clocks
    thresholds = policy.thresholds()
    for target in targets:
        spec = policy.target(target)
        if spec is None:
            continue
        amount, unit = spec
        working = is_working_unit(unit)
        length = target_length(amount, unit, calendar.day_length)
        sla_clock = SlaClock(
            community_id=request.community_id,
            request=request,
            target=target,
            round=round_number,
            working=working,
            amount_seconds=int(length.total_seconds()),
            started_at=at,
            due_at=_utc(deadline_after(at, length, working=working, calendar=calendar)),
            thresholds=thresholds,
        )
        sla_clock.due_soon_at = _utc(
            deadline_before(
                sla_clock.due_at,
                length * policy.due_soon_percent_left / 100,
                working=working,
                calendar=calendar,
            )
        )
        sla_clock.next_threshold = thresholds[0] if thresholds else None
        sla_clock.next_check_at = (
            checkpoint(sla_clock, sla_clock.next_threshold, calendar)
            if sla_clock.next_threshold
            else None
        )
        clocks.append(sla_clock)
    return clocks


def clocks_stop(*, request: ServiceRequest, targets, at: datetime.datetime) -> dict[str, str]:
    """Stop the live clocks of `targets`: met when reached by the due time, missed otherwise."""
    outcomes = {}
    for sla_clock in SlaClock.objects.filter(request=request, target__in=targets, state__in=LIVE):
        state = stop_state(sla_clock, at)
        SlaClock.objects.filter(pk=sla_clock.pk).update(
            state=state, stopped_at=at, next_check_at=None, next_threshold=None, paused_at=None
        )
        outcomes[sla_clock.target] = state.value
    return outcomes


def stop_state(sla_clock: SlaClock, at: datetime.datetime) -> ClockState:
    """A clock stopped at `at` is met when reached by its due time, missed otherwise."""
    return ClockState.MET if at <= sla_clock.due_at else ClockState.BREACHED


def clocks_cancel(*, request: ServiceRequest, at: datetime.datetime) -> None:
    SlaClock.objects.filter(request=request, state__in=LIVE).update(
        state=ClockState.CANCELLED, stopped_at=at, next_check_at=None, next_threshold=None
    )


def clocks_pause(*, request: ServiceRequest, at: datetime.datetime) -> int:
    """The clock stands still while the request waits on the owner (DOMAIN.md §2)."""
    return SlaClock.objects.filter(request=request, state=ClockState.RUNNING).update(
        state=ClockState.PAUSED, paused_at=at, next_check_at=None
    )


def clocks_resume(
    *, request: ServiceRequest, at: datetime.datetime, calendar: WorkingCalendar
) -> list[SlaClock]:
    """Restart paused clocks with the time they had left, and re-plan their warning points."""
    resumed = []
    for sla_clock in SlaClock.objects.filter(request=request, state=ClockState.PAUSED):
        clock_resumed(sla_clock, at=at, calendar=calendar)
        sla_clock.save(
            update_fields=["due_at", "due_soon_at", "next_check_at", "state", "paused_at"]
        )
        resumed.append(sla_clock)
    return resumed


def clock_resumed(sla_clock: SlaClock, *, at: datetime.datetime, calendar: WorkingCalendar):
    """Set a paused clock running again (not saved): its due times moved on by the pause."""
    for name in ("due_at", "due_soon_at"):
        setattr(
            sla_clock,
            name,
            _utc(
                resume_deadline(
                    getattr(sla_clock, name),
                    paused_at=sla_clock.paused_at,
                    resumed_at=at,
                    working=sla_clock.working,
                    calendar=calendar,
                )
            ),
        )
    sla_clock.next_check_at = (
        checkpoint(sla_clock, sla_clock.next_threshold, calendar)
        if sla_clock.next_threshold
        else None
    )
    sla_clock.state = ClockState.RUNNING
    sla_clock.paused_at = None


def deadline_fields(
    request: ServiceRequest,
    clocks: list[SlaClock] | None = None,
    follow_ups: list[FollowUp] | None = None,
) -> dict:
    """The request's next deadline: its earliest live clock, or the follow-up call once resolved.

    `clocks` and `follow_ups`, when given, are the request's rows (saved or not) instead of a
    query."""
    if request.status in AWAITING_FOLLOW_UP:
        if follow_ups is None:
            follow_up = (
                FollowUp.objects.filter(request=request, state=FollowUp.State.PENDING)
                .order_by("-round")
                .first()
            )
        else:
            pending = [f for f in follow_ups if f.state == FollowUp.State.PENDING]
            follow_up = max(pending, key=lambda f: f.round, default=None)
        due = follow_up.due_at if follow_up else NO_DEADLINE
        return {"due_at": due, "due_soon_at": due}
    if clocks is None:
        clocks = list(SlaClock.objects.filter(request=request, state__in=LIVE))
    live = [c for c in clocks if c.state in LIVE]
    if not live or not request.is_open:
        return {"due_at": NO_DEADLINE, "due_soon_at": NO_DEADLINE}
    first = min(live, key=lambda c: (c.due_at, c.id or 0))
    return {"due_at": first.due_at, "due_soon_at": min(c.due_soon_at for c in live)}


def promised_at(request: ServiceRequest) -> datetime.datetime | None:
    """When the owner was promised the outcome: the current resolution clock's due time."""
    resolution = (
        SlaClock.objects.filter(request=request, target=Target.RESOLUTION)
        .order_by("-round")
        .values_list("due_at", flat=True)
        .first()
    )
    return resolution


# --- the sweep --------------------------------------------------------------------------------


def sla_sweep(*, limit: int = 500) -> int:
    """Escalate every clock whose next threshold has come; return how many escalations fired.

    Each clock is handled in its own transaction (`clock_escalate`): what a killed worker had
    committed stays done, what it had not is done by the next run, and nothing is done twice.
    """
    now = clock.now()
    clock_ids = list(
        SlaClock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    fired = 0
    for clock_id in clock_ids:
        try:
            fired += clock_escalate(clock_id=clock_id)
        except Exception:  # one bad clock must not stop the sweep; it is retried next minute
            logger.exception("escalating SLA clock %s failed", clock_id)
    return fired


@transaction.atomic
def clock_escalate(*, clock_id: int) -> int:
    """Fire the thresholds of one clock that have come, each once; return how many fired. A clock
    another sweep holds is skipped (SKIP LOCKED): that sweep fires its thresholds."""
    now = clock.now()
    sla_clock = SlaClock.objects.select_for_update(skip_locked=True).filter(pk=clock_id).first()
    if (
        sla_clock is None
        or sla_clock.state != ClockState.RUNNING
        or sla_clock.next_check_at is None
        or sla_clock.next_check_at > now
    ):
        return 0
    request = ServiceRequest.objects.select_related("community").get(pk=sla_clock.request_id)
    calendar = configuration.calendar(request.community_id)
    fired = 0
    level = request.escalation_level
    while sla_clock.next_threshold is not None and sla_clock.next_check_at <= now:
        percent = sla_clock.next_threshold
        escalation, created = Escalation.objects.get_or_create(
            clock=sla_clock,
            percent=percent,
            defaults={"community_id": request.community_id, "request": request, "at": now},
        )
        if created:
            fired += 1
            level = max(level, percent)
            event = event_record(
                request=request,
                actor=None,
                action=EventAction.ESCALATED,
                note=_escalation_text(request, sla_clock, percent),
                data={
                    "target": sla_clock.target,
                    "percent": percent,
                    "due_at": sla_clock.due_at.isoformat(),
                },
                at=now,
            )
            escalation.notified = _notify_supervisors(request, sla_clock, percent, event)
            escalation.save(update_fields=["notified"])
        sla_clock.next_threshold = _next_threshold(sla_clock, percent)
        sla_clock.next_check_at = (
            checkpoint(sla_clock, sla_clock.next_threshold, calendar)
            if sla_clock.next_threshold
            else None
        )
    sla_clock.save(update_fields=["next_threshold", "next_check_at"])
    if level > request.escalation_level:
        ServiceRequest.objects.filter(pk=request.pk, escalation_level__lt=level).update(
            escalation_level=level
        )
    return fired


def _escalation_text(request: ServiceRequest, sla_clock: SlaClock, percent: int) -> str:
    target = Target(sla_clock.target).label
    if percent >= 100:
        return _("%(target)s limit of %(number)s passed (%(percent)s %%).") % {
            "target": target,
            "number": request.number,
            "percent": percent,
        }
    return _("%(percent)s %% of the %(target)s time of %(number)s has passed.") % {
        "target": target,
        "number": request.number,
        "percent": percent,
    }


def supervisors_of(community_id: int):
    """Who is warned of a request running late: those who supervise requests (the request
    rules' holders) working in the community."""
    from propdesk.accounts.models import User
    from propdesk.core.permissions import Perm, holders_q

    return User.objects.filter(
        holders_q(Perm.REQUEST_CONFIGURE), communities__id=community_id
    ).order_by("id")


def _notify_supervisors(request, sla_clock, percent, event) -> int:
    if clock.is_quiet():
        return 0
    told = 0
    for supervisor in supervisors_of(request.community_id):
        message_enqueue(
            channel="in_app",
            recipient=supervisor.username,
            recipient_user=supervisor,
            event="request.escalated",
            subject=_("Escalation: %(number)s") % {"number": request.number},
            body=event.note,
            dedupe_key=f"escalation:{sla_clock.pk}:{percent}:{supervisor.pk}",
            community_id=request.community_id,
        )
        told += 1
    return told


def sla_state_of_clock(sla_clock: SlaClock, now: datetime.datetime) -> str:
    if sla_clock.state != ClockState.RUNNING:
        return sla_clock.state
    if now >= sla_clock.due_at:
        return "overdue"
    if now >= sla_clock.due_soon_at:
        return "due_soon"
    return "on_time"
