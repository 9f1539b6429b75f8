"""`propdesk seed_requests`: synthetic requests at scale that the queues, search and services
read like real ones."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from propdesk.accounts.models import User
from propdesk.estates import seeding as registry_seeding
from propdesk.tickets import selectors, services
from propdesk.tickets.models import RequestToken, ServiceRequest, SlaClock
from propdesk.tickets.seeding import seed_requests
from propdesk.tickets.selectors import QueueFilters
from propdesk.tickets.tests.conftest import START


@pytest.fixture
def seeded(db, frozen):
    registry_seeding.seed_registry(houses=600, communities=3)
    return seed_requests(requests=3000, now=START)


def test_it_writes_the_requests_and_their_search_words(seeded):
    assert seeded.requests == ServiceRequest.objects.count() == 3000
    assert seeded.communities == 3
    assert seeded.counts["RequestToken"] == RequestToken.objects.count() > 3000 * 3
    numbers = list(ServiceRequest.objects.values_list("community_id", "number"))
    assert len(set(numbers)) == 3000
    leaks = ServiceRequest.objects.filter(description__contains="漏水").count()
    assert 0.07 < leaks / 3000 < 0.16
    open_share = ServiceRequest.objects.filter(is_open=True).count() / 3000
    assert 0.003 < open_share < 0.05
    assert SlaClock.objects.filter(state="running", next_check_at__isnull=False).exists()


def test_the_queues_and_the_search_read_seeded_requests(seeded):
    agent = User.objects.get(username="seed-agent")
    leaks = selectors.request_queue(agent, "all", QueueFilters(q="漏水"))
    assert leaks.items and all("漏水" in r.description for r in leaks.items)
    open_page = selectors.request_queue(agent, "unassigned")
    assert all(r.is_open and r.assignee_id is None for r in open_page.items)
    dues = [r.due_at for r in open_page.items]
    assert dues == sorted(dues)


def test_new_requests_carry_on_the_numbering(seeded):
    agent = User.objects.get(username="seed-agent")
    house = (
        ServiceRequest.objects.filter(
            community_id__in=agent.communities.values("id"), house__isnull=False
        )
        .first()
        .house
    )
    last = (
        ServiceRequest.objects.filter(community=house.community, number__contains="2026")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    created = services.request_create(
        actor=agent,
        house=house,
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="新的报修",
    )
    assert int(created.number[-6:]) == int(last[-6:]) + 1
    assert created.created_at - START < datetime.timedelta(seconds=1)


def test_it_needs_a_registry(db):
    with pytest.raises(CommandError, match="seed a registry first"):
        call_command("seed_requests", "--requests", "10")
