"""Fixtures for the API tests: a filled registry, a caller per role and a database snapshot.

`api.get("agent", "/api/houses")` sends the request as that persona (a logged-in session);
`"anonymous"` sends it without credentials. `snapshot()` captures every registry, history,
access-log and token row, so a refused request can be shown to have changed nothing.
"""

import datetime
from types import SimpleNamespace

import pytest

from propdesk.api.tests.helpers import SECOND_ID, ApiCaller, pdf_file


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.fixture
def registry(personas, community_a, community_b, building_a, house_a, zhang_san, house_b):
    """Community A: 张三 owns 3-2-1502 with a resident, a vehicle, an agent, a power of attorney
    and a parking space; a second owner 李四 without a house. Community B: 王五 owns 1-1-101."""
    from propdesk.estates import services

    admin = personas["admin"]
    li_si = services.owner_create(
        actor=admin, community=community_a, name="李四", mobile="13700001111"
    )
    resident = services.resident_add(
        actor=admin,
        house=house_a,
        relation="family",
        name="张小三",
        mobile="13911112222",
        id_number=SECOND_ID,
    )
    vehicle = services.vehicle_add(actor=admin, house=house_a, plate="粤B12345", owner=zhang_san)
    poa = services.document_upload(
        actor=admin,
        community=community_a,
        doc_type="power_of_attorney",
        uploaded=pdf_file("poa.pdf"),
        house=house_a,
        owner=zhang_san,
        title="委托书",
    )
    agent = services.agent_add(
        actor=admin,
        house=house_a,
        owner=zhang_san,
        name="赵六",
        mobile="13600003333",
        id_number=SECOND_ID,
        scope="代办装修手续",
        power_of_attorney=poa,
        valid_from=datetime.date(2024, 1, 1),
    )
    space = services.parking_space_create(
        actor=admin, community=community_a, number="P-001", kind="dedicated"
    )
    wang_wu = services.owner_create(
        actor=admin, community=community_b, name="王五", mobile="13500005555"
    )
    services.ownership_add(actor=admin, house=house_b, owner=wang_wu)
    vehicle_b = services.vehicle_add(actor=admin, house=house_b, plate="京A99999", owner=wang_wu)
    space_b = services.parking_space_create(
        actor=admin, community=community_b, number="B-001", kind="shared"
    )
    return SimpleNamespace(
        community_a=community_a,
        community_b=community_b,
        building=building_a,
        house=house_a,
        owner=zhang_san,
        li_si=li_si,
        resident=resident,
        vehicle=vehicle,
        poa=poa,
        agent=agent,
        space=space,
        house_b=house_b,
        owner_b=wang_wu,
        vehicle_b=vehicle_b,
        space_b=space_b,
    )
