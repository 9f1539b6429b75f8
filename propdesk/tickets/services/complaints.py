"""The complaint procedure (seeds 000 二(3), 002 二–四; DOMAIN.md §2).

Before a complaint is passed on, the desk may verify it (初步核实) with a note, and mark it a
simple complaint, which the simple-complaint policy times (24 h by default) instead of the
3-working-day default. A solution is proposed to the owner and their agreement (by phone, in
person or in the portal) is recorded before the work starts: the same way of answering as a
repair cost (services.work), and the start of work waits for it (services.transitions).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core.errors import Conflict, ValidationFailed
from propdesk.core.permissions import Perm
from propdesk.tickets import clock, configuration, error_codes
from propdesk.tickets.models import (
    OPEN_STATUSES,
    ClockState,
    EventAction,
    RequestSolution,
    ServiceRequest,
    SlaClock,
    Status,
    Target,
)
from propdesk.tickets.services import notify, sla
from propdesk.tickets.services._common import (
    answer_check,
    clean_note,
    event_record,
    lock_request,
    require_on_request,
)

COMPLAINT = "complaint"
# Verified before it is passed on: while the desk still holds it.
VERIFIABLE = frozenset({Status.NEW, Status.ACCEPTED})


def _require_complaint(request: ServiceRequest) -> None:
    if request.kind.code != COMPLAINT:
        raise Conflict(
            _("Only a complaint goes through this step."),
            code=error_codes.NOT_A_COMPLAINT,
            field="kind",
        )


def _strict_bool(field: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(_("Answer yes or no."), field=field)
    return value


def _simple_policy_applies(request: ServiceRequest, now) -> dict:
    """Re-time the complaint by the simple-complaint policy, from when it was received: the
    live resolution clock is cancelled and a new round starts. Returns the changed fields."""
    policy = configuration.policy_for(
        community_id=request.community_id,
        kind_id=request.kind_id,
        urgency_id=request.urgency_id,
        category_id=request.category_id,
        simple=True,
    )
    if policy is None or not policy.simple or policy.pk == request.sla_policy_id:
        return {}
    last_round = (
        SlaClock.objects.filter(request=request, target=Target.RESOLUTION)
        .order_by("-round")
        .values_list("round", flat=True)
        .first()
        or 0
    )
    SlaClock.objects.filter(request=request, target=Target.RESOLUTION, state__in=sla.LIVE).update(
        state=ClockState.CANCELLED, stopped_at=now, next_check_at=None, next_threshold=None
    )
    clocks = sla.clocks_start(
        request=request,
        policy=policy,
        calendar=configuration.calendar(request.community_id),
        at=request.created_at,
        targets=[Target.RESOLUTION],
        round_number=last_round + 1,
    )
    SlaClock.objects.bulk_create(clocks)
    fields = {"sla_policy": policy}
    if clocks:
        fields["promised_at"] = clocks[0].due_at
    return fields


@transaction.atomic
def complaint_verify(
    *, actor, request: ServiceRequest, note: str, simple: bool = False
) -> ServiceRequest:
    """Record the desk's first check of a complaint (初步核实) before it is passed on."""
    request = lock_request(request)
    require_on_request(actor, Perm.REQUEST_DISPATCH, request)
    _require_complaint(request)
    if request.status not in VERIFIABLE:
        raise Conflict(
            _("A complaint is verified before it is passed on; this one is “%(status)s”.")
            % {"status": request.get_status_display()},
            code=error_codes.ILLEGAL_TRANSITION,
            field="status",
        )
    if request.verified_at is not None:
        raise Conflict(
            _("This complaint has already been verified."),
            code=error_codes.ALREADY_VERIFIED,
            field="note",
        )
    note = clean_note("note", note, max_length=1000, required=True)
    simple = _strict_bool("simple", simple)
    now = clock.now()
    fields = {"verified_at": now, "updated_at": now}
    if simple:
        fields["simple_complaint"] = True
        fields.update(_simple_policy_applies(request, now))
    for name, value in fields.items():
        setattr(request, name, value)
    for name, value in sla.deadline_fields(request).items():
        setattr(request, name, value)
        fields[name] = value
    request.save(update_fields=list(fields))
    data = {"simple": simple}
    if "promised_at" in fields:
        data["promised_at"] = fields["promised_at"].isoformat()
    event_record(
        request=request, actor=actor, action=EventAction.VERIFIED, note=note, data=data, at=now
    )
    return request


@transaction.atomic
def solution_propose(*, actor, request: ServiceRequest, text: str) -> RequestSolution:
    """Put a solution to the owner (协商解决); the work waits for their agreement."""
    request = lock_request(request)
    require_on_request(actor, Perm.REQUEST_WORK, request)
    _require_complaint(request)
    if request.status not in OPEN_STATUSES:
        raise Conflict(
            _("A solution is agreed while the complaint is open."),
            code=error_codes.REQUEST_NOT_OPEN,
            field="status",
        )
    if RequestSolution.objects.filter(
        request=request, state=RequestSolution.State.PROPOSED
    ).exists():
        raise Conflict(
            _("The owner has not yet answered the solution already proposed."),
            code=error_codes.SOLUTION_PENDING,
            field="text",
        )
    text = clean_note("text", text, max_length=1000, required=True)
    now = clock.now()
    solution = RequestSolution.objects.create(
        community_id=request.community_id,
        request=request,
        text=text,
        proposed_by=actor,
        proposed_at=now,
    )
    event = event_record(
        request=request,
        actor=actor,
        action=EventAction.SOLUTION_PROPOSED,
        note=text,
        data={"solution": solution.pk},
        at=now,
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now)
    notify.owner_notify(
        request=request,
        event=event,
        extra=_("Proposed solution: %(text)s Please tell us whether you agree.") % {"text": text},
    )
    return solution


@transaction.atomic
def solution_decide(
    *, actor, solution: RequestSolution, agreed: bool, via: str = "phone", note: str = ""
) -> RequestSolution:
    """Record the owner's answer to a proposed solution: by the desk, or in the portal."""
    request = lock_request(solution.request)
    answer_check(actor, request, via)
    agreed = _strict_bool("agreed", agreed)
    solution = RequestSolution.objects.select_for_update().get(pk=solution.pk)
    if solution.state != RequestSolution.State.PROPOSED:
        raise Conflict(
            _("This solution has already been answered."),
            code=error_codes.SOLUTION_DECIDED,
            field="solution",
        )
    note = clean_note("note", note, max_length=300)
    now = clock.now()
    solution.state = RequestSolution.State.AGREED if agreed else RequestSolution.State.DECLINED
    solution.decided_at = now
    solution.decided_via = via
    solution.decided_by = actor
    solution.answer_note = note
    solution.save(update_fields=["state", "decided_at", "decided_via", "decided_by", "answer_note"])
    event_record(
        request=request,
        actor=actor,
        action=EventAction.SOLUTION_DECIDED,
        note=note or solution.text,
        data={"solution": solution.pk, "state": solution.state, "via": via},
        at=now,
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return solution


def solution_blocks_work(request: ServiceRequest) -> bool:
    """Whether the work must wait: the latest solution put to the owner is not agreed."""
    latest = (
        RequestSolution.objects.filter(request=request)
        .order_by("-proposed_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
    return latest is not None and latest != RequestSolution.State.AGREED
