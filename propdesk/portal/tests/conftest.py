"""Fixtures of the owner-portal tests.

The clock stands at Friday 2026-07-10 10:00 in Shanghai. Community A: 张三 (13812345678) owns
3-2-1502 (house_a), 王五 (13700000003) rents it, 赵六 (13600000004) is 张三's entrusted agent, and
3-2-1502 owes July's fee. Community B: 李四 (13900000002) owns 1-1-101 (house_b), which owes
its July fee too. Portal accounts are made as the sign-in makes them (account_for_mobile).
"""

import datetime
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=SH)
ZHANG, LI, WANG, ZHAO = "13812345678", "13900000002", "13700000003", "13600000004"
PDF = b"%PDF-1.4\n%power of attorney\n"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def jpeg(width: int = 40, height: int = 30, color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="JPEG")
    return out.getvalue()


def photo(name: str = "leak.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if content is None else content, "image/jpeg")


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
def world(personas, admin, house_a, zhang_san, house_b, community_a, community_b, departments):
    """The registry and fees described above, with each person's portal account."""
    from propdesk.billing.services.runs import billing_run_execute, billing_run_start
    from propdesk.billing.services.schedule import billing_defaults_ensure
    from propdesk.estates import services as estates
    from propdesk.estates.services.documents import document_upload
    from propdesk.portal.services.signin import account_for_mobile

    personas["technician"].department = departments["engineering"]
    personas["technician"].save(update_fields=["department"])
    li_si = estates.owner_create(actor=admin, community=community_b, name="李四", mobile=LI)
    estates.ownership_add(
        actor=admin, house=house_b, owner=li_si, start_on=datetime.date(2022, 1, 1)
    )
    estates.house_change_status(actor=admin, house=house_b, status="occupied")
    tenant = estates.resident_add(
        actor=admin,
        house=house_a,
        relation="tenant",
        name="王五",
        mobile=WANG,
        lease_start=datetime.date(2026, 1, 1),
        lease_end=datetime.date(2027, 12, 31),
    )
    attorney = document_upload(
        actor=admin,
        community=community_a,
        doc_type="power_of_attorney",
        uploaded=SimpleUploadedFile("poa.pdf", PDF, "application/pdf"),
        house=house_a,
    )
    agent = estates.agent_add(
        actor=admin,
        house=house_a,
        owner=zhang_san,
        name="赵六",
        mobile=ZHAO,
        id_number="110105198001010016",
        scope="代办缴费和报修",
        power_of_attorney=attorney,
        valid_from=datetime.date(2026, 1, 1),
    )
    for community in (community_a, community_b):
        billing_defaults_ensure(community=community)
        run = billing_run_start(actor=admin, period=datetime.date(2026, 7, 1), community=community)
        billing_run_execute(run.id)
    from propdesk.billing.models import Bill

    return SimpleNamespace(
        community=community_a,
        community_b=community_b,
        house=house_a,
        house_b=house_b,
        zhang_san=zhang_san,
        li_si=li_si,
        tenant=tenant,
        agent=agent,
        bill=Bill.objects.get(house=house_a),
        bill_b=Bill.objects.get(house=house_b),
        zhang=account_for_mobile(ZHANG),
        li=account_for_mobile(LI),
        wang=account_for_mobile(WANG),
        zhao=account_for_mobile(ZHAO),
        stranger=account_for_mobile("13500000005"),
        personas=personas,
    )


def portal_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def request_b(world):
    """A request of 李四's house in community B (the foreign id in security tests)."""
    from propdesk.portal.services.requests import request_submit

    return request_submit(
        actor=world.li,
        house_id=world.house_b.pk,
        kind="repair",
        category="repair_water",
        description="厨房水管漏水",
        photos=[photo()],
    )


@pytest.fixture
def paid_b(world):
    """李四 paid house B's bill at the desk: a payment and receipt of another house."""
    from propdesk.billing.services.payments import payment_take
    from propdesk.conftest import make_user

    cashier_b = make_user("cashier_b", "cashier", world.community_b)
    return payment_take(
        actor=cashier_b,
        house=world.house_b,
        amount=world.bill_b.amount,
        method="cash",
        idempotency_key="portal-test-b-0001",
    )


# --- the payment providers' loopback stand-ins ------------------------------------------------
# A free port each (0): the suite runs in several processes at once, each with its own stand-ins.
WECHAT_PORT = 0
ALIPAY_PORT = 0


@pytest.fixture(scope="session")
def wechat_server():
    from propdesk.portal.payments.standins.wechat import WeChatPayStandIn

    server = WeChatPayStandIn(WECHAT_PORT).start()
    yield server
    server.stop()


@pytest.fixture
def wechat(wechat_server, world, settings):
    """WeChat Pay configured for the test company, its API the stand-in (sandbox still on)."""
    from propdesk.portal.services.provider_settings import credentials_save

    wechat_server.reset()
    settings.PORTAL_WECHATPAY_API_BASE = wechat_server.base_url
    settings.PORTAL_PAYMENT_PROVIDER = "wechat"
    credentials_save(
        actor=world.personas["admin"],
        company_id=world.community.company_id,
        provider="wechat",
        values=wechat_server.credentials(),
    )
    return wechat_server


def post_notification(client, provider: str, notification):
    """POST a provider's notification (headers, body) to the product's callback endpoint."""
    headers, body = notification
    extra = {
        "HTTP_" + k.upper().replace("-", "_"): v
        for k, v in headers.items()
        if k.lower() != "content-type"
    }
    content_type = headers.get("Content-Type", "application/json")
    return client.post(
        f"/api/portal/payments/callback/{provider}", body, content_type=content_type, **extra
    )


@pytest.fixture(scope="session")
def alipay_server():
    from propdesk.portal.payments.standins.alipay import AlipayStandIn

    server = AlipayStandIn(ALIPAY_PORT).start()
    yield server
    server.stop()


@pytest.fixture
def alipay(alipay_server, world, settings):
    """Alipay configured for the test company, its gateway the stand-in."""
    from propdesk.portal.services.provider_settings import credentials_save

    alipay_server.reset()
    settings.PORTAL_ALIPAY_GATEWAY = alipay_server.gateway
    credentials_save(
        actor=world.personas["admin"],
        company_id=world.community.company_id,
        provider="alipay",
        values=alipay_server.credentials(),
    )
    return alipay_server
