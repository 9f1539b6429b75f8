"""Fixtures of the community tests: departments, building 3 of community A with owners (some
with portal accounts and quiet hours on), a resident, staff by department, and a frozen clock at
2026-07-10 15:00 in Shanghai (the afternoon of seed 003's power cut) unless a test moves it."""

import contextlib
import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

from propdesk.conftest import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 7, 10, 15, 0, tzinfo=SHANGHAI)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock(request):
    if request.node.get_closest_marker("browser"):
        with time_machine.travel(NOW, tick=True) as traveller:
            yield traveller
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _log_transports(settings):
    settings.OUTBOX_TRANSPORTS = {}
    settings.SMS_PROVIDER = "log"


def community_snapshot() -> dict:
    """Every row a community write could touch, comparable before and after."""
    from propdesk.core.models import AuditEvent, NumberSequence, OutboxMessage
    from propdesk.tickets.models import ServiceRequest

    models = [
        *apps.get_app_config("community").get_models(),
        AuditEvent,
        NumberSequence,
        OutboxMessage,
        ServiceRequest,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def nothing_changes():
    """`with nothing_changes(), pytest.raises(...)`: no community, history or outbox row changed."""

    @contextlib.contextmanager
    def check():
        before = community_snapshot()
        yield
        assert community_snapshot() == before

    return check


@pytest.fixture
def departments(db):
    from propdesk.accounts.models import Department

    return {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in [
            ("customer_service", "客服部"),
            ("engineering", "工程部"),
            ("security", "安保部"),
            ("cleaning", "保洁部"),
        ]
    }


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


@pytest.fixture
def other_supervisor(personas, community_b):
    """A supervisor of community B only."""
    from propdesk.accounts.models import Role

    return make_user("other_supervisor", Role.SUPERVISOR, community_b)


@pytest.fixture
def guard(personas):
    return personas["guard"]


@pytest.fixture
def staff(personas, departments, community_a):
    """An engineer and a guard with mobiles and departments; the supervisor with a mobile."""
    from propdesk.accounts.models import User

    User.objects.filter(pk=personas["technician"].pk).update(
        department=departments["engineering"], mobile="13900000001", email="eng@example.com"
    )
    User.objects.filter(pk=personas["guard"].pk).update(
        department=departments["security"], mobile="13900000002"
    )
    User.objects.filter(pk=personas["supervisor"].pk).update(mobile="13900000003")
    User.objects.filter(pk=personas["agent"].pk).update(department=departments["customer_service"])
    for name in ("technician", "guard", "supervisor", "agent"):
        personas[name].refresh_from_db()
    return personas


@pytest.fixture
def building_3(house_a):
    return house_a.building


@pytest.fixture
def owner_a(personas, zhang_san):
    """The `owner` persona is 张三's portal account (3-2-1502, building 3 of community A),
    with quiet hours on (22:00–08:00 by default)."""
    from propdesk.accounts.models import User
    from propdesk.estates.models import Owner

    Owner.objects.filter(pk=zhang_san.pk).update(user=personas["owner"])
    User.objects.filter(pk=personas["owner"].pk).update(mobile="13812345678")
    personas["owner"].refresh_from_db()
    return personas["owner"]


def add_owner(admin, house, name, mobile, *, username=None):
    from propdesk.accounts.models import Role
    from propdesk.estates import services
    from propdesk.estates.models import Owner

    owner = services.owner_create(actor=admin, community=house.community, name=name, mobile=mobile)
    services.ownership_add(
        actor=admin, house=house, owner=owner, start_on=datetime.date(2022, 1, 1)
    )
    if username:
        user = make_user(username, Role.OWNER)
        user.mobile = mobile
        user.save(update_fields=["mobile"])
        Owner.objects.filter(pk=owner.pk).update(user=user)
        return user
    return owner


def add_house(admin, building, unit, number, floor=1):
    from decimal import Decimal

    from propdesk.estates import services

    return services.house_create(
        actor=admin,
        building=building,
        unit_number=unit,
        number=number,
        floor=floor,
        area_m2=Decimal("80.00"),
        status="occupied",
    )


@pytest.fixture
def neighbours(admin, building_3, owner_a):
    """Building 3: 张三 (account) at 2-1502; 李四 (no account) at 1-101; 王五 (account) at 1-102
    with a resident 赵六 (family, mobile); building 4 has 钱七, who is never affected."""
    from propdesk.estates import services

    h101 = add_house(admin, building_3, "1", "101")
    h102 = add_house(admin, building_3, "1", "102")
    li_si = add_owner(admin, h101, "李四", "13700000001")
    wang_wu = add_owner(admin, h102, "王五", "13700000002", username="wangwu")
    services.resident_add(
        actor=admin, house=h102, relation="family", name="赵六", mobile="13700000003"
    )
    building_4 = services.building_create(actor=admin, community=building_3.community, number="4")
    h401 = add_house(admin, building_4, "1", "401")
    qian_qi = add_owner(admin, h401, "钱七", "13700000004")
    return {
        "h101": h101,
        "h102": h102,
        "h401": h401,
        "li_si": li_si,
        "wang_wu": wang_wu,
        "qian_qi": qian_qi,
        "building_4": building_4,
    }


@pytest.fixture
def open_power_cut(staff, neighbours, building_3, django_capture_on_commit_callbacks):
    """A power cut in building 3, opened by the agent; its first broadcast queued."""
    from propdesk.community.services.incidents import incident_open

    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_open(
            actor=staff["agent"],
            community=building_3.community,
            kind="power_cut",
            severity="major",
            place="3号楼",
            building_ids=[building_3.id],
            expected_restore_at=at("2026-07-10 19:00"),
        )
    incident.refresh_from_db()
    return incident


@pytest.fixture
def api(personas):
    from propdesk.api.tests.helpers import ApiCaller

    return ApiCaller(personas)


@pytest.fixture
def world(open_power_cut, staff, neighbours, house_a, house_b, admin, supervisor):
    """An active power cut in building 3 of A (with a closed one to follow up), a request of A and
    one of B, and B's own active incident."""
    from types import SimpleNamespace

    from propdesk.community.services.incidents import incident_close, incident_open
    from propdesk.tickets.services.intake import request_create

    closed = incident_open(
        actor=supervisor,
        community=house_a.community,
        kind="lift",
        severity="minor",
        place="3号楼2单元电梯",
        building_ids=[house_a.building_id],
        is_drill=True,
    )
    incident_close(
        actor=supervisor, incident=closed, cause="维保", measures="已救出", prevention="加强巡检"
    )
    request_a = request_create(
        actor=admin,
        kind="repair",
        category="repair_electric",
        urgency="emergency",
        description="停电",
        house=neighbours["h101"],
    )
    request_b = request_create(
        actor=admin,
        kind="repair",
        category="repair_electric",
        urgency="emergency",
        description="停电",
        house=house_b,
    )
    incident_b = incident_open(
        actor=admin,
        community=house_b.community,
        kind="power_cut",
        severity="major",
        place="1号楼",
        whole_community=True,
    )
    return SimpleNamespace(
        community=house_a.community,
        incident=open_power_cut,
        task=open_power_cut.tasks.order_by("position").first(),
        closed=closed,
        item=closed.follow_ups.get(),
        house=neighbours["h101"],
        request=request_a,
        request_b=request_b,
        house_b=house_b,
        incident_b=incident_b,
        building=house_a.building,
    )
