"""The supervisor dashboard's figures (DOMAIN.md §2, §7): open by status, overdue by department,
SLA met % per target this month, satisfaction average, repeat rate."""

import pytest

from propdesk.core.errors import PermissionDenied
from propdesk.tickets import reports, services
from propdesk.tickets.tests.conftest import at


def test_the_dashboard_counts_this_months_work(desk, frozen, make_request):
    done = services.request_dispatch(
        actor=desk.agent, request=make_request(), assignee=desk.technician
    )
    done = services.request_start(actor=desk.technician, request=done)
    frozen.move_to(at("2026-03-16T11:00"))
    done = services.request_resolve(actor=desk.technician, request=done, note="好了")
    services.follow_up_record(actor=desk.agent, request=done, satisfaction=4)
    late = make_request(kind="complaint", category="noise", description="夜里施工")
    make_request(category="security", kind="complaint", description="陌生人尾随进门")
    frozen.move_to(at("2026-03-18T10:00"))
    services.request_accept(actor=desk.agent, request=late)  # first response 24 h: missed

    board = reports.dashboard(desk.supervisor)

    assert board.open_by_status == {
        "new": 1,
        "accepted": 1,
        "dispatched": 0,
        "in_progress": 0,
        "waiting_owner": 0,
        "resolved": 0,
        "follow_up": 0,
    }
    assert board.overdue_by_department == [("安保部", 1)]
    assert board.sla_met["first_response"] == {"met": 1, "total": 2, "percent": 50.0}
    assert board.sla_met["resolution"] == {"met": 1, "total": 1, "percent": 100.0}
    assert board.sla_met["on_site"] == {"met": 0, "total": 0, "percent": None}
    assert (board.satisfaction_average, board.satisfaction_count) == (4.0, 1)
    assert (board.created_this_month, board.repeat_rate) == (3, 0.0)
    assert dict(board.by_category) == {"给排水": 1, "噪音": 1, "安全秩序": 1}


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard", "owner_user"])
def test_the_dashboard_is_for_supervisors(desk, role):
    with pytest.raises(PermissionDenied):
        reports.dashboard(getattr(desk, role))


def test_other_communities_are_not_counted(desk, make_request):
    make_request()
    assert reports.dashboard(desk.admin, community_id=desk.community_b.id).created_this_month == 0
    assert reports.dashboard(desk.admin).created_this_month == 1
