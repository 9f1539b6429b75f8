"""The SLA clock of a request (DOMAIN.md §2 time limits): met or missed per target, paused while
waiting on the owner, a new resolution target after a reopen, due-soon and overdue flags."""

import datetime

from propdesk.tickets import services
from propdesk.tickets.models import NO_DEADLINE, SlaClock
from propdesk.tickets.tests.conftest import at


def _clocks(request) -> dict:
    return {
        (c.target, c.round): (c.state, c.due_at)
        for c in SlaClock.objects.filter(request=request).order_by("target", "round")
    }


def _dispatched(desk, make_request, **values):
    request = make_request(**values)
    return services.request_dispatch(actor=desk.agent, request=request, assignee=desk.technician)


def test_targets_reached_in_time_are_recorded_met(desk, frozen, make_request):
    request = make_request(urgency="emergency", description="电梯困人")
    frozen.move_to(at("2026-03-16T09:35"))
    request = services.request_dispatch(actor=desk.agent, request=request, assignee=desk.technician)
    frozen.move_to(at("2026-03-16T09:55"))
    request = services.request_start(actor=desk.technician, request=request)
    frozen.move_to(at("2026-03-16T11:00"))
    request = services.request_resolve(actor=desk.technician, request=request, note="已解救")

    assert _clocks(request) == {
        ("first_response", 1): ("met", at("2026-03-16T09:40")),
        ("on_site", 1): ("met", at("2026-03-16T10:00")),
        ("resolution", 1): ("met", at("2026-03-17T09:30")),
    }
    resolved = request.events.get(action="resolved")
    assert resolved.data["sla"] == {"resolution": "met"}


def test_targets_reached_late_are_recorded_missed(desk, frozen, make_request):
    request = make_request(urgency="emergency", description="电梯困人")
    frozen.move_to(at("2026-03-16T09:50"))
    request = services.request_dispatch(actor=desk.agent, request=request, assignee=desk.technician)
    frozen.move_to(at("2026-03-16T10:20"))
    request = services.request_start(actor=desk.technician, request=request)

    assert _clocks(request)[("first_response", 1)][0] == "breached"
    assert _clocks(request)[("on_site", 1)][0] == "breached"
    assert request.events.get(action="started").data["sla"] == {"on_site": "breached"}


def test_the_clock_stands_still_while_waiting_on_the_owner(desk, frozen, make_request):
    request = _dispatched(desk, make_request)  # resolution due Thu 03-19 09:30
    request = services.request_start(actor=desk.technician, request=request)
    frozen.move_to(at("2026-03-17T10:00"))  # Tuesday
    request = services.request_wait(
        actor=desk.technician, request=request, note="业主出差，下周一再上门"
    )
    assert request.sla_state(at("2026-03-20T10:00")) == "paused"
    assert _clocks(request)[("resolution", 1)][0] == "paused"

    frozen.move_to(at("2026-03-23T09:00"))  # Monday
    request = services.request_resume(actor=desk.technician, request=request)

    # Left at the pause: Tue 10:00–17:30 (7.5 h), Wed 9 h, Thu 08:30–09:30 (1 h) = 17.5 h.
    # From Mon 09:00: 8.5 h on Monday, 9 h on Tuesday → Tue 03-24 17:30.
    assert _clocks(request)[("resolution", 1)] == ("running", at("2026-03-24T17:30"))
    request.refresh_from_db()
    assert request.promised_at == at("2026-03-24T17:30")
    assert request.due_at == at("2026-03-24T17:30")
    assert request.events.get(action="resumed").data["due"] == {
        "resolution": "2026-03-24T09:30:00+00:00"
    }


def test_a_pause_after_the_deadline_leaves_it_missed(desk, frozen, make_request):
    request = services.request_start(actor=desk.technician, request=_dispatched(desk, make_request))
    frozen.move_to(at("2026-03-19T10:00"))  # half an hour late
    request = services.request_wait(actor=desk.technician, request=request, note="等业主买配件")
    frozen.move_to(at("2026-03-20T10:00"))
    request = services.request_resume(actor=desk.technician, request=request)
    frozen.move_to(at("2026-03-20T11:00"))
    request = services.request_resolve(actor=desk.technician, request=request, note="已更换")
    assert _clocks(request)[("resolution", 1)] == ("breached", at("2026-03-19T09:30"))


def test_a_reopened_request_keeps_its_history_and_gets_a_new_resolution_target(
    desk, frozen, make_request
):
    request = services.request_start(actor=desk.technician, request=_dispatched(desk, make_request))
    frozen.move_to(at("2026-03-17T15:00"))
    request = services.request_resolve(actor=desk.technician, request=request, note="已疏通")
    frozen.move_to(at("2026-03-18T10:00"))
    request = services.follow_up_record(actor=desk.agent, request=request, satisfaction=1)

    assert _clocks(request) == {
        ("first_response", 1): ("met", at("2026-03-16T11:30")),
        ("resolution", 1): ("met", at("2026-03-19T09:30")),
        ("resolution", 2): ("running", at("2026-03-23T10:00")),
    }
    request.refresh_from_db()
    assert (request.status, request.reopen_count, request.resolved_at) == ("dispatched", 1, None)
    assert (request.promised_at, request.due_at) == (at("2026-03-23T10:00"), at("2026-03-23T10:00"))


def test_cancelling_stops_the_clocks_without_a_verdict(desk, make_request):
    request = services.request_cancel(actor=desk.agent, request=make_request(), reason="重复登记")
    assert {state for state, _due in _clocks(request).values()} == {"cancelled"}
    request.refresh_from_db()
    assert (request.due_at, request.is_open) == (NO_DEADLINE, False)


def test_due_soon_when_a_fifth_of_the_time_is_left_and_overdue_after(desk, make_request):
    request = make_request(kind="inquiry", category="fees", description="物业费怎么开发票")
    # Inquiry: answered within 24 h; the request's next deadline is that first response.
    assert request.due_at == at("2026-03-17T09:30")
    assert request.due_soon_at == at("2026-03-17T04:42")
    assert request.sla_state(at("2026-03-17T04:41")) == "on_time"
    assert request.sla_state(at("2026-03-17T04:42")) == "due_soon"
    assert request.sla_state(at("2026-03-17T09:30")) == "overdue"
    assert request.time_left(at("2026-03-17T09:00")) == datetime.timedelta(minutes=30)


def test_resolving_moves_the_next_deadline_to_the_follow_up_call(desk, frozen, make_request):
    request = services.request_start(actor=desk.technician, request=_dispatched(desk, make_request))
    frozen.move_to(at("2026-03-17T15:00"))
    request = services.request_resolve(actor=desk.technician, request=request, note="已疏通")
    request.refresh_from_db()
    assert (request.status, request.is_open, request.due_at) == (
        "resolved",
        False,
        at("2026-03-18T15:00"),
    )
    follow_up = request.follow_ups.get()
    assert (follow_up.round, follow_up.due_at, follow_up.state) == (
        1,
        at("2026-03-18T15:00"),
        "pending",
    )


def test_a_request_in_2027_falls_back_to_weekdays(desk, frozen, make_request):
    frozen.move_to(at("2027-01-08T16:00"))  # a Friday; no statutory data for 2027
    request = make_request(kind="complaint", category="noise", description="深夜施工")
    assert request.promised_at == at("2027-01-13T16:00")  # Mon, Tue, Wed: three working days
    assert request.number == "A2027000001"
