"""Chinese full-text search over descriptions: jieba words in an index table, scoped to the
communities of who asks, every word required."""

import pytest

from propdesk.core.errors import ValidationFailed
from propdesk.tickets import search, selectors
from propdesk.tickets.selectors import QueueFilters
from propdesk.tickets.tests.conftest import new_request


def test_descriptions_are_split_into_searchable_words():
    assert search.tokenize("3栋卫生间漏水，楼下天花板渗水") == [
        "卫生",
        "卫生间",
        "漏水",
        "楼下",
        "天花",
        "天花板",
        "渗水",
    ]
    assert search.tokenize("WiFi 密码") == ["wifi", "密码"]
    assert search.query_words("卫生间 漏水") == ["卫生间", "漏水"]


@pytest.fixture
def described(desk, make_request):
    return {
        "leak": make_request(description="卫生间漏水，楼下天花板渗水"),
        "pipe": make_request(description="厨房水管漏水"),
        "noise": make_request(kind="complaint", category="noise", description="楼上装修噪音"),
        "other": new_request(desk.other_agent, desk.house_b, description="车库漏水严重"),
    }


def _numbers(page) -> list[str]:
    return [r.number for r in page.items]


def test_a_word_finds_every_request_with_it_newest_first(desk, described):
    page = selectors.request_queue(desk.agent, "all", QueueFilters(q="漏水"))
    assert _numbers(page) == [described["pipe"].number, described["leak"].number]
    assert (page.count, page.search_words) == (2, ["漏水"])


def test_every_word_must_occur(desk, described):
    page = selectors.request_queue(desk.agent, "all", QueueFilters(q="天花板 漏水"))
    assert _numbers(page) == [described["leak"].number]


def test_search_stays_inside_ones_communities(desk, described):
    assert _numbers(selectors.request_queue(desk.other_agent, "all", QueueFilters(q="漏水"))) == [
        described["other"].number
    ]
    company = selectors.request_queue(desk.admin, "all", QueueFilters(q="漏水"))
    assert _numbers(company) == [
        described["other"].number,
        described["pipe"].number,
        described["leak"].number,
    ]


def test_a_request_number_is_found_directly(desk, described):
    page = selectors.request_queue(desk.agent, "all", QueueFilters(q=described["noise"].number))
    assert _numbers(page) == [described["noise"].number]


def test_a_search_within_a_queue(desk, described):
    page = selectors.request_queue(desk.agent, "unassigned", QueueFilters(q="噪音"))
    assert _numbers(page) == [described["noise"].number]


def test_a_query_without_a_word_is_refused(desk, described):
    with pytest.raises(ValidationFailed) as caught:
        selectors.request_queue(desk.agent, "all", QueueFilters(q="漏"))
    assert caught.value.field == "q"
