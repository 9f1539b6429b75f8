"""Demo data of keys, release passes and the document register, made through the services.

`load_demo_custody(communities=…, rng=…)` runs after the registry demo (it needs houses with
owners and staff scoped to each community). The past is replayed inside `clock.travel(moment)`
(tickets.clock, which the custody services read), so an overdue loan, a used pass and an expired
pass are what the services computed at that moment, not rows edited afterwards.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from propdesk.accounts.models import Role, User
from propdesk.core.errors import AppError
from propdesk.custody.services import config, keys, passes, register
from propdesk.estates.models import Community, Ownership
from propdesk.tickets import clock

ITEMS = [
    "旧沙发一套\n纸箱五个",
    "冰箱一台\n洗衣机一台",
    "办公桌椅十套（公司搬迁）",
    "装修余料：瓷砖两箱、木板若干",
    "床垫一张\n衣柜一个",
    "货架三个、库存纸箱二十个（商铺清货）",
]
DOCUMENTS = [
    (
        "incoming",
        "区住建局关于开展电梯安全检查的通知",
        "区住建局",
        "住建〔2026〕31号",
        "档案柜1-2层",
        "电梯 安全",
    ),
    ("incoming", "供电局计划停电通知", "供电局南山分局", "", "档案柜1-2层", "停电"),
    ("outgoing", "致业主委员会关于公共收益公示的函", "业主委员会", "", "档案柜1-3层", "公共收益"),
    ("outgoing", "关于地下车库照明改造的报告", "公司工程管理部", "", "档案柜1-3层", "车库 照明"),
    ("drawing", "小区总平面图", "开发商", "", "图纸柜A-1", "总平"),
    ("drawing", "3号楼给排水竣工图", "开发商", "", "图纸柜A-2", "给排水 竣工"),
]


@dataclass
class CustodyDemo:
    keys: int = 0
    loans: int = 0
    passes: dict = field(default_factory=dict)
    documents: int = 0


def _staff(community: Community, role: str) -> User | None:
    return (
        User.objects.filter(role=role, is_active=True, communities=community).order_by("id").first()
    )


def _owned_houses(community: Community, count: int, rng: random.Random) -> list[tuple]:
    pairs = list(
        Ownership.objects.filter(community=community, end_on__isnull=True, is_primary=True)
        .select_related("house", "owner")
        .order_by("house_id")[:400]
    )
    rng.shuffle(pairs)
    return [(o.house, o.owner) for o in pairs[:count]]


def load_demo_custody(
    *,
    communities,
    rng: random.Random,
    now: datetime.datetime | None = None,
) -> CustodyDemo:
    """Keys (one loan overdue), passes pending/approved/used/expired/rejected and documents."""
    now = now or timezone.now()
    result = CustodyDemo()
    for community in communities:
        agent = _staff(community, Role.AGENT)
        if agent is None:
            continue
        supervisor = _staff(community, Role.SUPERVISOR) or agent
        guard = _staff(community, Role.GUARD) or agent
        technician = _staff(community, Role.TECHNICIAN)
        houses = _owned_houses(community, 14, rng)
        if len(houses) < 10:
            continue
        with clock.travel(now - datetime.timedelta(days=10)):
            config.custody_settings_update(
                actor=supervisor, community=community, repair_lead=technician
            )
        _keys(community, agent, houses, rng, now, result)
        _passes(agent, guard, houses, rng, now, result)
        _documents(community, agent, houses, now, result)
    return result


def _keys(community, agent, houses, rng, now, result: CustodyDemo) -> None:
    with clock.travel(now - datetime.timedelta(days=30)):
        contractors = [
            keys.contractor_add(
                actor=agent,
                community=community,
                company="安居维修工程有限公司",
                responsible_name="赵建国",
                responsible_mobile="13728001001",
            ),
            keys.contractor_add(
                actor=agent,
                community=community,
                company="美家门窗有限公司",
                responsible_name="钱志强",
                responsible_mobile="13728001002",
            ),
        ]
        house_keys = []
        for index, (house, _owner) in enumerate(houses[:10], start=1):
            house_keys.append(
                keys.key_register(
                    actor=agent,
                    community=community,
                    kind="house",
                    label=f"K-{house.code}",
                    location=f"钥匙柜A-{index:02d}",
                    house=house,
                    copies=rng.choice([1, 2]),
                )
            )
        cabinets = [
            keys.key_register(
                actor=agent,
                community=community,
                kind="cabinet",
                label=f"柜-{n:02d}",
                location="前台抽屉",
                note=note,
            )
            for n, note in enumerate(["业主档案柜", "收据存根柜", "物资柜"], start=1)
        ]
    result.keys += len(house_keys) + len(cabinets)
    owners = dict(houses)
    witness = _staff(community, Role.SUPERVISOR) or agent

    # A warranty repair last week: the contractor's lead borrowed and returned the key.
    repaired = house_keys[0]
    with clock.travel(now - datetime.timedelta(days=6, hours=3)):
        keys.key_lend(
            actor=agent,
            key=repaired,
            purpose="warranty",
            contractor=contractors[0],
            borrower_name="赵建国",
            id_checked=True,
            reason="卫生间防水保修",
        )
    with clock.travel(now - datetime.timedelta(days=6)):
        keys.key_return(actor=agent, key=repaired, note="已完工，待工程部验收")
    # An owner who collected the key three days ago and has not brought it back: overdue.
    overdue = house_keys[1]
    with clock.travel(now - datetime.timedelta(days=3)):
        keys.key_lend(
            actor=agent,
            key=overdue,
            purpose="owner",
            owner=owners[overdue.house],
            id_checked=True,
        )
    keys.key_loans_flag_overdue(now=now)
    # Out this morning, due back tomorrow.
    out = house_keys[2]
    with clock.travel(now - datetime.timedelta(hours=2)):
        keys.key_lend(
            actor=agent, key=out, purpose="owner", owner=owners[out.house], id_checked=True
        )
        keys.key_lend(
            actor=agent,
            key=house_keys[3],
            purpose="warranty",
            contractor=contractors[1],
            borrower_name="钱志强",
            id_checked=True,
            reason="入户门闭门器保修",
        )
    # A supervised cabinet opening, returned.
    if witness.pk != agent.pk:
        with clock.travel(now - datetime.timedelta(days=1, hours=4)):
            keys.key_lend(
                actor=agent,
                key=cabinets[0],
                purpose="staff",
                staff=agent,
                witness=witness,
                reason="调取业主档案",
            )
        with clock.travel(now - datetime.timedelta(days=1, hours=3)):
            keys.key_return(actor=agent, key=cabinets[0])
        result.loans += 1
    result.loans += 4


def _apply(agent, house, owner, rng, day: datetime.date, **extra):
    return passes.release_pass_apply(
        actor=agent,
        house=house,
        applicant=owner,
        items=rng.choice(ITEMS),
        release_on=day,
        vehicle_plate=rng.choice(["", "粤B3K825", "粤BD12345"]),
        **extra,
    )


def _passes(agent, guard, houses, rng, now, result: CustodyDemo) -> None:
    counts = {"pending": 0, "approved": 0, "used": 0, "expired": 0, "rejected": 0}
    today = timezone.localtime(now).date()
    pool = houses[4:]
    try:
        # Expired: approved four days ago for that day, never shown at the gate.
        moment = now - datetime.timedelta(days=4)
        with clock.travel(moment):
            day = timezone.localtime(moment).date()
            expired = _apply(agent, *pool[0], rng, day)
            passes.release_pass_approve(actor=agent, release_pass=expired)
        counts["expired"] += 1
        # Used: approved two days ago, the goods left that afternoon.
        moment = now - datetime.timedelta(days=2)
        day = timezone.localtime(moment).date()
        with clock.travel(moment):
            used = _apply(agent, *pool[1], rng, day, organisation="")
            passes.release_pass_approve(actor=agent, release_pass=used)
        leaving = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 20)))
        with clock.travel(min(leaving, now)):
            passes.release_pass_use(actor=guard, release_pass=used, note="东门，货车")
        counts["used"] += 1
        # Approved for today and tomorrow.
        for house, owner in pool[2:4]:
            approved = _apply(agent, house, owner, rng, today + datetime.timedelta(days=1))
            passes.release_pass_approve(actor=agent, release_pass=approved)
            counts["approved"] += 1
        # Waiting for approval.
        for house, owner in pool[4:6]:
            _apply(agent, house, owner, rng, today)
            counts["pending"] += 1
        # Rejected: the list did not match what was being carried.
        rejected = _apply(agent, *pool[6], rng, today)
        passes.release_pass_reject(actor=agent, release_pass=rejected, reason="物品清单与实物不符")
        counts["rejected"] += 1
    except (AppError, IndexError):
        pass  # a small registry: fewer passes
    for state, n in counts.items():
        result.passes[state] = result.passes.get(state, 0) + n


def _documents(community, agent, houses, now, result: CustodyDemo) -> None:
    with clock.travel(now - datetime.timedelta(days=20)):
        registered = [
            register.document_register(
                actor=agent,
                community=community,
                category=category,
                title=title,
                counterparty=counterparty,
                reference=reference,
                location=location,
                keywords=keywords,
            )
            for category, title, counterparty, reference, location, keywords in DOCUMENTS
        ]
        for house, owner in houses[:3]:
            registered.append(
                register.document_register(
                    actor=agent,
                    community=community,
                    category="resident_file",
                    title=f"{owner.name}家庭情况登记卡",
                    house=house,
                    location="住户档案柜2",
                    keywords="登记卡",
                )
            )
    with clock.travel(now - datetime.timedelta(days=1)):
        register.document_lend(
            actor=agent,
            document=registered[5],
            borrower_name="工程部刘工",
            purpose="维修查阅管线走向",
            due_on=timezone.localtime(now).date() + datetime.timedelta(days=2),
        )
    result.documents += len(registered)
