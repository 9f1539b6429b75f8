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
def _seeded_templates(request):
    """Put back the seeded templates after a transactional test flushed them."""
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return
    from importlib import import_module

    from django.apps import apps

    from propdesk.notices.models import NotificationTemplate

    names = set(request.fixturenames)
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    if not NotificationTemplate.objects.exists():
        import_module("propdesk.notices.migrations.0002_seed_templates").seed(apps, None)


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


@pytest.fixture
def api(personas):
    from propdesk.api.tests.helpers import ApiCaller

    return ApiCaller(personas)


def notices_snapshot() -> dict:
    """Every row a notices call could write, comparable before and after."""
    from django.apps import apps

    from propdesk.core.models import AuditEvent, OutboxMessage

    models = [*apps.get_app_config("notices").get_models(), AuditEvent, OutboxMessage]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def world(personas, community_a, community_b, owner_a, owner_a4, owner_b, building_4):
    """Published (and delivered, as the worker does after commit): one for all of A, one for
    A's building 4 only, one for B; a draft in A; an inbox message for 张三 (the `owner`
    persona) and one for 李四."""
    from types import SimpleNamespace

    from propdesk.core.outbox import message_enqueue
    from propdesk.notices.services import announcements as svc

    sup = personas["supervisor"]
    admin = personas["admin"]

    def published(community, title, buildings=None):
        notice = svc.announcement_create(
            actor=admin, community=community, title=title, body=title + "。", building_ids=buildings
        )
        svc.announcement_publish(actor=admin, announcement=notice)
        svc.announcement_deliver_pending(notice.id)
        notice.refresh_from_db()
        return notice

    all_a = published(community_a, "甲小区全体公告")
    only_4 = published(community_a, "4栋公告", [building_4.id])
    in_b = published(community_b, "乙小区公告")
    draft = svc.announcement_create(actor=sup, community=community_a, title="草稿", body="b")

    def inbox(user, key):
        return message_enqueue(
            channel="in_app",
            recipient=user.username,
            recipient_user=user,
            event="request.created",
            subject="您的诉求",
            body="已受理",
            dedupe_key=key,
        )

    return SimpleNamespace(
        community_a=community_a,
        community_b=community_b,
        all_a=all_a,
        only_4=only_4,
        in_b=in_b,
        draft=draft,
        mine=inbox(owner_a, "t:mine"),
        theirs=inbox(owner_a4, "t:theirs"),
        owner_a=owner_a,
        owner_a4=owner_a4,
        owner_b=owner_b,
    )


@pytest.fixture
def wechat_standin():
    from propdesk.notices.tests.standins.wechat import WechatStandIn

    standin = WechatStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def wechat_account(company, wechat_standin):
    """The company's service account, pointed at the WeChat stand-in (tokens cache cleared)."""
    from django.core.cache import caches

    from propdesk.notices.models import WechatAccount, WechatTemplate

    caches["shared"].clear()
    account = WechatAccount.objects.create(
        company=company,
        app_id=wechat_standin.app_id,
        app_secret=wechat_standin.app_secret,
        api_base=wechat_standin.base_url,
        oauth_base=wechat_standin.base_url,
        portal_url="https://propdesk.example.com/m/",
    )
    WechatTemplate.objects.create(
        account=account,
        event="request.updated",
        template_id="TPL-REQUEST",
        fields=[["thing1", "number"], ["thing2", "status"]],
    )
    yield account
    caches["shared"].clear()


@pytest.fixture
def aliyun_standin():
    from propdesk.notices.tests.standins.sms import AliyunStandIn

    standin = AliyunStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def tencent_standin():
    from propdesk.notices.tests.standins.sms import TencentStandIn

    standin = TencentStandIn().start()
    yield standin
    standin.stop()


SMS_TEMPLATES = {
    "aliyun": "portal.sign_in_code = SMS_100001: code=code\n"
    "request.updated = SMS_100002: number=number, status=status",
    "tencent": "portal.sign_in_code = 100001: 1=code\nrequest.updated = 100002: 1=number, 2=status",
}


def gateway_for(provider, standin, company, admin, **overrides):
    """The company's gateway of `provider`, entered through the service, aimed at the stand-in."""
    from propdesk.notices.services.providers import sms_gateway_save

    fields = {
        "provider": provider,
        "access_key_id": standin.key_id,
        "access_key_secret": standin.key_secret,
        "sign_name": standin.sign_name,
        "sdk_app_id": getattr(standin, "sdk_app_id", ""),
        "endpoint": standin.base_url.removeprefix("http://"),
        "use_tls": False,
        "templates": SMS_TEMPLATES[provider],
        **overrides,
    }
    return sms_gateway_save(actor=admin, company=company, **fields)


@pytest.fixture(params=["aliyun", "tencent"])
def sms_provider(request, company, admin):
    """(provider name, its stand-in, the company's gateway pointed at it), for each provider."""
    standin = request.getfixturevalue(f"{request.param}_standin")
    return request.param, standin, gateway_for(request.param, standin, company, admin)
