"""The transition table × roles: every step allowed where the table and the policy say, refused
everywhere else with nothing changed (DOMAIN.md §2 lifecycle)."""

import pytest

from propdesk.core.errors import Conflict, PermissionDenied
from propdesk.tickets import services
from propdesk.tickets.models import EventAction, Status
from propdesk.tickets.tests.conftest import snapshot
from propdesk.tickets.workflow import STEPS, allowed_actions

ROLES = [
    "agent",
    "supervisor",
    "technician",
    "tech2",
    "cashier",
    "guard",
    "admin",
    "owner_user",
    "other_agent",
]
DESK = {"agent", "supervisor", "admin"}
# Work steps: the desk, and the technician the request is assigned to (not his colleague).
ALLOWED = {
    "accept": DESK,
    "dispatch": DESK,
    "reassign": DESK,
    "start": DESK | {"technician"},
    "wait": DESK | {"technician"},
    "resume": DESK | {"technician"},
    "resolve": DESK | {"technician"},
    "follow_up": DESK,
    "close": DESK,
    "reopen": DESK,
    "cancel": DESK,
}
# The status each step is tried from, and the status it leads to.
FROM_STATUS = {
    "accept": Status.NEW,
    "dispatch": Status.ACCEPTED,
    "reassign": Status.DISPATCHED,
    "start": Status.DISPATCHED,
    "wait": Status.IN_PROGRESS,
    "resume": Status.WAITING_OWNER,
    "resolve": Status.IN_PROGRESS,
    "follow_up": Status.RESOLVED,
    "close": Status.FOLLOW_UP,
    "reopen": Status.FOLLOW_UP,
    "cancel": Status.DISPATCHED,
}


def drive(desk, request, status: str):
    """Take a new request to `status` by the ordinary path, assigned to the technician."""
    admin = desk.admin
    path = {
        Status.NEW: [],
        Status.ACCEPTED: ["accept"],
        Status.DISPATCHED: ["accept", "dispatch"],
        Status.IN_PROGRESS: ["accept", "dispatch", "start"],
        Status.WAITING_OWNER: ["accept", "dispatch", "start", "wait"],
        Status.RESOLVED: ["accept", "dispatch", "start", "resolve"],
        Status.FOLLOW_UP: ["accept", "dispatch", "start", "resolve", "follow_up"],
        Status.CLOSED: ["accept", "dispatch", "start", "resolve", "follow_up", "close"],
        Status.CANCELLED: ["cancel"],
    }[status]
    for action in path:
        details = {"assignee": desk.technician} if action == "dispatch" else {}
        request = services.request_transition(
            actor=admin, request=request, action=action, note="步骤说明", **details
        )
    assert request.status == status
    return request


def _details(desk, action):
    if action in ("dispatch", "reassign"):
        return {"assignee": desk.technician}
    return {}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(STEPS))
def test_each_step_by_each_role(desk, make_request, action, role):
    request = drive(desk, make_request(), FROM_STATUS[action])
    actor = getattr(desk, role)
    step = STEPS[action]
    if role in ALLOWED[action]:
        done = services.request_transition(
            actor=actor, request=request, action=action, note="理由", **_details(desk, action)
        )
        done.refresh_from_db()
        assert done.status == (step.target or FROM_STATUS[action])
        last = done.events.order_by("-id").first()
        assert (last.actor, last.from_status, last.to_status) == (
            actor,
            FROM_STATUS[action],
            done.status,
        )
        assert (step in allowed_actions(actor, request)) is True
    else:
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.request_transition(
                actor=actor, request=request, action=action, note="理由", **_details(desk, action)
            )
        assert snapshot() == before
        assert step not in allowed_actions(actor, request)


@pytest.mark.parametrize("status", list(Status))
def test_steps_outside_the_table_are_refused_with_nothing_changed(desk, make_request, status):
    request = drive(desk, make_request(), status)
    illegal = [action for action, step in STEPS.items() if status not in step.sources]
    assert illegal
    for action in illegal:
        before = snapshot()
        with pytest.raises(Conflict) as caught:
            services.request_transition(
                actor=desk.admin,
                request=request,
                action=action,
                note="理由",
                **_details(desk, action),
            )
        assert (caught.value.code, caught.value.field) == ("illegal_transition", "status")
        assert snapshot() == before, action


def test_the_allowed_actions_follow_the_status(desk, make_request):
    request = make_request()
    assert [s.action for s in allowed_actions(desk.agent, request)] == [
        "accept",
        "dispatch",
        "cancel",
    ]
    request = drive(desk, request, Status.IN_PROGRESS)
    assert [s.action for s in allowed_actions(desk.technician, request)] == ["wait", "resolve"]
    assert allowed_actions(desk.tech2, request) == []
    assert allowed_actions(desk.cashier, request) == []


def test_a_technician_may_work_an_unassigned_request_of_his_department(desk, make_request):
    request = drive(desk, make_request(), Status.ACCEPTED)
    request = services.request_dispatch(actor=desk.agent, request=request)  # no person yet
    assert (request.department.code, request.assignee) == ("engineering", None)

    started = services.request_start(actor=desk.tech2, request=request)

    assert started.status == Status.IN_PROGRESS


def test_cancel_and_reopen_and_wait_need_a_reason(desk, make_request):
    from propdesk.core.errors import ValidationFailed

    request = make_request()
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.request_cancel(actor=desk.agent, request=request, reason="  ")
    assert caught.value.field == "reason"
    assert snapshot() == before


def test_the_full_lifecycle_leaves_one_event_per_step(desk, make_request):
    request = drive(desk, make_request(), Status.CLOSED)

    assert list(
        request.events.order_by("id").values_list("action", "from_status", "to_status")
    ) == [
        (EventAction.CREATED, "", "new"),
        (EventAction.ACCEPTED, "new", "accepted"),
        (EventAction.DISPATCHED, "accepted", "dispatched"),
        (EventAction.STARTED, "dispatched", "in_progress"),
        (EventAction.RESOLVED, "in_progress", "resolved"),
        (EventAction.FOLLOW_UP, "resolved", "follow_up"),
        (EventAction.CLOSED, "follow_up", "closed"),
    ]
    request.refresh_from_db()
    assert (request.is_open, request.closed_at is not None) == (False, True)


def test_an_unknown_action_names_the_field(desk, make_request):
    from propdesk.core.errors import ValidationFailed

    request = make_request()
    with pytest.raises(ValidationFailed) as caught:
        services.request_transition(actor=desk.agent, request=request, action="teleport")
    assert caught.value.field == "action"
