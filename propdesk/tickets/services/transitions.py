"""Moving a request through its lifecycle (tickets.workflow), one service per step.

Each step locks the request, checks the role and the transition table, changes the status and
the timestamps, stops, pauses or restarts the SLA clocks, writes the timeline event (who, when,
from → to, note) and queues the owner's message — in one transaction (DOMAIN.md §2).
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.accounts.models import Department, User
from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm, has_perm
from propdesk.tickets import clock, configuration, error_codes
from propdesk.tickets.models import (
    OPEN_STATUSES,
    EventAction,
    FollowUp,
    OwnerCost,
    RequestDepartment,
    RequestEvent,
    ServiceRequest,
    SlaClock,
    Status,
    Target,
)
from propdesk.tickets.services import notify, sla
from propdesk.tickets.services._common import (
    clean_note,
    event_record,
    is_house_person,
    lock_request,
    require_on_request,
)
from propdesk.tickets.services.complaints import solution_blocks_work
from propdesk.tickets.services.photos import photos_attach, photos_check
from propdesk.tickets.services.routing import assignee_check, assignee_next
from propdesk.tickets.workflow import STEPS, Step, step_for

ACTION_EVENTS = {
    "accept": EventAction.ACCEPTED,
    "dispatch": EventAction.DISPATCHED,
    "reassign": EventAction.REASSIGNED,
    "start": EventAction.STARTED,
    "wait": EventAction.PAUSED,
    "resume": EventAction.RESUMED,
    "resolve": EventAction.RESOLVED,
    "follow_up": EventAction.FOLLOW_UP,
    "close": EventAction.CLOSED,
    "reopen": EventAction.REOPENED,
    "cancel": EventAction.CANCELLED,
}


def _begin(
    actor, request: ServiceRequest, action: str, note, *, sources=None
) -> tuple[ServiceRequest, Step, str]:
    """Lock, check the role and the table; return the fresh request, the step and the note.

    `sources` (the owner's own steps) replaces the role check by the narrower statuses given.
    """
    step = step_for(action)
    request = lock_request(request)
    if sources is None:
        require_on_request(actor, step.perm, request)
    if request.status not in (step.sources if sources is None else sources):
        raise Conflict(
            _("A request that is “%(status)s” cannot be taken to “%(action)s”.")
            % {"status": request.get_status_display(), "action": step.label},
            code=error_codes.ILLEGAL_TRANSITION,
            field="status",
        )
    field = "reason" if action in ("cancel", "reopen") else "note"
    note = clean_note(field, note, required=step.note_required)
    return request, step, note


def _finish(
    request: ServiceRequest,
    *,
    actor,
    action: str,
    from_status: str,
    note: str,
    now: datetime.datetime,
    fields: dict,
    data: dict | None = None,
    clocks: list[SlaClock] | None = None,
) -> RequestEvent:
    """Save the changed fields with the status, openness and next deadline; write the event."""
    step = STEPS[action]
    if step.target is not None:
        fields["status"] = step.target
    for name, value in fields.items():
        setattr(request, name, value)
    request.is_open = request.status in OPEN_STATUSES
    request.updated_at = now
    for name, value in sla.deadline_fields(request, clocks).items():
        setattr(request, name, value)
    request.save(update_fields=[*fields, "is_open", "updated_at", "due_at", "due_soon_at"])
    return event_record(
        request=request,
        actor=actor,
        action=ACTION_EVENTS[action],
        from_status=from_status,
        to_status=request.status,
        note=note,
        data=data or {},
        at=now,
    )


@transaction.atomic
def request_accept(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """The desk takes the request on: the first response (DOMAIN.md §2 time limits)."""
    request, _step, note = _begin(actor, request, "accept", note)
    now = clock.now()
    outcomes = sla.clocks_stop(request=request, targets=[Target.FIRST_RESPONSE], at=now)
    _finish(
        request,
        actor=actor,
        action="accept",
        from_status=request.status,
        note=note,
        now=now,
        fields={"accepted_at": now},
        data={"sla": outcomes},
    )
    return request


def _choose_assignee(
    *, request: ServiceRequest, department: Department, assignee: User | None, round_robin: bool
) -> User | None:
    if assignee is not None:
        assignee_check(assignee=assignee, community_id=request.community_id, department=department)
        return assignee
    if round_robin:
        return assignee_next(community_id=request.community_id, department=department)
    return None


def _set_lead(request: ServiceRequest, department: Department) -> None:
    RequestDepartment.objects.filter(request=request).exclude(department=department).update(
        is_lead=False
    )
    _row, created = RequestDepartment.objects.get_or_create(
        request=request,
        department=department,
        defaults={"community_id": request.community_id, "is_lead": True},
    )
    if not created:
        RequestDepartment.objects.filter(request=request, department=department).update(
            is_lead=True
        )


def _department_and_assignee(request, department, assignee, round_robin):
    """The department taking the work (the one asked for, else the request's) and the person
    chosen or next in turn: what dispatching and reassigning both decide."""
    department = department or request.department
    if department is None:
        raise ValidationFailed(
            _("Choose the department that handles it."),
            code=error_codes.DEPARTMENT_REQUIRED,
            field="department",
        )
    chosen = _choose_assignee(
        request=request, department=department, assignee=assignee, round_robin=round_robin
    )
    return department, chosen


@transaction.atomic
def request_dispatch(
    *,
    actor,
    request: ServiceRequest,
    department: Department | None = None,
    assignee: User | None = None,
    round_robin: bool = False,
    note: str = "",
) -> ServiceRequest:
    """Send the work to a department, and to a person chosen or next in turn (DOMAIN.md §2)."""
    request, _step, note = _begin(actor, request, "dispatch", note)
    department, chosen = _department_and_assignee(request, department, assignee, round_robin)
    now = clock.now()
    from_status = request.status
    fields = {"department": department, "assignee": chosen, "dispatched_at": now}
    outcomes = {}
    if request.accepted_at is None:
        fields["accepted_at"] = now
        outcomes = sla.clocks_stop(request=request, targets=[Target.FIRST_RESPONSE], at=now)
    _set_lead(request, department)
    event = _finish(
        request,
        actor=actor,
        action="dispatch",
        from_status=from_status,
        note=note,
        now=now,
        fields=fields,
        data={
            "department": department.code,
            "assignee": chosen.username if chosen else None,
            "round_robin": bool(round_robin and assignee is None),
            "sla": outcomes,
        },
    )
    notify.owner_notify(request=request, event=event)
    notify.assignee_notify(request=request, event=event)
    return request


@transaction.atomic
def request_reassign(
    *,
    actor,
    request: ServiceRequest,
    department: Department | None = None,
    assignee: User | None = None,
    round_robin: bool = False,
    note: str = "",
) -> ServiceRequest:
    """Give dispatched work to another person or department; the status stays."""
    request, _step, note = _begin(actor, request, "reassign", note)
    department, chosen = _department_and_assignee(request, department, assignee, round_robin)
    now = clock.now()
    _set_lead(request, department)
    event = _finish(
        request,
        actor=actor,
        action="reassign",
        from_status=request.status,
        note=note,
        now=now,
        fields={"department": department, "assignee": chosen},
        data={"department": department.code, "assignee": chosen.username if chosen else None},
    )
    notify.assignee_notify(request=request, event=event)
    return request


@transaction.atomic
def request_start(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """Work starts on site: the on-site target is reached. Costs falling on the owner must have
    been confirmed first, and a complaint's proposed solution agreed (DOMAIN.md §2)."""
    request, _step, note = _begin(actor, request, "start", note)
    if OwnerCost.objects.filter(request=request, state=OwnerCost.State.PROPOSED).exists():
        raise Conflict(
            _("The owner has not yet confirmed the costs; work starts after they have."),
            code=error_codes.COSTS_UNCONFIRMED,
            field="costs",
        )
    if solution_blocks_work(request):
        raise Conflict(
            _("The owner has not agreed to the proposed solution; work starts after they have."),
            code=error_codes.SOLUTION_NOT_AGREED,
            field="solution",
        )
    now = clock.now()
    outcomes = sla.clocks_stop(request=request, targets=[Target.ON_SITE], at=now)
    event = _finish(
        request,
        actor=actor,
        action="start",
        from_status=request.status,
        note=note,
        now=now,
        fields={"on_site_at": request.on_site_at or now},
        data={"sla": outcomes},
    )
    notify.owner_notify(request=request, event=event)
    return request


@transaction.atomic
def request_wait(*, actor, request: ServiceRequest, note: str) -> ServiceRequest:
    """Waiting on the owner (access, a decision, parts they buy): the clock stands still."""
    request, _step, note = _begin(actor, request, "wait", note)
    now = clock.now()
    sla.clocks_pause(request=request, at=now)
    event = _finish(
        request,
        actor=actor,
        action="wait",
        from_status=request.status,
        note=note,
        now=now,
        fields={},
    )
    notify.owner_notify(request=request, event=event, extra=note)
    return request


@transaction.atomic
def request_resume(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    """The owner answered: the clock runs again with the time it had left."""
    request, _step, note = _begin(actor, request, "resume", note)
    now = clock.now()
    resumed = sla.clocks_resume(
        request=request, at=now, calendar=configuration.calendar(request.community_id)
    )
    fields = {}
    for sla_clock in resumed:
        if sla_clock.target == Target.RESOLUTION:
            fields["promised_at"] = sla_clock.due_at
    event = _finish(
        request,
        actor=actor,
        action="resume",
        from_status=request.status,
        note=note,
        now=now,
        fields=fields,
        data={"due": {c.target: c.due_at.isoformat() for c in resumed}},
    )
    notify.owner_notify(request=request, event=event)
    return request


def _costs_text(request: ServiceRequest) -> str:
    costs = list(
        OwnerCost.objects.filter(request=request, state=OwnerCost.State.CONFIRMED).order_by("id")
    )
    if not costs:
        return ""
    items = "；".join(f"{cost.item} {cost.amount} 元" for cost in costs)
    return _("Costs: %(items)s.") % {"items": items}


@transaction.atomic
def request_resolve(*, actor, request: ServiceRequest, note: str, photos=()) -> ServiceRequest:
    """The work is done: the time limits are recorded met or missed, a follow-up call is due."""
    request, _step, note = _begin(actor, request, "resolve", note)
    checked = photos_check(photos)
    now = clock.now()
    outcomes = sla.clocks_stop(request=request, targets=list(Target.values), at=now)
    settings_row = configuration.settings_for(request.community_id)
    rounds = FollowUp.objects.filter(request=request).count()
    FollowUp.objects.create(
        community_id=request.community_id,
        request=request,
        round=rounds + 1,
        due_at=now + datetime.timedelta(hours=settings_row.follow_up_after_hours),
    )
    fields = {"resolved_at": now}
    if request.accepted_at is None:
        fields["accepted_at"] = now
    event = _finish(
        request,
        actor=actor,
        action="resolve",
        from_status=request.status,
        note=note,
        now=now,
        fields=fields,
        data={"sla": outcomes},
    )
    photos_attach(request=request, event=event, checked=checked, actor=actor, at=now)
    with_costs = _costs_text(request)
    notify.owner_notify(request=request, event=event, extra=with_costs)
    return request


@transaction.atomic
def request_follow_up_begin(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    request, _step, note = _begin(actor, request, "follow_up", note)
    follow_up_begin_locked(request, actor=actor, now=clock.now(), note=note)
    return request


def follow_up_begin_locked(request: ServiceRequest, *, actor, now, note: str = "") -> None:
    _finish(
        request,
        actor=actor,
        action="follow_up",
        from_status=request.status,
        note=note,
        now=now,
        fields={},
    )


@transaction.atomic
def request_close(*, actor, request: ServiceRequest, note: str = "") -> ServiceRequest:
    request, _step, note = _begin(actor, request, "close", note)
    close_locked(request, actor=actor, now=clock.now(), note=note)
    return request


def close_locked(request: ServiceRequest, *, actor, now, note: str, data=None) -> None:
    FollowUp.objects.filter(request=request, state=FollowUp.State.PENDING).update(
        state=FollowUp.State.CANCELLED, completed_at=now
    )
    event = _finish(
        request,
        actor=actor,
        action="close",
        from_status=request.status,
        note=note,
        now=now,
        fields={"closed_at": now},
        data=data,
    )
    notify.owner_notify(request=request, event=event)


@transaction.atomic
def request_reopen(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    """The owner is not satisfied: back to the department, counted, with a new resolution time."""
    request, _step, reason = _begin(actor, request, "reopen", reason)
    reopen_locked(request, actor=actor, now=clock.now(), reason=reason)
    return request


def reopen_fields(request: ServiceRequest, *, at, clocks: list) -> dict:
    """What a reopening sets on the request: a new round, dispatched again, its new promise."""
    fields = {
        "reopen_count": request.reopen_count + 1,
        "resolved_at": None,
        "closed_at": None,
        "dispatched_at": at,
        "escalation_level": 0,
    }
    if clocks:
        fields["promised_at"] = clocks[0].due_at
    return fields


def reopen_locked(request: ServiceRequest, *, actor, now, reason: str, data=None) -> None:
    FollowUp.objects.filter(request=request, state=FollowUp.State.PENDING).update(
        state=FollowUp.State.CANCELLED, completed_at=now
    )
    calendar = configuration.calendar(request.community_id)
    last_round = (
        SlaClock.objects.filter(request=request, target=Target.RESOLUTION)
        .order_by("-round")
        .values_list("round", flat=True)
        .first()
        or 0
    )
    clocks = sla.clocks_start(
        request=request,
        policy=request.sla_policy,
        calendar=calendar,
        at=now,
        targets=[Target.RESOLUTION],
        round_number=last_round + 1,
    )
    SlaClock.objects.bulk_create(clocks)
    fields = reopen_fields(request, at=now, clocks=clocks)
    event = _finish(
        request,
        actor=actor,
        action="reopen",
        from_status=request.status,
        note=reason,
        now=now,
        fields=fields,
        data={**(data or {}), "round": last_round + 1},
        clocks=clocks,
    )
    notify.owner_notify(request=request, event=event)
    notify.assignee_notify(request=request, event=event)


# The owner withdraws a request in the portal only before work has started on site.
OWNER_CANCELLABLE = frozenset({Status.NEW, Status.ACCEPTED, Status.DISPATCHED})


@transaction.atomic
def request_cancel(*, actor, request: ServiceRequest, reason: str, via: str = "") -> ServiceRequest:
    """Cancel an open request, with the reason (a duplicate, withdrawn, not ours to handle).

    `via="portal"`: the owner (or someone living in the house) withdraws their own request,
    which they may do until work starts on site."""
    sources = None
    if via == "portal" and not has_perm(actor, Perm.REQUEST_CANCEL):
        if not is_house_person(actor, request):
            require_on_request(actor, Perm.REQUEST_CANCEL, request)
        sources = OWNER_CANCELLABLE
    request, _step, reason = _begin(actor, request, "cancel", reason, sources=sources)
    now = clock.now()
    sla.clocks_cancel(request=request, at=now)
    FollowUp.objects.filter(request=request, state=FollowUp.State.PENDING).update(
        state=FollowUp.State.CANCELLED, completed_at=now
    )
    event = _finish(
        request,
        actor=actor,
        action="cancel",
        from_status=request.status,
        note=reason,
        now=now,
        fields={"cancel_reason": reason[:200], "closed_at": now},
    )
    notify.owner_notify(request=request, event=event)
    return request


SIMPLE_STEPS = {
    "accept": request_accept,
    "start": request_start,
    "wait": request_wait,
    "resume": request_resume,
    "follow_up": request_follow_up_begin,
    "close": request_close,
}


def request_transition(
    *, actor, request: ServiceRequest, action: str, note: str = "", **details
) -> ServiceRequest:
    """Take any step by name (the API's and the workbench's single entry point)."""
    step_for(action)
    if action in SIMPLE_STEPS:
        return SIMPLE_STEPS[action](actor=actor, request=request, note=note)
    if action == "dispatch":
        return request_dispatch(actor=actor, request=request, note=note, **details)
    if action == "reassign":
        return request_reassign(actor=actor, request=request, note=note, **details)
    if action == "resolve":
        return request_resolve(actor=actor, request=request, note=note, **details)
    if action == "reopen":
        return request_reopen(actor=actor, request=request, reason=note)
    return request_cancel(actor=actor, request=request, reason=note)
