"""Fixtures of the front-desk tests: a frozen clock, a vacant house 3-2-1601 owned by 李四 with an
entrusted agent 王五 (power of attorney filed), community A's fee schedule, and helpers to
bill and pay. house_a (3-2-1502, occupied) belongs to 张三 (propdesk/conftest.py)."""

import datetime
import io
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
AGENT_ID = "110105198001010016"
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def clock(request):
    if "live_server" in request.fixturenames:
        with time_machine.travel(NOW, tick=True) as traveller:
            yield traveller
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _frontdesk_defaults(request):
    """Put back the seeded defaults after a transactional test flushed them."""
    if not ({"db", "transactional_db", "live_server"} & set(request.fixturenames)) and not (
        request.node.get_closest_marker("django_db")
    ):
        yield
        return
    request.getfixturevalue("_seeded_configuration")
    from importlib import import_module

    from django.apps import apps

    import_module("propdesk.frontdesk.migrations.0002_seed_configuration").seed(apps, None)
    yield


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


@pytest.fixture
def technician(personas):
    return personas["technician"]


@pytest.fixture
def schedule_a(community_a):
    from propdesk.billing.services.schedule import billing_defaults_ensure

    billing_defaults_ensure(community=community_a)
    return community_a


@pytest.fixture
def new_house(building_a, admin, schedule_a):
    """3-2-1601, 120 m², vacant since its delivery on 2026-06-01: nobody has moved in yet."""
    from propdesk.estates import services

    return services.house_create(
        actor=admin,
        building=building_a,
        unit_number="2",
        number="1601",
        floor=16,
        area_m2=Decimal("120.00"),
        status="vacant",
        delivered_on=datetime.date(2026, 6, 1),
    )


@pytest.fixture
def li_si(new_house, admin):
    from propdesk.estates import services

    owner = services.owner_create(
        actor=admin, community=new_house.community, name="李四", mobile="13900001111"
    )
    services.ownership_add(
        actor=admin, house=new_house, owner=owner, start_on=datetime.date(2026, 6, 1)
    )
    return owner


def pdf_upload(name="scan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def png_upload(name="photo.png"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def wang_wu(new_house, li_si, admin):
    """王五, entrusted by 李四 for 3-2-1601, power of attorney in the house's archive."""
    from propdesk.estates import services

    poa = services.document_upload(
        actor=admin,
        community=new_house.community,
        doc_type="power_of_attorney",
        uploaded=pdf_upload("poa.pdf"),
        house=new_house,
        owner=li_si,
    )
    return services.agent_add(
        actor=admin,
        house=new_house,
        owner=li_si,
        name="王五",
        mobile="13700002222",
        id_number=AGENT_ID,
        scope="入伙、装修",
        power_of_attorney=poa,
        valid_from=datetime.date(2026, 6, 1),
    )


def bill_fee(actor, house):
    """A one-off bill the house then owes: the shared-utility deposit of 500.00."""
    from propdesk.billing.services.bills import utility_deposit_bill

    return utility_deposit_bill(actor=actor, house=house)


def pay_all(house, actor=None):
    """Pay everything the house owes at the cashier desk."""
    from propdesk.accounts.models import User
    from propdesk.billing.selectors.accounts import house_dues
    from propdesk.billing.services.payments import payment_take

    dues = house_dues(house)
    if not dues.owes:
        return None
    actor = actor or User.objects.get(username="cashier")
    return payment_take(
        actor=actor,
        house=house,
        amount=str(dues.outstanding),
        method="cash",
        idempotency_key=f"frontdesk-test-{next(_keys):06d}",
    )


@pytest.fixture
def move_in_by_agent(agent, new_house, li_si, wang_wu):
    from propdesk.frontdesk.services.move_in import move_in_start

    return move_in_start(
        actor=agent, house=new_house, owner=li_si, applicant_kind="agent", agent=wang_wu
    )


def tick_documents(actor, move_in):
    from propdesk.frontdesk.services.move_in import move_in_item_set

    for item in move_in.items.filter(group="document"):
        move_in_item_set(actor=actor, move_in=move_in, group="document", code=item.code)


def tick_forms(actor, move_in):
    from propdesk.frontdesk.services.move_in import move_in_item_set

    for item in move_in.items.filter(group="form"):
        move_in_item_set(actor=actor, move_in=move_in, group="form", code=item.code)


def steps_until(actor, move_in, last: str):
    """Do the steps in order up to and including `last` (checklists ticked on the way)."""
    from propdesk.frontdesk.procedures import STEP_CODES
    from propdesk.frontdesk.services.move_in import move_in_step_complete

    for code in STEP_CODES:
        step = move_in.steps.get(code=code)
        if not step.is_done:
            if code == "verify":
                tick_documents(actor, move_in)
            if code == "collect_forms":
                tick_forms(actor, move_in)
            move_in_step_complete(actor=actor, move_in=move_in, code=code)
        if code == last:
            return


def record_all(actor, inspection, *, fail: set[str] = frozenset(), photo=False):
    """Record every line: pass, except the names in `fail`."""
    from propdesk.frontdesk.services.inspection import inspection_result_record

    for result in inspection.results.order_by("position"):
        failed = result.name in fail
        inspection_result_record(
            actor=actor,
            result=result,
            outcome="fail" if failed else "pass",
            note="墙面开裂" if failed else "",
            photo=png_upload() if failed and photo else None,
        )


def permit_for(agent, house, owner, **overrides):
    """A decoration application by `owner` for `house`, with a plan, through the service."""
    from propdesk.frontdesk.services.decoration import permit_apply

    values = {
        "applicant_kind": "owner",
        "contractor_name": "安居装饰公司",
        "contractor_leader": "赵师傅",
        "contractor_mobile": "13600003333",
        "scope": "厨卫翻新，更换地板",
        "starts_on": TODAY,
        "ends_on": TODAY + datetime.timedelta(days=30),
        "workers": 4,
        "plan_files": [pdf_upload("plan.pdf")],
        **overrides,
    }
    return permit_apply(actor=agent, house=house, owner=owner, **values)


@pytest.fixture
def permit_ready(agent, supervisor, house_a, zhang_san, schedule_a):
    """An application for 3-2-1502 by 张三 with a plan; the fee not yet paid."""
    return permit_for(agent, house_a, zhang_san)


def snapshot() -> dict:
    """Every row a front-desk write could touch, comparable before and after."""
    from django.apps import apps

    from propdesk.core.models import AuditEvent, NumberSequence, OutboxMessage

    models = [
        *apps.get_app_config("frontdesk").get_models(),
        *apps.get_app_config("estates").get_models(),
        *apps.get_app_config("tickets").get_models(),
        *apps.get_app_config("billing").get_models(),
        AuditEvent,
        NumberSequence,
        OutboxMessage,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def api(personas):
    from propdesk.api.tests.helpers import ApiCaller

    return ApiCaller(personas)


@pytest.fixture
def accepted_with_deposit(agent, supervisor, house_a, zhang_san, schedule_a):
    """Works accepted under a permit whose 2,000.00 deposit was paid at the cashier desk."""
    from propdesk.frontdesk.services import configure, decoration

    configure.decoration_rules_update(
        actor=supervisor, community=house_a.community, deposit_required=True, deposit="2000.00"
    )
    permit = permit_for(agent, house_a, zhang_san)
    pay_all(house_a)
    decoration.permit_identity_verify(actor=agent, permit=permit)
    decoration.permit_plan_review(actor=supervisor, permit=permit, approve=True)
    decoration.permit_agreement_sign(actor=agent, permit=permit)
    decoration.permit_issue(actor=agent, permit=permit)
    return decoration.permit_accept(actor=agent, permit=permit)
