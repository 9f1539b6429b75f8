"""The demo loader makes keys, loans (one overdue), passes in every state and documents through
the services, for a registry with owners and staff."""

import datetime
import random
from decimal import Decimal

import pytest

from propdesk.custody.demo import load_demo_custody
from propdesk.custody.models import Key, KeyLoan, RegisteredDocument, ReleasePass


@pytest.fixture
def registry(admin, community_a, building_a, personas):
    from propdesk.estates import services

    for n in range(14):
        house = services.house_create(
            actor=admin,
            building=building_a,
            unit_number="1",
            number=f"{n + 1:02d}01",
            floor=n + 1,
            area_m2=Decimal("88.00"),
            status="occupied",
        )
        owner = services.owner_create(actor=admin, community=community_a, name=f"业主{n}")
        services.ownership_add(
            actor=admin, house=house, owner=owner, start_on=datetime.date(2020, 1, 1)
        )
    return community_a


def test_the_demo_has_every_state(registry):
    result = load_demo_custody(communities=[registry], rng=random.Random(7))
    assert result.keys == Key.objects.count() == 13
    assert KeyLoan.objects.filter(returned_at__isnull=True).count() == 3
    overdue = [
        loan for loan in KeyLoan.objects.filter(returned_at__isnull=True) if loan.is_overdue()
    ]
    assert len(overdue) == 1 and overdue[0].overdue_flagged_at is not None
    states = sorted(p.state() for p in ReleasePass.objects.all())
    assert states == sorted(
        ["expired", "used", "approved", "approved", "pending", "pending", "rejected"]
    )
    assert result.passes == {"pending": 2, "approved": 2, "used": 1, "expired": 1, "rejected": 1}
    assert RegisteredDocument.objects.count() == result.documents == 9
    assert RegisteredDocument.objects.filter(status="lent").count() == 1


def test_the_demo_skips_a_community_without_staff(community_b):
    result = load_demo_custody(communities=[community_b], rng=random.Random(7))
    assert (result.keys, result.documents) == (0, 0)
