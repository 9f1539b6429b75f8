"""The front-desk visit log: a visit written down; a promised callback becomes an inquiry
request due at that time; refusals write nothing."""

import pytest
from django.test import Client

from propdesk.community.models import DeskVisit
from propdesk.community.services.desk import desk_visit_record
from propdesk.community.tests.conftest import at, community_snapshot
from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed


def _record(actor, community, **kwargs):
    values = {
        "visitor_name": "张三",
        "visitor_mobile": "138 1234 5678",
        "purpose": "inquiry",
        "details": "问装修押金什么时候退",
        "outcome": "answered",
        **kwargs,
    }
    return desk_visit_record(actor=actor, community=community, **values)


def test_a_visit_answered_at_the_desk(agent, house_a):
    visit = _record(agent, house_a.community, house=house_a)
    assert (visit.visitor_mobile, visit.visited_at, visit.request) == (
        "13812345678",
        at("2026-07-10 15:00"),
        None,
    )


def test_a_callback_becomes_an_inquiry_request_due_then(agent, house_a):
    visit = _record(
        agent,
        house_a.community,
        house=house_a,
        outcome="callback",
        callback_at=at("2026-07-11 10:00"),
        category="fees",
        referred_to="财务部",
    )
    request = visit.request
    assert (request.kind.code, request.channel, request.promised_at) == (
        "inquiry",
        "walk_in",
        at("2026-07-11 10:00"),
    )
    assert request.caller_name == "张三" and request.house == house_a


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visitor_name": ""}, "visitor_name"),
        ({"visitor_mobile": "12345"}, "visitor_mobile"),
        ({"purpose": "gossip"}, "purpose"),
        ({"details": "x" * 2001}, "details"),
        ({"outcome": "vanished"}, "outcome"),
        ({"outcome": "referred"}, "referred_to"),
        ({"outcome": "callback", "category": "fees"}, "callback_at"),
        (
            {"outcome": "callback", "callback_at": at("2026-07-09 10:00"), "category": "fees"},
            "callback_at",
        ),
        (
            {
                "outcome": "callback",
                "callback_at": at("2026-07-11 10:00"),
                "category": "fees",
                "house": None,
            },
            "house",
        ),
        ({"outcome": "callback", "callback_at": at("2026-07-11 10:00")}, "category"),
        ({"visited_at": at("2026-06-01 10:00")}, "visited_at"),
        ({"details": "a\x00b"}, "details"),
    ],
)
def test_it_refuses_bad_input(agent, house_a, changes, field):
    values = {"house": house_a, **changes}
    before = community_snapshot()
    with pytest.raises(ValidationFailed) as refused:
        _record(agent, house_a.community, **values)
    assert refused.value.field == field
    assert community_snapshot() == before


@pytest.mark.parametrize("role", ["technician", "cashier", "owner", "other_agent"])
def test_it_refuses_roles(personas, role, house_a):
    before = community_snapshot()
    with pytest.raises(PermissionDenied):
        _record(personas[role], house_a.community)
    assert community_snapshot() == before


def test_it_refuses_another_communitys_house(agent, house_a, house_b):
    with pytest.raises(NotFound):
        _record(agent, house_a.community, house=house_b)
    assert not DeskVisit.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agent", 200),
        ("guard", 200),
        ("supervisor", 200),
        ("technician", 403),
        ("cashier", 403),
        ("owner", 403),
    ],
)
def test_the_page_per_role(personas, house_a, role, status):
    client = Client()
    client.force_login(personas[role])
    assert client.get("/community/visits/").status_code == status


def test_the_page_records_a_visit_and_lists_it_masked(agent, house_a, zhang_san):
    client = Client()
    client.force_login(agent)
    response = client.post(
        "/community/visits/",
        {
            "community": house_a.community_id,
            "visitor_name": "张三",
            "visitor_mobile": "13812345678",
            "house_code": "3-2-1502",
            "purpose": "fees",
            "details": "物业费发票",
            "outcome": "callback",
            "callback_at": "2026-07-11T10:00",
            "category": "fees",
        },
    )
    assert response.status_code == 302
    page = client.get("/community/visits/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert DeskVisit.objects.get().request.promised_at == at("2026-07-11 10:00")


def test_the_page_shows_the_error_and_writes_nothing(agent, house_a):
    client = Client()
    client.force_login(agent)
    before = community_snapshot()
    response = client.post(
        "/community/visits/",
        {
            "community": house_a.community_id,
            "visitor_name": "张三",
            "house_code": "9-9-999",
            "purpose": "fees",
            "details": "x",
            "outcome": "answered",
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="house_code"' in response.content.decode()
    assert community_snapshot() == before


def test_another_communitys_visits_are_not_listed(agent, personas, house_b):
    _record(personas["other_agent"], house_b.community, visitor_name="王八")
    client = Client()
    client.force_login(agent)
    assert "王八" not in client.get("/community/visits/").content.decode()
