"""Equipment in two communities (a pump and a lift in A, a pump in B), and a night patrol."""

import datetime
import io
import json
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def message(community: str, code: str, metric: str, value, when: str | None = None):
    body = {"value": value} if when is None else {"value": value, "at": at(when).isoformat()}
    return f"propdesk/{community}/{code}/{metric}", json.dumps(body).encode()


@pytest.fixture(autouse=True)
def _fresh_directory():
    from propdesk.operations.readings import directory_clear

    directory_clear()
    yield
    directory_clear()


@pytest.fixture
def plant(personas, community_a, community_b, building_a, house_b):
    from propdesk.operations import services

    admin = personas["admin"]
    pump = services.equipment_register(
        actor=admin,
        community=community_a,
        building=building_a,
        code="pump-1",
        name="生活水泵1号",
        kind="pump",
        location="地下泵房",
    )
    lift = services.equipment_register(
        actor=admin,
        community=community_a,
        building=building_a,
        code="lift-3a",
        name="3栋A梯",
        kind="lift",
    )
    pump_b = services.equipment_register(
        actor=admin,
        community=community_b,
        building=house_b.building,
        code="pump-1",
        name="乙区水泵",
        kind="pump",
    )
    return SimpleNamespace(pump=pump, lift=lift, pump_b=pump_b, admin=admin)


@pytest.fixture
def night(personas, building_a, house_b):
    """A nightly route of four points in A from 22:00 (two hours allowed), and one point in B."""
    from propdesk.operations.models import PatrolRound
    from propdesk.operations.services import patrol

    supervisor = personas["supervisor"]
    points = [
        patrol.point_create(
            actor=supervisor,
            building=building_a,
            code=code,
            name=name,
            place=place,
            checklist="门窗关闭\n照明正常",
        )
        for code, name, place in [
            ("gate-n", "北门", "北门岗亭"),
            ("garage-1", "地库入口", "3栋地库"),
            ("pump-room", "泵房", "地下泵房"),
            ("roof-3", "3栋天台", "3栋顶层"),
        ]
    ]
    other = patrol.point_create(
        actor=personas["admin"], building=house_b.building, code="gate-n", name="乙区北门"
    )
    route = patrol.route_create(
        actor=supervisor,
        community=building_a.community,
        name="夜间安保巡逻",
        point_codes=[p.code for p in points],
    )
    plan = patrol.plan_create(
        actor=supervisor,
        route=route,
        name="每晚22点巡逻",
        every_days=1,
        starts_on=datetime.date(2026, 7, 1),
        start_time=datetime.time(22, 0),
        window_minutes=120,
        assignee=personas["guard"],
    )
    with time_machine.travel(at("2026-07-08 21:00"), tick=False):
        patrol.rounds_schedule()
    patrol_round = PatrolRound.objects.get()
    return patrol_round, points, other, plan


def workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("spending.xlsx", buffer.getvalue())


@pytest.fixture
def second(community_a):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    return make_user("supervisor2", Role.SUPERVISOR, community_a)


@pytest.fixture
def owner_account(personas, zhang_san):
    from propdesk.estates.models import Owner

    user = personas["owner"]
    Owner.objects.filter(pk=zhang_san.pk).update(user=user)
    return user
