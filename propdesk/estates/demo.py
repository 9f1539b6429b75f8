"""The demo company: two communities, about 1,000 houses with owners, staff of every role.

Built through the services, so demo data obeys the same rules and history as real data.
Names are generated from common surnames and given names; no real person's data is used.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.accounts.models import Department, Role, User
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_field, clean_text
from propdesk.core.masking import mask_plate
from propdesk.core.models import AuditEvent
from propdesk.core.pinyin import name_keys
from propdesk.core.validators import normalize_area, normalize_mobile, normalize_plate
from propdesk.estates import services
from propdesk.estates.models import (
    Building,
    Community,
    Company,
    House,
    HouseKind,
    HouseStatus,
    HouseStatusChange,
    IdType,
    Owner,
    OwnerKind,
    Ownership,
    ParkingKind,
    ParkingSpace,
    ParkingStatus,
    Resident,
    ResidentRelation,
    Unit,
    Vehicle,
)
from propdesk.estates.services.houses import clean_floor, clean_location_part
from propdesk.estates.services.owners import clean_owner_fields

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
    departments = {d.code: d for d in Department.objects.all()}
    # One hash of the demo password for every demo login (each hash costs a good part of a
    # second on purpose); each account still signs in with it as with its own.
    password = make_password(DEMO_PASSWORD)
    staff = {
        username: User.objects.create(
            username=username,
            password=password,
            role=role,
            department=departments[department],
            last_name=last,
            first_name=first,
        )
        for username, role, department, last, first in DEMO_STAFF
    }
    # `root` is for the Django admin only (made after the staff, so no demo module picks it as
    # "the first administrator"): the demo's history is signed by its staff.
    User.objects.create(
        username="root", password=password, role=Role.ADMIN, is_staff=True, is_superuser=True
    )
    registrar = staff["admin"]
    company = Company.objects.create(name="和悦物业服务有限公司")
    communities = [
        services.community_create(
            actor=registrar,
            company=company,
            code="HY",
            name="和悦花园",
            address="深圳市南山区和悦路 8 号",
            archive_prefix="HY",
        ),
        services.community_create(
            actor=registrar,
            company=company,
            code="JH",
            name="锦湖雅苑",
            address="深圳市宝安区锦湖路 66 号",
            archive_prefix="JH",
        ),
    ]
    for user in staff.values():
        user.communities.set(communities)
    owner_user = User.objects.create(
        username="owner", password=password, role=Role.OWNER, last_name="张", first_name="三"
    )
    for community in communities:
        _build_community(registrar, community, houses_per_community, rng)
    first = communities[0]
    zhang = first.owners.filter(name="张三").first()
    if zhang:
        zhang.user = owner_user
        zhang.save(update_fields=["user"])
    _load_other_modules(communities, rng, request_days)
    return {username: DEMO_PASSWORD for username, *_ in [*DEMO_STAFF, ("owner",)]}


def _build_community(actor, community: Community, house_count: int, rng: random.Random) -> None:
    registry = _Registry(actor, community)
    per_floor, units = 2, 2
    floors = 18
    houses_per_building = per_floor * units * floors
    building_count = max(1, -(-house_count // houses_per_building))
    made = 0
    today = datetime.date(2026, 11, 1)
    for b in range(1, building_count + 1):
        building = registry.building(number=str(b), floors=floors)
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, per_floor + 1):
                    if made >= house_count:
                        registry.write()
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
                    house = registry.house(
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
                    _add_people(registry, community, house, rng, today, made)
    registry.write()


def _add_people(registry, community, house, rng, today, index: int) -> None:
    name = rng.choice(SURNAMES) + _given(rng)
    if community.code == "HY" and house.code == "3-2-1502":
        name = "张三"
    owner = registry.owner(name=name, mobile=_mobile(rng))
    registry.ownership(house=house, owner=owner, start_on=datetime.date(2021, 7, 1))
    if rng.random() < 0.15:
        spouse = registry.owner(name=rng.choice(SURNAMES) + _given(rng), mobile=_mobile(rng))
        registry.ownership(house=house, owner=spouse, start_on=datetime.date(2021, 7, 1))
    if rng.random() < 0.3:
        registry.resident(
            house=house,
            relation=ResidentRelation.FAMILY,
            name=name[0] + _given(rng),
            mobile=_mobile(rng),
        )
    if rng.random() < 0.1:
        registry.resident(
            house=house,
            relation=ResidentRelation.TENANT,
            name=rng.choice(SURNAMES) + _given(rng),
            mobile=_mobile(rng),
            lease_start=today - datetime.timedelta(days=200),
            lease_end=today + datetime.timedelta(days=165),
        )
    if rng.random() < 0.4:
        plate = _plate(rng, rng.random() < 0.3)
        vehicle = registry.vehicle(house=house, plate=plate, owner=owner)
        if vehicle is None:  # a random plate may repeat; the demo simply skips it
            return
        if rng.random() < 0.5:
            registry.parking_space(
                number=f"P{index:04d}",
                kind=rng.choice(ParkingKind.values),
                status=ParkingStatus.LET,
                holder=owner,
                house=house,
                vehicle=vehicle,
            )


class _Registry:
    """A community's buildings, houses, owners, residents, vehicles and parking, made with the
    services' cleaning and written with one statement per table: the same rows and the same
    history rows as building_create, house_create, owner_create, ownership_add, resident_add,
    vehicle_add, parking_space_create and parking_space_assign write one by one (the demo's
    input is valid and fresh, so their refusals cannot happen here, except a repeated plate)."""

    def __init__(self, actor, community: Community):
        self.actor = actor
        self.community = community
        self.rows: dict[type, list] = defaultdict(list)
        self.units: dict[tuple, Unit] = {}
        self.plates: set[str] = set()
        self.history: list[dict] = []  # record_change's arguments, in the services' order

    def _add(self, row):
        self.rows[type(row)].append(row)
        return row

    def _record(self, instance, action: str, **fields) -> None:
        self.history.append({"instance": instance, "action": action, **fields})

    def building(self, *, number: str, floors: int) -> Building:
        building = self._add(
            Building(
                community=self.community,
                number=clean_location_part("number", number),
                name="",
                floors=floors,
            )
        )
        self._record(building, "create")
        return building

    def house(self, *, building: Building, unit_number: str, number: str, **values) -> House:
        unit_number = clean_location_part("unit", unit_number)
        number = clean_location_part("number", number)
        unit = self.units.get((building.number, unit_number))
        if unit is None:
            unit = self._add(
                Unit(building=building, number=unit_number, community_id=self.community.id)
            )
            self.units[building.number, unit_number] = unit
        house = self._add(
            House(
                community_id=self.community.id,
                building=building,
                unit=unit,
                number=number,
                code=House.make_code(building.number, unit_number, number),
                floor=clean_floor(values["floor"]),
                area_m2=clean_field("area_m2", normalize_area, values["area_m2"]),
                kind=clean_choice("kind", values["kind"], HouseKind),
                status=clean_choice("status", values["status"], HouseStatus),
                delivered_on=values["delivered_on"],
            )
        )
        self._add(
            HouseStatusChange(
                community_id=self.community.id,
                house=house,
                from_status="",
                to_status=house.status,
                effective_on=house.delivered_on or timezone.localdate(),
                changed_by=self.actor,
                note=_("Registered"),
            )
        )
        self._record(house, "create", house=house)
        return house

    def owner(self, *, name: str, mobile: str) -> Owner:
        values = clean_owner_fields(
            kind=OwnerKind.PERSON,
            name=name,
            mobile=mobile,
            id_type=IdType.RESIDENT_ID,
            id_number="",
        )
        owner = self._add(Owner(community=self.community, **values))
        self._record(owner, "create", owner=owner)
        return owner

    def ownership(self, *, house: House, owner: Owner, start_on: datetime.date) -> Ownership:
        previous = self.rows[Ownership][-1:]
        first = not (previous and previous[0].house is house)  # ownership_add: first is primary
        ownership = self._add(
            Ownership(
                community_id=house.community_id,
                house=house,
                owner=owner,
                is_primary=first,
                start_on=start_on,
            )
        )
        self._record(
            ownership,
            "owner_added",
            changes={"owner": [None, owner.name]},
            house=house,
            owner=owner,
        )
        return ownership

    def resident(self, *, house: House, relation: str, name: str, mobile: str, **lease) -> None:
        name = clean_text("name", name, max_length=100, required=True)
        mobile = clean_field("mobile", normalize_mobile, mobile)
        pinyin, initials = name_keys(name)
        resident = self._add(
            Resident(
                community_id=house.community_id,
                house=house,
                relation=clean_choice("relation", relation, ResidentRelation),
                name=name,
                name_pinyin=pinyin,
                name_initials=initials,
                mobile=mobile,
                mobile_tail=mobile[-4:],
                id_number="",
                lease_start=lease.get("lease_start"),
                lease_end=lease.get("lease_end"),
                moved_in_on=timezone.localdate(),
                note="",
            )
        )
        self._record(
            resident, "resident_added", changes={"relation": [None, relation]}, house=house
        )

    def vehicle(self, *, house: House, plate: str, owner: Owner) -> Vehicle | None:
        plate, is_new_energy = clean_field(
            "plate", normalize_plate, clean_text("plate", plate, max_length=20, required=True)
        )
        if plate in self.plates:  # vehicle_add refuses a plate registered in the community
            return None
        self.plates.add(plate)
        vehicle = self._add(
            Vehicle(
                community_id=house.community_id,
                house=house,
                owner=owner,
                plate=plate,
                is_new_energy=is_new_energy,
                description="",
            )
        )
        self._record(
            vehicle,
            "vehicle_added",
            changes={"plate": [None, mask_plate(plate)]},
            house=house,
            owner=owner,
            object_repr=mask_plate(plate),
        )
        return vehicle

    def parking_space(self, *, number: str, kind: str, status: str, **holder) -> None:
        space = self._add(
            ParkingSpace(
                community=self.community,
                number=number.upper(),
                kind=clean_choice("kind", kind, ParkingKind),
                status=status,
                **holder,
            )
        )
        # parking_space_create names the new, free space; parking_space_assign records the let.
        self._record(space, "create", object_repr=space.number)
        self._record(
            space,
            "parking_assigned",
            changes={
                "status": [ParkingStatus.AVAILABLE, status],
                "holder": [None, holder["holder"]],
                "house": [None, holder["house"]],
                "vehicle": [None, holder["vehicle"]],
            },
            house=holder["house"],
            owner=holder["holder"],
        )

    def write(self) -> None:
        for model in (
            Building,
            Unit,
            House,
            HouseStatusChange,
            Owner,
            Ownership,
            Resident,
            Vehicle,
            ParkingSpace,
        ):
            model.objects.bulk_create(self.rows.pop(model, []))
        AuditEvent.objects.bulk_create(
            audit.change_row(
                actor=self.actor,
                instance=entry["instance"],
                action=entry["action"],
                changes=entry.get("changes"),
                house_id=entry["house"].id if entry.get("house") else None,
                owner_id=entry["owner"].id if entry.get("owner") else None,
                object_repr=entry.get("object_repr"),
            )
            for entry in self.history
        )
        self.history = []


def _load_other_modules(communities, rng: random.Random, request_days: int) -> None:
    """The other apps' demo data, built on this registry through their own services."""
    from propdesk.billing.demo import load_demo_billing
    from propdesk.community.demo import load_demo_community
    from propdesk.custody.demo import load_demo_custody
    from propdesk.frontdesk.demo import load_demo_frontdesk
    from propdesk.notices.demo import load_demo_notices
    from propdesk.operations.demo import load_demo_operations
    from propdesk.portal.demo import load_demo_portal
    from propdesk.quality.demo import load_demo_quality
    from propdesk.tickets.demo import load_demo_requests

    load_demo_requests(communities=communities, rng=rng, days=request_days)
    load_demo_billing(communities=communities, rng=rng)
    load_demo_frontdesk(communities=communities, rng=rng)
    load_demo_custody(communities=communities, rng=rng)
    load_demo_notices(communities=communities)
    load_demo_portal(communities=communities)
    load_demo_operations(communities=communities)
    load_demo_quality(communities=communities, rng=rng)
    load_demo_community(communities=communities, rng=rng)
