"""Fixtures of the custody tests: a frozen clock, keys of house_a (张三's 3-2-1502), a warranty
contractor, an entrusted agent with a power of attorney, a resident, and passes in each state.

The clock stands at 2026-07-10 10:00 in Shanghai unless a test moves it.
"""

import contextlib
import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
LEAD_ID = "110105198001010016"


@pytest.fixture(autouse=True)
def clock(request):
    if request.node.get_closest_marker("browser"):
        with time_machine.travel(NOW, tick=True) as traveller:
            yield traveller
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def custody_snapshot() -> dict:
    """Every row a custody write could touch, comparable before and after."""
    from propdesk.core.models import AuditEvent, NumberSequence, OutboxMessage

    models = [
        *apps.get_app_config("custody").get_models(),
        AuditEvent,
        NumberSequence,
        OutboxMessage,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def nothing_changes():
    """`with nothing_changes(), pytest.raises(...)`: no custody, history or outbox row changed."""

    @contextlib.contextmanager
    def check():
        before = custody_snapshot()
        yield
        assert custody_snapshot() == before

    return check


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


@pytest.fixture
def guard(personas):
    return personas["guard"]


@pytest.fixture
def pdf():
    def make(name="委托书.pdf", content=PDF_BYTES):
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make


@pytest.fixture
def house_key(agent, house_a, zhang_san):
    from propdesk.custody.services.keys import key_register

    return key_register(
        actor=agent,
        community=house_a.community,
        kind="house",
        label="K-3-2-1502",
        location="钥匙柜A-12",
        house=house_a,
    )


@pytest.fixture
def cabinet_key(agent, community_a):
    from propdesk.custody.services.keys import key_register

    return key_register(
        actor=agent, community=community_a, kind="cabinet", label="柜-01", location="前台抽屉"
    )


@pytest.fixture
def contractor(agent, community_a):
    from propdesk.custody.services.keys import contractor_add

    return contractor_add(
        actor=agent,
        community=community_a,
        company="安居维修公司",
        responsible_name="赵工",
        responsible_mobile="13700001111",
        responsible_id_number=LEAD_ID,
    )


@pytest.fixture
def poa(admin, house_a, zhang_san, pdf):
    """张三's power of attorney, filed in the archive of 3-2-1502."""
    from propdesk.estates import services

    return services.document_upload(
        actor=admin,
        community=house_a.community,
        doc_type="power_of_attorney",
        uploaded=pdf(),
        house=house_a,
        owner=zhang_san,
    )


@pytest.fixture
def entrusted(admin, house_a, zhang_san, poa):
    """李明, entrusted by 张三 for 3-2-1502 from 2026-07-01."""
    from propdesk.estates import services

    return services.agent_add(
        actor=admin,
        house=house_a,
        owner=zhang_san,
        name="李明",
        mobile="13900002222",
        id_number="110105198001010016",
        scope="代办钥匙、放行",
        valid_from=datetime.date(2026, 7, 1),
        power_of_attorney=poa,
    )


@pytest.fixture
def tenant(admin, house_a):
    """王租, a tenant of 3-2-1502."""
    from propdesk.estates import services

    return services.resident_add(
        actor=admin,
        house=house_a,
        relation="tenant",
        name="王租",
        mobile="13600003333",
        lease_start=datetime.date(2026, 1, 1),
        lease_end=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def owner_account(personas, zhang_san):
    """The owner persona's portal account is 张三's."""
    from propdesk.estates.models import Owner

    user = personas["owner"]
    Owner.objects.filter(pk=zhang_san.pk).update(user=user)
    zhang_san.refresh_from_db()
    return user


@pytest.fixture
def pending_pass(agent, house_a, zhang_san):
    from propdesk.custody.services.passes import release_pass_apply

    return release_pass_apply(
        actor=agent,
        house=house_a,
        applicant=zhang_san,
        items="沙发一套\n纸箱三个",
        release_on=TODAY,
        vehicle_plate="粤B12345",
    )


@pytest.fixture
def approved_pass(agent, pending_pass):
    from propdesk.custody.services.passes import release_pass_approve

    return release_pass_approve(actor=agent, release_pass=pending_pass)


@pytest.fixture
def api(personas):
    from propdesk.api.tests.helpers import ApiCaller

    return ApiCaller(personas)


@pytest.fixture
def world(
    agent,
    house_a,
    zhang_san,
    house_key,
    cabinet_key,
    contractor,
    pending_pass,
    owner_account,
    house_b,
    pdf,
):
    """One of everything in community A: keys (one lent to 张三), passes pending and approved,
    documents (one with a scan, one lent out)."""
    from types import SimpleNamespace

    from propdesk.custody.services.keys import key_lend
    from propdesk.custody.services.passes import release_pass_apply, release_pass_approve
    from propdesk.custody.services.register import document_lend, document_register

    key_lend(actor=agent, key=cabinet_key, purpose="staff", staff=agent, witness=agent_two(agent))
    approved = release_pass_approve(
        actor=agent,
        release_pass=release_pass_apply(
            actor=agent, house=house_a, applicant=zhang_san, items="床垫", release_on=TODAY
        ),
    )
    document = document_register(
        actor=agent,
        community=house_a.community,
        category="incoming",
        title="电梯年检通知",
        location="档案柜1",
        scan=pdf("通知.pdf"),
    )
    lent = document_register(
        actor=agent,
        community=house_a.community,
        category="drawing",
        title="总平图",
        location="图纸柜",
    )
    document_lend(actor=agent, document=lent, borrower_name="刘工", purpose="查阅", due_on=TODAY)
    return SimpleNamespace(
        community=house_a.community,
        house=house_a,
        owner=zhang_san,
        key=house_key,
        lent_key=cabinet_key,
        contractor=contractor,
        pending=pending_pass,
        approved=approved,
        document=document,
        lent_document=lent,
        house_b=house_b,
    )


def agent_two(agent):
    """A second front-desk agent of community A, to supervise a cabinet opening."""
    from propdesk.accounts.models import Role, User

    user = User.objects.filter(username="agent2").first()
    if user is None:
        user = User.objects.create_user("agent2", password="pw-agent2", role=Role.AGENT)
        user.communities.set(agent.communities.all())
    return user
