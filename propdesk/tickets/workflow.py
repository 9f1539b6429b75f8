"""The one transition table of a service request (DOMAIN.md §2), and who may take each step.

    new → accepted → dispatched → in progress ⇄ waiting on owner (clock paused) → resolved
        → follow-up → closed;  follow-up → dispatched (reopen);  any open status → cancelled

Services look the step up here, pages and the API ask `allowed_actions` which buttons to show;
nothing else compares statuses to decide what may happen next.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm
from propdesk.tickets import error_codes
from propdesk.tickets.models import OPEN_STATUSES, ServiceRequest, Status


@dataclass(frozen=True)
class Step:
    action: str
    sources: frozenset
    target: str | None  # None: the status stays (reassigning)
    perm: Perm
    label: Promise
    note_required: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(
            "accept", frozenset({Status.NEW}), Status.ACCEPTED, Perm.REQUEST_DISPATCH, _("Accept")
        ),
        Step(
            "dispatch",
            frozenset({Status.NEW, Status.ACCEPTED}),
            Status.DISPATCHED,
            Perm.REQUEST_DISPATCH,
            _("Dispatch"),
        ),
        Step(
            "reassign",
            frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.WAITING_OWNER}),
            None,
            Perm.REQUEST_DISPATCH,
            _("Reassign"),
        ),
        Step(
            "start",
            frozenset({Status.DISPATCHED}),
            Status.IN_PROGRESS,
            Perm.REQUEST_WORK,
            _("Start work on site"),
        ),
        Step(
            "wait",
            frozenset({Status.IN_PROGRESS}),
            Status.WAITING_OWNER,
            Perm.REQUEST_WORK,
            _("Wait on the owner"),
            note_required=True,
        ),
        Step(
            "resume",
            frozenset({Status.WAITING_OWNER}),
            Status.IN_PROGRESS,
            Perm.REQUEST_WORK,
            _("Resume work"),
        ),
        Step(
            "resolve",
            frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
            Status.RESOLVED,
            Perm.REQUEST_WORK,
            _("Resolve"),
            note_required=True,
        ),
        Step(
            "follow_up",
            frozenset({Status.RESOLVED}),
            Status.FOLLOW_UP,
            Perm.REQUEST_FOLLOW_UP,
            _("Begin the follow-up call"),
        ),
        Step(
            "close",
            frozenset({Status.FOLLOW_UP}),
            Status.CLOSED,
            Perm.REQUEST_FOLLOW_UP,
            _("Close"),
        ),
        Step(
            "reopen",
            frozenset({Status.FOLLOW_UP}),
            Status.DISPATCHED,
            Perm.REQUEST_FOLLOW_UP,
            _("Reopen"),
            note_required=True,
        ),
        Step(
            "cancel",
            frozenset(OPEN_STATUSES),
            Status.CANCELLED,
            Perm.REQUEST_CANCEL,
            _("Cancel"),
            note_required=True,
        ),
    )
}


def step_for(action: str) -> Step:
    from propdesk.core.errors import ValidationFailed

    step = STEPS.get(action)
    if step is None:
        raise ValidationFailed(
            _("Unknown action: choose one of %(actions)s.") % {"actions": ", ".join(STEPS)},
            code=error_codes.UNKNOWN_ACTION,
            field="action",
        )
    return step


def may_take(user, step: Step, request: ServiceRequest) -> bool:
    """Whether `user` may take `step` on `request` now (status and role), without raising."""
    from propdesk.tickets.services._common import require_on_request

    if request.status not in step.sources:
        return False
    try:
        require_on_request(user, step.perm, request)
    except AppError:
        return False
    return True


def allowed_actions(user, request: ServiceRequest) -> list[Step]:
    return [step for step in STEPS.values() if may_take(user, step, request)]
