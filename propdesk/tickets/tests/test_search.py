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


def _read_by_the_orm(words, community_ids, before, limit) -> list[int]:
    tokens = search.matching_tokens(words, community_ids).order_by("-request_id")
    if before is not None:
        tokens = tokens.filter(request_id__lt=before)
    return list(tokens.values_list("request_id", flat=True)[:limit])


@pytest.fixture
def many_described(desk, described, make_request):
    """The four described requests and more, in both communities, for every shape of a search."""
    for text in ("阳台漏水，楼下天花板发霉", "卫生间地漏堵塞漏水", "天花板漏水，墙面渗水"):
        make_request(description=text)
        new_request(desk.other_agent, desk.house_b, description=text)
    return described


@pytest.mark.parametrize("words", [["漏水"], ["漏水", "天花板"], ["天花板", "漏水", "楼下"]])
def test_the_search_statement_built_once_per_shape_reads_what_the_orm_reads(
    desk, many_described, words
):
    """Each shape (words, communities, cursor, limit) is built once with marks in place of its
    values and run with each call's own values: a second call with other words or communities
    must not get the first call's answer."""
    both = [desk.community_a.pk, desk.community_b.pk]
    scopes = [None, [desk.community_a.pk], [desk.community_b.pk], both, list(reversed(both))]
    newest = max(_read_by_the_orm(["漏水"], None, None, 100))
    for community_ids in scopes:
        for before in (None, newest, newest - 2):
            for limit in (1, 2, 50):
                assert search.matching_request_ids(
                    words, community_ids, before=before, limit=limit
                ) == _read_by_the_orm(words, community_ids, before, limit)
    assert _read_by_the_orm(words, both, None, 50), "the shapes above must have found something"


def test_the_search_statement_with_no_community_in_scope_finds_nothing(desk, many_described):
    assert search.matching_request_ids(["漏水"], [], before=None, limit=10) == []


def test_a_search_is_read_page_by_page_with_its_count(desk, many_described):
    seen = []
    page = selectors.request_queue(desk.admin, "all", QueueFilters(q="漏水"), limit=3)
    total = page.count
    while True:
        seen += _numbers(page)
        if not page.next_cursor:
            break
        page = selectors.request_queue(
            desk.admin, "all", QueueFilters(q="漏水"), cursor=page.next_cursor, limit=3
        )
        assert page.count == total, "every page counts the whole search"
    ids = _read_by_the_orm(["漏水"], None, None, 100)
    assert total == len(ids) == len(seen) == 9
    assert len(set(seen)) == len(seen)
