"""The demo procedures are made through the services and land in their various stages."""

import random

import pytest

from propdesk.frontdesk.demo import load_demo_frontdesk
from propdesk.frontdesk.models import DecorationPermit, MoveIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def occupied_houses(admin, building_a, zhang_san, house_a, schedule_a):
    from propdesk.estates import services

    for number in ("1801", "1802", "1901"):
        house = services.house_create(
            actor=admin,
            building=building_a,
            unit_number="2",
            number=number,
            floor=int(number[:2]),
            area_m2="95",
            status="occupied",
        )
        services.ownership_add(actor=admin, house=house, owner=zhang_san)


@pytest.fixture
def vacant_houses(admin, building_a, li_si, new_house):
    from propdesk.estates import services

    for number in ("1602", "1702"):
        house = services.house_create(
            actor=admin,
            building=building_a,
            unit_number="2",
            number=number,
            floor=int(number[:2]),
            area_m2="88",
            status="vacant",
        )
        services.ownership_add(actor=admin, house=house, owner=li_si)


def test_the_demo_has_procedures_at_every_stage(
    personas, community_a, vacant_houses, occupied_houses
):
    result = load_demo_frontdesk(communities=[community_a], rng=random.Random(7))
    assert result.move_ins == {"in_progress": 2, "completed": 1}
    done = sorted(m.steps.filter(done_at__isnull=False).count() for m in MoveIn.objects.all())
    assert done == [4, 7, 10]
    completed = MoveIn.objects.get(status="completed")
    assert completed.house.status == "occupied"
    assert result.inspections == 2  # the move-in's, and an open one of an occupied house
    statuses = sorted(DecorationPermit.objects.values_list("status", flat=True))
    assert statuses == ["applied", "completed", "issued"]
    assert result.repair_requests == 2  # a failed inspection item and a patrol finding
    # The first community takes a deposit: billed with each application, the accepted one's
    # refund waiting for a supervisor.
    deposits = dict(DecorationPermit.objects.values_list("status", "deposit_refund__status"))
    assert deposits == {"applied": None, "issued": None, "completed": "pending"}
    assert all(p.deposit_bill_id for p in DecorationPermit.objects.all())
    again = load_demo_frontdesk(communities=[community_a], rng=random.Random(7))
    assert again.move_ins == {} and MoveIn.objects.count() == 3
