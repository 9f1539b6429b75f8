"""Fixtures of the service-request tests: the personas at their desks, a frozen clock, helpers.

The clock stands at Monday 2026-03-16 09:30 in Shanghai (a working day) unless a test travels.
`desk.owner` is 张三 (the archive's owner) and `desk.owner_user` his portal login.
The agent and the supervisor work in customer service, the technician in engineering; a second
technician `tech2` lets round-robin show its turns. 张三 owns 3-2-1502 in community A.
"""

import datetime
import io
import struct
import zlib
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

SH = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=SH)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def frozen():
    """Time stands still at START; `frozen.move_to(at(...))` travels."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def departments(db):
    from propdesk.accounts.models import Department

    names = {
        "customer_service": "客服部",
        "engineering": "工程部",
        "security": "安保部",
        "cleaning": "保洁部",
        "greening": "绿化部",
        "finance": "财务部",
    }
    return {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in names.items()
    }


@pytest.fixture
def desk(frozen, personas, departments, house_a, zhang_san, house_b, community_a, community_b):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    for name, code in (
        ("agent", "customer_service"),
        ("supervisor", "customer_service"),
        ("technician", "engineering"),
        ("other_agent", "customer_service"),
    ):
        user = personas[name]
        user.department = departments[code]
        user.save(update_fields=["department"])
    tech2 = make_user("tech2", Role.TECHNICIAN, community_a)
    tech2.department = departments["engineering"]
    tech2.save(update_fields=["department"])
    owner_user = personas["owner"]
    zhang_san.user = owner_user
    zhang_san.save(update_fields=["user"])
    return SimpleNamespace(
        **{name: user for name, user in personas.items() if name != "owner"},
        owner_user=owner_user,
        tech2=tech2,
        house=house_a,
        owner=zhang_san,
        house_b=house_b,
        community_a=community_a,
        community_b=community_b,
        departments=departments,
    )


def new_request(actor, house, **values):
    from propdesk.tickets.services import request_create

    fields = {
        "kind": "repair",
        "category": "repair_water",
        "urgency": "normal",
        "description": "卫生间地漏反水，楼下天花板有水渍",
        "channel": "phone",
        "caller_name": "张三",
        "caller_mobile": "13812345678",
    }
    fields.update(values)
    return request_create(actor=actor, house=house, **fields)


@pytest.fixture
def make_request(desk):
    def make(actor=None, house=None, **values):
        return new_request(actor or desk.agent, house or desk.house, **values)

    return make


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "leak.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes() if content is None else content, "image/png")


def snapshot() -> dict:
    """Every row a request service could write, to show that a refusal changed nothing."""
    from django.apps import apps

    from propdesk.core.models import AuditEvent, NumberSequence, OutboxMessage

    models = [*apps.get_app_config("tickets").get_models(), OutboxMessage, NumberSequence]
    models.append(AuditEvent)
    state = {}
    for model in models:
        rows = model.objects.all()
        if model._meta.label == "tickets.RequestToken":
            state[model._meta.label] = sorted(
                rows.values_list("community_id", "token", "request_id")
            )
        else:
            state[model._meta.label] = list(rows.order_by("pk").values())
    return state


__all__ = ["START", "at", "io", "new_request", "photo", "png_bytes", "snapshot"]
