"""Recurrence (DOMAIN.md §2): a request is flagged when the same house — or the same building's
common area — had a request of the same category resolved in the last 30 days; the repeat rate
is reported."""

import datetime

from propdesk.tickets import reports, services
from propdesk.tickets.tests.conftest import at


def _resolve(desk, request):
    request = services.request_accept(actor=desk.agent, request=request)
    return services.request_resolve(actor=desk.agent, request=request, note="已处理")


def _common_area(desk, **values):
    fields = {
        "kind": "repair",
        "category": "repair_elevator",
        "urgency": "normal",
        "description": "2号电梯按钮失灵",
        "location": "3栋2单元电梯",
    }
    fields.update(values)
    return services.request_create(actor=desk.agent, building=desk.house.building, **fields)


def test_the_same_house_and_category_within_30_days_is_a_recurrence(desk, frozen, make_request):
    first = _resolve(desk, make_request())
    frozen.move_to(at("2026-04-10T10:00"))  # 25 days later
    again = make_request(description="地漏又反水了")
    assert again.recurrence_of == first
    assert again.events.get(action="created").data["recurrence_of"] == first.number


def test_after_30_days_it_is_a_new_problem(desk, frozen, make_request):
    _resolve(desk, make_request())
    frozen.move_to(at("2026-04-16T10:00"))  # 31 days later
    assert make_request(description="地漏又反水了").recurrence_of is None


def test_another_category_or_an_unresolved_one_is_not_a_recurrence(desk, frozen, make_request):
    _resolve(desk, make_request(category="repair_electric", description="插座没电"))
    make_request(description="上次的还没修好")  # still open: a duplicate, not a recurrence
    assert make_request(description="卫生间又漏水").recurrence_of is None


def test_the_common_area_of_a_building_recurs_on_its_own(desk, frozen, make_request):
    first = _resolve(desk, _common_area(desk))
    frozen.move_to(at("2026-03-20T10:00"))
    assert _common_area(desk, description="电梯又停了").recurrence_of == first
    # A house in that building with a lift complaint is about the house, not the common area.
    assert make_request(category="repair_elevator", description="电梯门夹人").recurrence_of is None


def test_the_repeat_rate_counts_recurrences_among_requests(desk, frozen, make_request):
    first = _resolve(desk, make_request())
    frozen.move_to(at("2026-03-20T10:00"))
    make_request(description="又漏了")
    make_request(category="noise", kind="complaint", description="楼上跳绳")
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)

    assert reports.repeat_rate(desk.supervisor, start=start, end=end) == (1, 3)
    board = reports.dashboard(desk.supervisor)
    assert (board.recurrences_this_month, board.created_this_month, board.repeat_rate) == (
        1,
        3,
        33.3,
    )
    assert first.number == "A2026000001"
