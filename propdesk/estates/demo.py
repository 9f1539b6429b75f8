"""The demo company: two communities, about 1,000 houses with owners, staff of every role.

Built through the services, so demo data obeys the same rules and history as real data.
Names are generated from common surnames and given names; no real person's data is used.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from propdesk.accounts.models import Department, Role, User
from propdesk.core.errors import Conflict
from propdesk.estates import services
from propdesk.estates.models import (
    Community,
    Company,
    HouseKind,
    HouseStatus,
    ParkingKind,
    ParkingStatus,
    ResidentRelation,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕玉兰雪梅晓东文博子涵欣怡浩然宇轩梓萱一诺思远佳怡俊杰嘉怡"
PROVINCE_CITY = ["粤B", "粤A", "湘A", "鄂A", "京N", "沪C"]
DEMO_PASSWORD = "demo1234"  # noqa: S105 — printed on start; demo installs only
DEMO_STAFF = [
    ("admin", Role.ADMIN, "customer_service", "系统", "管理员"),
    ("supervisor", Role.SUPERVISOR, "customer_service", "客服", "主管"),
    ("agent", Role.AGENT, "customer_service", "前台", "小李"),
    ("engineer", Role.TECHNICIAN, "engineering", "工程", "老王"),
    ("cashier", Role.CASHIER, "finance", "收费", "小陈"),
    ("guard", Role.GUARD, "security", "门岗", "老赵"),
]


def _given(rng: random.Random) -> str:
    names = [GIVEN[i : i + 1] for i in range(len(GIVEN))]
    return "".join(rng.choice(names) for _ in range(rng.choice([1, 2])))


def _plate(rng: random.Random, new_energy: bool) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    if new_energy:
        return (
            rng.choice(PROVINCE_CITY)
            + rng.choice("DF")
            + rng.choice(letters)
            + f"{rng.randint(0, 9999):04d}"
        )
    return rng.choice(PROVINCE_CITY) + rng.choice(letters) + f"{rng.randint(0, 9999):04d}"


def _mobile(rng: random.Random) -> str:
    return (
        rng.choice(["138", "139", "150", "186", "177", "135"]) + f"{rng.randint(0, 99_999_999):08d}"
    )


def seed_departments() -> None:
    for code, label in Department.Code.choices:
        Department.objects.get_or_create(code=code, defaults={"name": str(label)})


@transaction.atomic
def load_demo(
    *, houses_per_community: int = 500, seed: int = 2026, request_days: int = 365
) -> dict:
    """Create the demo company unless it exists; return the demo logins."""
    rng = random.Random(seed)
    seed_departments()
    if Community.objects.filter(code="HY").exists():
        return {username: DEMO_PASSWORD for username, *_ in DEMO_STAFF}
    root = User.objects.create_superuser("root", password=DEMO_PASSWORD, role=Role.ADMIN)
    company = Company.objects.create(name="和悦物业服务有限公司")
    communities = [
        services.community_create(
            actor=root,
            company=company,
            code="HY",
            name="和悦花园",
            address="深圳市南山区和悦路 8 号",
            archive_prefix="HY",
        ),
        services.community_create(
            actor=root,
            company=company,
            code="JH",
            name="锦湖雅苑",
            address="深圳市宝安区锦湖路 66 号",
            archive_prefix="JH",
        ),
    ]
    departments = {d.code: d for d in Department.objects.all()}
    for username, role, department, last, first in DEMO_STAFF:
        user = User.objects.create_user(
            username,
            password=DEMO_PASSWORD,
            role=role,
            department=departments[department],
            last_name=last,
            first_name=first,
        )
        user.communities.set(communities)
    owner_user = User.objects.create_user(
        "owner", password=DEMO_PASSWORD, role=Role.OWNER, last_name="张", first_name="三"
    )
    for community in communities:
        _build_community(root, community, houses_per_community, rng)
    first = communities[0]
    zhang = first.owners.filter(name="张三").first()
    if zhang:
        zhang.user = owner_user
        zhang.save(update_fields=["user"])
    _load_other_modules(communities, rng, request_days)
    return {username: DEMO_PASSWORD for username, *_ in [*DEMO_STAFF, ("owner",)]}


def _build_community(actor, community: Community, house_count: int, rng: random.Random) -> None:
    per_floor, units = 2, 2
    floors = 18
    houses_per_building = per_floor * units * floors
    building_count = max(1, -(-house_count // houses_per_building))
    made = 0
    today = datetime.date(2026, 11, 1)
    for b in range(1, building_count + 1):
        building = services.building_create(
            actor=actor, community=community, number=str(b), floors=floors
        )
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, per_floor + 1):
                    if made >= house_count:
                        return
                    made += 1
                    commercial = floor == 1 and room == 1
                    status = rng.choices(
                        [
                            HouseStatus.OCCUPIED,
                            HouseStatus.VACANT,
                            HouseStatus.DECORATING,
                            HouseStatus.UNSOLD,
                        ],
                        weights=[75, 15, 5, 5],
                    )[0]
                    house = services.house_create(
                        actor=actor,
                        building=building,
                        unit_number=str(unit),
                        number=f"{floor}{room:02d}",
                        floor=floor,
                        area_m2=Decimal(rng.randint(6000, 16000)) / 100,
                        kind=HouseKind.COMMERCIAL if commercial else HouseKind.RESIDENTIAL,
                        status=status,
                        delivered_on=datetime.date(2021, 6, 30),
                    )
                    if status == HouseStatus.UNSOLD:
                        continue
                    _add_people(actor, community, house, rng, today, made)


def _add_people(actor, community, house, rng, today, index: int) -> None:
    name = rng.choice(SURNAMES) + _given(rng)
    if community.code == "HY" and house.code == "3-2-1502":
        name = "张三"
    owner = services.owner_create(actor=actor, community=community, name=name, mobile=_mobile(rng))
    services.ownership_add(
        actor=actor, house=house, owner=owner, start_on=datetime.date(2021, 7, 1)
    )
    if rng.random() < 0.15:
        spouse = services.owner_create(
            actor=actor,
            community=community,
            name=rng.choice(SURNAMES) + _given(rng),
            mobile=_mobile(rng),
        )
        services.ownership_add(
            actor=actor, house=house, owner=spouse, start_on=datetime.date(2021, 7, 1)
        )
    if rng.random() < 0.3:
        services.resident_add(
            actor=actor,
            house=house,
            relation=ResidentRelation.FAMILY,
            name=name[0] + _given(rng),
            mobile=_mobile(rng),
        )
    if rng.random() < 0.1:
        services.resident_add(
            actor=actor,
            house=house,
            relation=ResidentRelation.TENANT,
            name=rng.choice(SURNAMES) + _given(rng),
            mobile=_mobile(rng),
            lease_start=today - datetime.timedelta(days=200),
            lease_end=today + datetime.timedelta(days=165),
        )
    if rng.random() < 0.4:
        plate = _plate(rng, rng.random() < 0.3)
        try:
            vehicle = services.vehicle_add(actor=actor, house=house, plate=plate, owner=owner)
        except Conflict:  # a random plate may repeat; the demo simply skips it
            return
        if rng.random() < 0.5:
            space = services.parking_space_create(
                actor=actor,
                community=community,
                number=f"P{index:04d}",
                kind=rng.choice(ParkingKind.values),
            )
            services.parking_space_assign(
                actor=actor,
                space=space,
                status=ParkingStatus.LET,
                holder=owner,
                house=house,
                vehicle=vehicle,
            )


def _load_other_modules(communities, rng: random.Random, request_days: int) -> None:
    """The other apps' demo data, built on this registry through their own services."""
    from propdesk.billing.demo import load_demo_billing
    from propdesk.custody.demo import load_demo_custody
    from propdesk.frontdesk.demo import load_demo_frontdesk
    from propdesk.notices.demo import load_demo_notices
    from propdesk.portal.demo import load_demo_portal
    from propdesk.tickets.demo import load_demo_requests

    load_demo_requests(communities=communities, rng=rng, days=request_days)
    load_demo_billing(communities=communities, rng=rng)
    load_demo_frontdesk(communities=communities, rng=rng)
    load_demo_custody(communities=communities, rng=rng)
    load_demo_notices(communities=communities)
    load_demo_portal(communities=communities)
