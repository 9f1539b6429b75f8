"""Newest-first queues of staff who work in several communities: one page merges each
community's newest requests, and the cursor walks every request exactly once."""

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
