"""Queue pages in their order: newest-first pages of staff who work in several communities merge
each community's newest requests, deadline pages read the queue's index in deadline order, and
the cursor walks every request exactly once."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from propdesk.tickets import selectors
from propdesk.tickets.selectors import QueueFilters
from propdesk.tickets.tests.conftest import new_request


def test_a_two_community_queue_pages_newest_first_across_both(desk, monkeypatch):
    desk.supervisor.communities.add(desk.community_b)
    made = []
    for i in range(7):  # interleaved: a, b, a, b …
        actor, house = (desk.agent, desk.house) if i % 2 == 0 else (desk.other_agent, desk.house_b)
        made.append(new_request(actor, house, description=f"第{i}次报修，卫生间漏水").id)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    seen, cursor = [], None
    while True:
        page = selectors.request_queue(desk.supervisor, "all", cursor=cursor, limit=3)
        seen += [r.id for r in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted(made, reverse=True)
    assert page.count == 7


def test_one_chosen_community_reads_only_its_requests(desk):
    desk.supervisor.communities.add(desk.community_b)
    a = new_request(desk.agent, desk.house).id
    new_request(desk.other_agent, desk.house_b)
    page = selectors.request_queue(
        desk.supervisor, "all", QueueFilters(community_id=desk.community_a.id)
    )
    assert [r.id for r in page.items] == [a]


def _made(desk, count: int) -> list[int]:
    return [
        new_request(desk.agent, desk.house, description=f"第{i}次报修，卫生间漏水").id
        for i in range(count)
    ]


def test_a_first_page_counts_from_its_own_ids_in_two_statements(
    desk, django_assert_num_queries, monkeypatch
):
    made = _made(desk, 5)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    kinds = [
        ("all", QueueFilters()),
        ("unassigned", QueueFilters()),
        ("all", QueueFilters(q="漏水")),
    ]
    for queue, filters in kinds:
        # the ids up to the cap (which count), then the page's rows
        with django_assert_num_queries(2):
            page = selectors.request_queue(desk.agent, queue, filters, limit=2, as_values=True)
        assert (page.count, page.count_capped) == (3, True), queue
        assert len(page.items) == 2 and page.next_cursor
        # a later page counts apart: its ids start after the cursor
        with django_assert_num_queries(3):
            later = selectors.request_queue(
                desk.agent, queue, filters, cursor=page.next_cursor, limit=2, as_values=True
            )
        assert (later.count, later.count_capped) == (3, True), queue
    monkeypatch.setattr(selectors, "COUNT_CAP", 500)
    page = selectors.request_queue(desk.agent, "all", limit=2)
    assert (page.count, page.count_capped) == (5, False)
    assert [r.id for r in page.items] == sorted(made, reverse=True)[:2]


def _deadline_pages(user, queue: str, limit: int) -> tuple[list[int], int]:
    seen, cursor = [], None
    while True:
        page = selectors.request_queue(user, queue, cursor=cursor, limit=limit, as_values=True)
        seen += [row["id"] for row in page.items]
        if not page.next_cursor:
            return seen, page.count
        cursor = page.next_cursor


def _interleaved_deadlines(desk, houses) -> list[int]:
    """Eight requests with deadlines past and interleaved across `houses`; their ids in deadline
    order (ties by id)."""
    from propdesk.tickets.models import ServiceRequest

    now = timezone.now()
    due = {}
    for i, hours in enumerate([5, 1, 3, 3, 2, 9, 1, 4]):
        actor, house = houses[i % len(houses)]
        made = new_request(actor, house, description=f"第{i}次报修，卫生间漏水")
        due[made.id] = now - datetime.timedelta(hours=hours)
        ServiceRequest.objects.filter(pk=made.id).update(due_at=due[made.id])
    return sorted(due, key=lambda pk: (due[pk], pk))


@pytest.mark.parametrize("queue", ["unassigned", "overdue"])
def test_a_two_community_deadline_queue_pages_both_in_deadline_order(desk, queue):
    desk.supervisor.communities.add(desk.community_b)
    houses = [(desk.agent, desk.house), (desk.other_agent, desk.house_b)]
    expected = _interleaved_deadlines(desk, houses)
    assert _deadline_pages(desk.supervisor, queue, 3) == (expected, 8)


@pytest.mark.parametrize("queue", ["unassigned", "overdue", "due_soon"])
def test_a_one_community_deadline_page_reads_its_index_in_order(
    desk, django_assert_max_num_queries, queue
):
    expected = _interleaved_deadlines(desk, [(desk.agent, desk.house)])
    if queue != "due_soon":
        assert _deadline_pages(desk.agent, queue, 3) == (expected, 8)
    # the ids up to the cap, then the rows (none for an empty page)
    with django_assert_max_num_queries(2) as captured:
        selectors.request_queue(desk.agent, queue, as_values=True)
    # ordered by the columns the queue's index starts with: the database reads that index in
    # order and stops at the page rather than sorting every request in the queue
    leads = selectors.DEADLINE_INDEX_LEADS[queue]
    order = ", ".join(f'"tickets_servicerequest"."{column}" ASC' for column in leads)
    ids_sql = captured.captured_queries[0]["sql"]
    assert f'ORDER BY "tickets_servicerequest"."community_id" ASC, {order}' in ids_sql


def test_a_page_of_many_communities_counts_apart(desk, django_assert_num_queries, monkeypatch):
    _made(desk, 3)
    monkeypatch.setattr(selectors, "COUNT_IN_PAGE_PARTS", 1)
    desk.supervisor.communities.add(desk.community_b)
    selectors.request_queue(desk.supervisor, "all")  # reads the supervisor's communities once
    # two communities read one by one, past the limit of parts: ids (one statement, or one a
    # community where the database allows no LIMIT inside a UNION), the count, the rows
    id_statements = 1 if connection.features.supports_slicing_ordering_in_compound else 2
    with django_assert_num_queries(id_statements + 2):
        page = selectors.request_queue(desk.supervisor, "all", limit=2, as_values=True)
    assert (page.count, page.count_capped, len(page.items)) == (3, False, 2)


def test_the_page_statement_reads_what_the_orm_reads(desk):
    from propdesk.tickets.models import ServiceRequest

    made = _made(desk, 4)
    ServiceRequest.objects.filter(pk=made[1]).update(
        assignee=desk.technician, promised_at=timezone.now()
    )
    for ids in (made, made[:1], list(reversed(made))):
        rows = selectors._page_values(ids)
        expected = ServiceRequest.objects.filter(id__in=ids).values(*selectors.PAGE_VALUES)
        assert sorted(rows, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
    assert selectors._page_values([]) == []
    assert selectors._page_values([10**12]) == []
