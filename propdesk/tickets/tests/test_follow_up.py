"""The follow-up call (回访) and satisfaction (DOMAIN.md §2 closed loop, §7): ≥ 3 closes, ≤ 2
reopens, unreachable after three calls closes with a note."""

import pytest

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.tickets import services
from propdesk.tickets.models import FollowUp, RequestSettings
from propdesk.tickets.tests.conftest import at, snapshot


@pytest.fixture
def resolved(desk, frozen, make_request):
    request = services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )
    request = services.request_start(actor=desk.technician, request=request)
    frozen.move_to(at("2026-03-17T15:00"))
    request = services.request_resolve(actor=desk.technician, request=request, note="更换地漏")
    frozen.move_to(at("2026-03-18T10:00"))
    OutboxMessage.objects.all().delete()
    return request


def test_a_satisfied_owner_closes_the_request(desk, resolved):
    request = services.follow_up_record(
        actor=desk.agent, request=resolved, satisfaction=4, comment="师傅很专业"
    )

    request.refresh_from_db()
    assert (request.status, request.satisfaction, request.is_open) == ("closed", 4, False)
    follow_up = request.follow_ups.get()
    assert (follow_up.state, follow_up.satisfaction, follow_up.comment, follow_up.via) == (
        "done",
        4,
        "师傅很专业",
        "phone",
    )
    assert list(request.events.order_by("id").values_list("action", flat=True))[-3:] == [
        "follow_up",
        "follow_up",
        "closed",
    ]
    assert set(OutboxMessage.objects.values_list("event", flat=True)) == {"request.closed"}


@pytest.mark.parametrize("score", [1, 2])
def test_an_unsatisfied_owner_reopens_it(desk, resolved, score):
    request = services.follow_up_record(
        actor=desk.agent, request=resolved, satisfaction=score, comment="还在渗水"
    )

    request.refresh_from_db()
    assert (request.status, request.reopen_count, request.assignee) == (
        "dispatched",
        1,
        desk.technician,
    )
    reopened = request.events.get(action="reopened")
    assert reopened.from_status == "follow_up"
    assert f"{score}/5" in reopened.note and "还在渗水" in reopened.note
    assert set(OutboxMessage.objects.values_list("event", flat=True)) == {
        "request.reopened",
        "request.assigned",
    }


def test_the_owner_rates_in_the_portal(desk, resolved):
    request = services.follow_up_record(
        actor=desk.owner_user, request=resolved, satisfaction=5, via="portal"
    )
    assert request.status == "closed"
    assert request.follow_ups.get().recorded_by == desk.owner_user


def test_the_owner_rates_only_through_the_portal(desk, resolved):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.follow_up_record(actor=desk.owner_user, request=resolved, satisfaction=5)
    assert snapshot() == before


def test_an_unreachable_owner_is_called_again_next_working_day(desk, frozen, resolved):
    request = services.follow_up_unreachable(actor=desk.agent, request=resolved, note="无人接听")

    request.refresh_from_db()
    follow_up = request.follow_ups.get()
    assert (request.status, follow_up.attempts, follow_up.state) == ("follow_up", 1, "pending")
    assert follow_up.due_at == at("2026-03-19T10:00")
    assert request.due_at == at("2026-03-19T10:00")


def test_three_unanswered_calls_close_it_with_a_note(desk, frozen, resolved):
    for day in ("2026-03-18T10:00", "2026-03-19T10:00", "2026-03-20T10:00"):
        frozen.move_to(at(day))
        request = services.follow_up_unreachable(actor=desk.agent, request=resolved)

    request.refresh_from_db()
    follow_up = request.follow_ups.get()
    assert (request.status, request.satisfaction) == ("closed", None)
    assert (follow_up.state, follow_up.attempts) == ("unreachable", 3)
    closed = request.events.get(action="closed")
    assert "3" in closed.note and closed.data == {"unreachable": 3}


def test_the_number_of_attempts_is_configurable(desk, frozen, resolved):
    RequestSettings.objects.create(community=desk.community_a, follow_up_max_attempts=1)
    request = services.follow_up_unreachable(actor=desk.agent, request=resolved)
    assert request.status == "closed"


def test_the_reopen_threshold_is_configurable(desk, resolved):
    RequestSettings.objects.create(community=desk.community_a, reopen_at_or_below=3)
    request = services.follow_up_record(actor=desk.agent, request=resolved, satisfaction=3)
    assert request.status == "dispatched"


def test_a_second_resolution_gets_a_second_follow_up(desk, frozen, resolved):
    request = services.follow_up_record(actor=desk.agent, request=resolved, satisfaction=2)
    request = services.request_start(actor=desk.technician, request=request)
    request = services.request_resolve(actor=desk.technician, request=request, note="重新做防水")
    frozen.move_to(at("2026-03-19T10:00"))
    request = services.follow_up_record(actor=desk.agent, request=request, satisfaction=5)

    assert list(
        FollowUp.objects.filter(request=request)
        .order_by("round")
        .values_list("round", "state", "satisfaction")
    ) == [(1, "done", 2), (2, "done", 5)]
    request.refresh_from_db()
    assert (request.status, request.satisfaction, request.reopen_count) == ("closed", 5, 1)


@pytest.mark.parametrize("score", [0, 6, "x", None, 2.5, True])
def test_it_refuses_a_score_outside_one_to_five(desk, resolved, score):
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.follow_up_record(actor=desk.agent, request=resolved, satisfaction=score)
    assert caught.value.field == "satisfaction"
    assert snapshot() == before


def test_it_refuses_to_follow_up_an_open_request(desk, make_request):
    request = make_request()
    before = snapshot()
    with pytest.raises(Conflict) as caught:
        services.follow_up_record(actor=desk.agent, request=request, satisfaction=5)
    assert caught.value.field == "status"
    assert snapshot() == before


@pytest.mark.parametrize("role", ["technician", "cashier", "guard", "other_agent"])
def test_only_the_desk_records_follow_ups(desk, resolved, role):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.follow_up_record(actor=getattr(desk, role), request=resolved, satisfaction=5)
    with pytest.raises(PermissionDenied):
        services.follow_up_unreachable(actor=getattr(desk, role), request=resolved)
    assert snapshot() == before
