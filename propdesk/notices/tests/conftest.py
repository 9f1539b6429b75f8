"""Owners with portal accounts in two buildings of community A and one in community B."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from propdesk.conftest import make_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(at("2026-07-08 10:00"), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _log_transports(settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "log"


@pytest.fixture
def owner_a(personas, zhang_san):
    """The `owner` persona is 张三's portal account (3-2-1502, building 3 of community A)."""
    from propdesk.estates.models import Owner

    Owner.objects.filter(pk=zhang_san.pk).update(user=personas["owner"])
    return personas["owner"]


@pytest.fixture
def building_4(community_a, admin):
    from propdesk.estates import services

    return services.building_create(actor=admin, community=community_a, number="4")


def _owner_with_account(admin, house, username, name, mobile, id_number):
    from propdesk.accounts.models import Role
    from propdesk.estates import services
    from propdesk.estates.models import Owner

    owner = services.owner_create(
        actor=admin, community=house.community, name=name, mobile=mobile, id_number=id_number
    )
    services.ownership_add(
        actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    user = make_user(username, Role.OWNER)
    Owner.objects.filter(pk=owner.pk).update(user=user)
    return user


@pytest.fixture
def house_a4(building_4, admin):
    from propdesk.estates import services

    return services.house_create(
        actor=admin,
        building=building_4,
        unit_number="1",
        number="101",
        floor=1,
        area_m2=Decimal("90"),
        status="occupied",
    )


@pytest.fixture
def owner_a4(admin, house_a4):
    """李四 owns 4-1-101 in community A (another building)."""
    return _owner_with_account(admin, house_a4, "lisi", "李四", "13912345678", "110105194912310011")


@pytest.fixture
def owner_b(admin, house_b):
    """王五 owns 1-1-101 in community B."""
    return _owner_with_account(
        admin, house_b, "wangwu", "王五", "13712345678", "110105194912310038"
    )
