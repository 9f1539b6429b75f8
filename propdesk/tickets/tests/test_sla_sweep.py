"""The minute-by-minute sweep: escalates to the supervisors at 80 % and 100 % of each target,
once per threshold, and survives a worker killed half-way (DOMAIN.md §2 time limits).

A repair received Monday 09:30: first response due 11:30 (2 working hours; 80 % at 11:06);
resolution due Thursday 09:30 (27 working hours; 80 % at Wednesday 13:06).
"""

import pytest

from propdesk.accounts.models import Role
from propdesk.conftest import make_user
from propdesk.core.models import OutboxMessage
from propdesk.tickets import services
from propdesk.tickets.models import Escalation, SlaClock
from propdesk.tickets.services import sla as sla_module
from propdesk.tickets.tasks import requests_sla_sweep
from propdesk.tickets.tests.conftest import at


def _escalations() -> list[tuple]:
    return list(
        Escalation.objects.order_by("id").values_list("request__number", "clock__target", "percent")
    )


def _supervisor_messages() -> list[tuple]:
    return list(
        OutboxMessage.objects.filter(event="request.escalated")
        .order_by("id")
        .values_list("recipient", "dedupe_key")
    )


@pytest.fixture
def request_(desk, make_request):
    request = make_request()
    OutboxMessage.objects.all().delete()
    return request


def test_the_warning_points_are_planned_when_the_clock_starts(desk, request_):
    clocks = {c.target: c for c in SlaClock.objects.filter(request=request_)}
    assert (clocks["first_response"].next_threshold, clocks["first_response"].next_check_at) == (
        80,
        at("2026-03-16T11:06"),
    )
    assert clocks["resolution"].next_check_at == at("2026-03-18T13:06")


def test_nothing_is_escalated_before_the_first_threshold(desk, frozen, request_):
    frozen.move_to(at("2026-03-16T11:05"))
    assert services.sla_sweep() == 0
    assert _escalations() == []


def test_each_threshold_is_escalated_once(desk, frozen, request_):
    clock_id = SlaClock.objects.get(request=request_, target="first_response").id
    frozen.move_to(at("2026-03-16T11:06"))
    assert services.sla_sweep() == 1
    assert services.sla_sweep() == 0
    frozen.move_to(at("2026-03-16T11:20"))
    assert services.sla_sweep() == 0
    frozen.move_to(at("2026-03-16T11:30"))
    assert services.sla_sweep() == 1
    assert services.sla_sweep() == 0

    assert _escalations() == [
        ("A2026000001", "first_response", 80),
        ("A2026000001", "first_response", 100),
    ]
    assert _supervisor_messages() == [
        ("supervisor", f"escalation:{clock_id}:80:{desk.supervisor.id}"),
        ("supervisor", f"escalation:{clock_id}:100:{desk.supervisor.id}"),
    ]
    request_.refresh_from_db()
    assert request_.escalation_level == 100
    assert list(
        request_.events.filter(action="escalated").values_list("data__percent", flat=True)
    ) == [
        80,
        100,
    ]


def test_a_worker_back_after_two_days_fires_every_passed_threshold_once(desk, frozen, request_):
    frozen.move_to(at("2026-03-18T14:00"))
    assert services.sla_sweep() == 3
    assert services.sla_sweep() == 0
    assert _escalations() == [
        ("A2026000001", "first_response", 80),
        ("A2026000001", "first_response", 100),
        ("A2026000001", "resolution", 80),
    ]
    assert len(_supervisor_messages()) == 3


def test_a_target_met_in_time_is_not_escalated(desk, frozen, request_):
    frozen.move_to(at("2026-03-16T10:00"))
    services.request_accept(actor=desk.agent, request=request_)
    frozen.move_to(at("2026-03-16T12:00"))
    assert services.sla_sweep() == 0


def test_a_paused_clock_is_not_escalated_and_is_replanned_on_resume(desk, frozen, request_):
    request = services.request_dispatch(
        actor=desk.agent, request=request_, assignee=desk.technician
    )
    request = services.request_start(actor=desk.technician, request=request)
    request = services.request_wait(actor=desk.technician, request=request, note="业主不在家")
    frozen.move_to(at("2026-03-25T10:00"))
    assert services.sla_sweep() == 0

    services.request_resume(actor=desk.technician, request=request)

    # 27 working hours were left at Monday 09:30; from Wednesday 10:00 the 80 % point (21.6 h
    # in) is Friday 13:36 and the due time Monday 03-30 10:00.
    resolution = SlaClock.objects.get(request=request, target="resolution")
    assert (resolution.due_at, resolution.next_check_at) == (
        at("2026-03-30T10:00"),
        at("2026-03-27T13:36"),
    )
    frozen.move_to(at("2026-03-27T13:36"))
    assert services.sla_sweep() == 1


def test_only_supervisors_of_the_community_are_told(desk, frozen, request_):
    make_user("supervisor_b", Role.SUPERVISOR, desk.community_b)
    second = make_user("supervisor_a2", Role.SUPERVISOR, desk.community_a)
    frozen.move_to(at("2026-03-16T11:06"))
    services.sla_sweep()
    assert [r for r, _key in _supervisor_messages()] == ["supervisor", second.username]
    assert Escalation.objects.get().notified == 2


def test_a_worker_killed_mid_sweep_leaves_no_half_escalation(
    desk, frozen, make_request, monkeypatch
):
    first = make_request()
    second = make_request(description="厨房下水道堵塞")
    OutboxMessage.objects.all().delete()
    real_notify = sla_module._notify_supervisors
    calls = []

    def dies_on_the_second_clock(request, sla_clock, percent, event):
        calls.append(request.number)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing catches it
        return real_notify(request, sla_clock, percent, event)

    monkeypatch.setattr(sla_module, "_notify_supervisors", dies_on_the_second_clock)
    frozen.move_to(at("2026-03-16T11:06"))
    with pytest.raises(SystemExit):
        services.sla_sweep()

    # The first clock's escalation committed in full; the second left nothing behind.
    assert _escalations() == [(first.number, "first_response", 80)]
    assert len(_supervisor_messages()) == 1
    assert second.events.filter(action="escalated").count() == 0

    monkeypatch.setattr(sla_module, "_notify_supervisors", real_notify)
    assert services.sla_sweep() == 1
    assert services.sla_sweep() == 0
    assert _escalations() == [
        (first.number, "first_response", 80),
        (second.number, "first_response", 80),
    ]
    assert len(_supervisor_messages()) == 2
    assert len({key for _r, key in _supervisor_messages()}) == 2


def test_the_periodic_task_runs_the_sweep(desk, frozen, request_):
    frozen.move_to(at("2026-03-16T11:06"))
    assert requests_sla_sweep.call_local() == 1
    assert requests_sla_sweep.call_local() == 0
