"""`propdesk seed --houses N`: a synthetic registry written set-based (estates.seeding)."""

import io
import random
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from propdesk.accounts.models import Role, User
from propdesk.core.pinyin import name_keys
from propdesk.core.validators import normalize_mobile, normalize_plate, normalize_resident_id
from propdesk.estates import search, seeding
from propdesk.estates.models import (
    Building,
    Community,
    Company,
    House,
    HouseStatus,
    HouseStatusChange,
    Owner,
    Ownership,
    ParkingSpace,
    Resident,
    Unit,
    Vehicle,
)

HOUSE_CODE = re.compile(r"^[1-9]\d*-[1-3]-[1-9]\d?0[1-4]$")


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed", stdout=out, **options)
    return out.getvalue()


def test_it_seeds_houses_in_communities_with_owners(db):
    output = seed(houses=200, communities=2, seed=7)

    assert list(Community.objects.order_by("code").values_list("code", flat=True)) == [
        "SD00001",
        "SD00002",
    ]
    assert [c.houses.count() for c in Community.objects.order_by("code")] == [100, 100]
    assert House.objects.count() == 200
    assert HouseStatusChange.objects.count() == 200
    assert "100.0 %" in output and "rows/s" in output
    assert "seed-agent" in output and "seed-admin" in output


def test_house_codes_are_building_unit_room(db):
    seed(houses=200, communities=2)

    for house in House.objects.select_related("building", "unit"):
        assert HOUSE_CODE.match(house.code), house.code
        assert house.code == f"{house.building.number}-{house.unit.number}-{house.number}"
        assert house.number == f"{house.floor}{house.number[-2:]}"
        assert house.unit.building_id == house.building_id
        assert house.community_id == house.building.community_id == house.unit.community_id


def test_every_sold_house_has_one_primary_owner_and_unsold_ones_none(db):
    seed(houses=200, communities=2)

    sold = House.objects.exclude(status=HouseStatus.UNSOLD)
    primaries = Ownership.objects.filter(is_primary=True, end_on__isnull=True)
    assert sorted(primaries.values_list("house_id", flat=True)) == sorted(
        sold.values_list("id", flat=True)
    )
    assert not Ownership.objects.filter(house__status=HouseStatus.UNSOLD).exists()
    assert Owner.objects.count() == Ownership.objects.count()
    assert not Ownership.objects.exclude(community_id=F("house__community_id")).exists()
    assert not Ownership.objects.exclude(community_id=F("owner__community_id")).exists()


def test_people_and_vehicles_carry_valid_data(db):
    seed(houses=200, communities=2)

    for owner in Owner.objects.all():
        assert (owner.name_pinyin, owner.name_initials) == name_keys(owner.name)
        assert normalize_mobile(owner.mobile) == owner.mobile
        assert owner.mobile_tail == owner.mobile[-4:]
        assert normalize_resident_id(owner.id_number) == owner.id_number
    for resident in Resident.objects.all():
        assert (resident.name_pinyin, resident.name_initials) == name_keys(resident.name)
        assert resident.mobile_tail == resident.mobile[-4:]
        assert resident.house.status == HouseStatus.OCCUPIED
    assert Vehicle.objects.exists()
    for vehicle in Vehicle.objects.all():
        assert normalize_plate(vehicle.plate) == (vehicle.plate, vehicle.is_new_energy)
    for space in ParkingSpace.objects.select_related("vehicle"):
        assert space.vehicle.house_id == space.house_id


def test_it_creates_an_agent_of_two_communities_and_an_admin(db):
    seed(houses=300, communities=3)

    agent = User.objects.get(username=seeding.SEED_AGENT_USERNAME)
    admin = User.objects.get(username=seeding.SEED_ADMIN_USERNAME)
    assert agent.role == Role.AGENT
    assert list(agent.communities.order_by("code").values_list("code", flat=True)) == [
        "SD00001",
        "SD00002",
    ]
    assert admin.role == Role.ADMIN
    assert agent.check_password(seeding.DEFAULT_PASSWORD)


def test_seeded_owners_are_found_by_their_initials(db):
    seed(houses=200, communities=2)
    agent = User.objects.get(username=seeding.SEED_AGENT_USERNAME)
    owner = next(
        o
        for o in Owner.objects.order_by("id")
        if Owner.objects.filter(name_initials__startswith=o.name_initials).count() <= 5
    )

    hits = search.registry_search(agent, owner.name_initials)

    assert owner.id in {hit.owner_id for hit in hits}
    assert all(name_keys(hit.person_name)[1].startswith(owner.name_initials) for hit in hits)


def test_the_same_seed_gives_the_same_rows():
    def rows(seed_value):
        ids = seeding._IdAllocator([])
        ids._next = dict.fromkeys(seeding.TABLE_FIELDS, 1)
        rng = random.Random(seed_value)
        adapt = seeding._Adapters(connection)
        return seeding._CommunityRows(0, 1, rng, ids, seeding._NameKeys(), adapt).build(50)

    assert rows(1) == rows(1)
    assert rows(1) != rows(2)


def test_seeding_again_adds_communities_and_moves_the_id_sequences(db):
    seed(houses=20, communities=1)
    seed(houses=20, communities=1)

    assert list(Community.objects.order_by("code").values_list("code", flat=True)) == [
        "SD00001",
        "SD00002",
    ]
    assert House.objects.count() == 40
    assert User.objects.count() == 2
    # Rows written after the seed get fresh ids (PostgreSQL's identity sequences were moved on).
    community = Community.objects.first()
    building = Building.objects.create(community=community, number="99")
    assert building.id > Building.objects.exclude(id=building.id).latest("id").id
    unit = Unit.objects.create(community=community, building=building, number="1")
    house = House.objects.create(
        community=community,
        building=building,
        unit=unit,
        number="101",
        code="99-1-101",
        floor=1,
        area_m2="80",
    )
    assert house.id == 41


def test_it_refuses_a_database_holding_other_data(db):
    Company.objects.create(name="测试物业")

    with pytest.raises(CommandError, match="--force"):
        seed(houses=10)

    assert not Community.objects.exists()
    assert not House.objects.exists()
    assert not User.objects.exists()


def test_it_refuses_a_database_with_other_users(db):
    User.objects.create_user("someone", password="pw-someone")

    with pytest.raises(CommandError, match="1 users"):
        seed(houses=10)

    assert not House.objects.exists()


def test_force_seeds_beside_other_data(db):
    Company.objects.create(name="测试物业")

    seed(houses=10, force=True)

    assert House.objects.count() == 10
    assert Company.objects.count() == 2


def test_it_rejects_a_bad_number_of_houses(db):
    with pytest.raises(CommandError):
        seed(houses=0)
    with pytest.raises(CommandError):
        seed(houses=5, communities=6)
    assert not Company.objects.exists()


def test_an_error_while_making_rows_reaches_the_caller():
    def rows():
        yield 1
        raise RuntimeError("bad row")

    made = seeding._made_ahead(rows())

    assert next(made) == 1
    with pytest.raises(RuntimeError, match="bad row"):
        next(made)
