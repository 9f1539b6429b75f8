"""Synthetic registry at scale for benchmarks: `propdesk seed --houses 1000000`.

One company, communities of about 5,000 houses each (buildings → units → houses coded like
`12-3-1502`), an owner for every sold house (some with a co-owner), family members and tenants,
vehicles with valid plates and their parking spaces, a staff agent scoped to two communities and an
administrator. Names come from common surnames and given names (no real person's data); mobiles
are random and unique-ish; resident ID numbers carry a valid check digit.

Why it does not go through the services: a million houses through per-object saves takes hours.
Rows are generated in Python and written set-based, one transaction per community: COPY on
PostgreSQL (psycopg's `cursor.copy`), one `executemany` per table on SQLite. Primary keys are
allocated here (the seed must be the only writer while it runs) and PostgreSQL's identity
sequences are moved past them before each commit.

What it skips on purpose: the per-row audit history (`core.AuditEvent`) that the services write for
every create. Synthetic rows have no human author and a million "created" events would only
measure the audit table. The house status history's first row (`HouseStatusChange`, "registered")
is written, because the vacancy rules read it.

Seed data is recognised by its company (`SEED_COMPANY_NAME`) and its two users. The seed refuses to
write into a database that holds anything else unless forced, and appends further communities when
run again on a seeded database. Given the same `seed`, community *k* always gets the same content.
"""

import datetime
import itertools
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model

from propdesk.accounts.models import Department, Role, User
from propdesk.core.pinyin import name_keys
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


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SEED_COMPANY_NAME = "合成数据物业服务有限公司（压测）"
SEED_AGENT_USERNAME = "seed-agent"
SEED_ADMIN_USERNAME = "seed-admin"
SEED_USERNAMES = (SEED_AGENT_USERNAME, SEED_ADMIN_USERNAME)
DEFAULT_PASSWORD = "seed-pass-2026"  # noqa: S105 — benchmark databases only; printed on seeding
HOUSES_PER_COMMUNITY = 5_000
AGENT_COMMUNITY_COUNT = 2
COMMUNITY_CODE_PREFIX = "SD"

# Common surnames, most frequent first; the weights fall off with the rank.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAMES = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 华 飞 鑫 波 斌 宇 浩 凯 "
    "健 俊 帆 帅 旭 宁 龙 林 欢 阳 建 亮 成 佳 婷 颖 琳 雪 慧 莉 红 梅 晶 玲 燕 萍 丹 蕾 倩 三 四 "
    "秀英 桂英 秀兰 建国 建华 志强 海燕 玉兰 雪梅 晓东 文博 子涵 欣怡 浩然 宇轩 梓萱 一诺 思远 "
    "佳怡 俊杰 嘉怡 志明 丽娟 建军 春梅 红梅 海涛 晓明 晓燕 国强 国华 永强 志刚 金凤 玉梅 淑珍 "
    "淑英 秀珍 桂兰 凤英 丽华 建平 建伟 立新 卫东 红霞 小红 小军 晓丽 海波 德华 家豪 子轩 梓涵 "
    "诗涵 雨涵 欣妍 可馨 思彤 子墨 浩宇 宇航 博文 泽宇 明轩 一鸣 天佑 俊熙 晨曦 若汐 语桐 书瑶 "
    "静怡 明辉 振华 世杰 雅婷 美玲 文静 晓峰 志伟 伟东 丽萍 秀梅 婉婷 佳琪 思雨 昊天 梓豪 铭泽 "
    "心怡 家乐 嘉欣 紫涵"
)
ESTATE_PREFIXES = _words(
    "锦绣 翠湖 阳光 碧水 金色 紫荆 桃源 华侨 滨江 东方 海悦 和悦 锦湖 御景 馨园 书香 春华 丽景 "
    "银湖 香山 枫林 南山 玉兰 凤凰 星河 云栖 半岛 青枫 白鹭 明珠"
)
ESTATE_SUFFIXES = _words("花园 雅苑 华府 家园 名苑 公馆 新城 嘉园 山庄 府邸")
# (city, district, plate prefix): a community's cars mostly carry its own city's plates.
CITIES = (
    ("深圳市", "南山区", "粤B"),
    ("广州市", "天河区", "粤A"),
    ("长沙市", "岳麓区", "湘A"),
    ("武汉市", "洪山区", "鄂A"),
    ("北京市", "朝阳区", "京N"),
    ("上海市", "浦东新区", "沪C"),
    ("成都市", "高新区", "川A"),
    ("杭州市", "西湖区", "浙A"),
)
ROADS = _words("和平 建设 人民 中山 解放 新华 长江 黄河 青年 迎宾")
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 158 159 166 177 180 186 187 188 189 199"
)
# Region codes valid for every birth year the seed uses (checked by stdnum's birth-place table).
ID_REGIONS = ("110101", "110105", "110108", "310101", "310104", "120101")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
EPOCH_1955 = datetime.date(1955, 1, 1)
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # plates never use I or O
CAR_COLOURS = _words("白色 黑色 银色 灰色 红色 蓝色")
CAR_MAKES = _words("大众 丰田 本田 比亚迪 吉利 特斯拉 日产 别克 宝马 奔驰")
# Plain strings, not the enum members: psycopg would COPY an enum by its name.
HOUSE_STATUSES = tuple(
    s.value
    for s in (HouseStatus.OCCUPIED, HouseStatus.VACANT, HouseStatus.DECORATING, HouseStatus.UNSOLD)
)
HOUSE_STATUS_CUM_WEIGHTS = tuple(itertools.accumulate((75, 15, 5, 5)))
SURNAME_CUM_WEIGHTS = tuple(itertools.accumulate(1 / (rank + 4) for rank in range(len(SURNAMES))))
CREATED_AT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 1)  # lease dates are placed around it


T = TypeVar("T")


class SeedRefused(Exception):
    """The database holds data that is not seed data (and the caller did not force)."""


@dataclass
class SeedResult:
    houses: int = 0
    communities: int = 0
    rows: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    agent_username: str = SEED_AGENT_USERNAME
    admin_username: str = SEED_ADMIN_USERNAME
    agent_community_codes: list[str] = field(default_factory=list)


ProgressCallback = Callable[[int, int, int, float], None]  # houses done, total, rows, seconds


def foreign_data() -> list[str]:
    """Describe the data in the database that the seed did not create (empty when none)."""
    found = []
    companies = Company.objects.exclude(name=SEED_COMPANY_NAME).count()
    if companies:
        found.append(f"{companies} companies")
    users = User.objects.exclude(username__in=SEED_USERNAMES).count()
    if users:
        found.append(f"{users} users")
    return found


def plan_communities(houses: int, communities: int | None) -> list[int]:
    """Split `houses` over communities of about HOUSES_PER_COMMUNITY (or `communities` of them)."""
    if houses < 1:
        raise ValueError("houses must be at least 1")
    count = communities or max(1, -(-houses // HOUSES_PER_COMMUNITY))
    if count < 1 or count > houses:
        raise ValueError("communities must be between 1 and the number of houses")
    base, extra = divmod(houses, count)
    return [base + (1 if k < extra else 0) for k in range(count)]


def seed_registry(
    *,
    houses: int,
    communities: int | None = None,
    seed: int = 2026,
    force: bool = False,
    password: str = DEFAULT_PASSWORD,
    progress: ProgressCallback | None = None,
) -> SeedResult:
    """Write a synthetic registry of `houses` houses; see the module docstring."""
    sizes = plan_communities(houses, communities)
    found = foreign_data()
    if found and not force:
        raise SeedRefused(
            "The database holds data the seed did not create ("
            + ", ".join(found)
            + "). Seed an empty, migrated database, or pass --force to add seed data beside it."
        )
    started = time.perf_counter()
    _tune_connection()
    company, _created = Company.objects.get_or_create(name=SEED_COMPANY_NAME)
    first_index = Community.objects.filter(company=company).count()
    ids = _IdAllocator(TABLE_FIELDS)
    names = _NameKeys()
    adapt = _Adapters(connection)

    def communities_rows():
        for offset, size in enumerate(sizes):
            index = first_index + offset
            rng = random.Random(f"propdesk-seed:{seed}:{index}")  # noqa: S311 — synthetic data
            builder = _CommunityRows(index, company.id, rng, ids, names, adapt)
            yield size, builder.build(size)

    result = SeedResult()
    rows_done = 0
    for size, batch in _made_ahead(communities_rows()):
        with transaction.atomic():
            for model, fields, rows in batch:
                write_rows(model, fields, rows)
                result.counts[model.__name__] = result.counts.get(model.__name__, 0) + len(rows)
                rows_done += len(rows)
            _reset_sequences(list(TABLE_FIELDS))
        result.houses += size
        result.communities += 1
        if progress:
            progress(result.houses, houses, rows_done, time.perf_counter() - started)
    result.agent_community_codes = _ensure_staff(company, password)
    analyze(TABLE_FIELDS)
    result.rows = rows_done
    result.seconds = time.perf_counter() - started
    return result


def analyze(models: Iterable[type[Model]]) -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map) after a bulk load."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM sets the visibility map, which index-only scans need; it cannot run inside a
            # transaction (the test suite's), where ANALYZE alone has to do.
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for table in tables:
                cursor.execute(f"{verb} {table}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:  # pragma: no cover — only SQLite and PostgreSQL are supported
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


# --- rows -----------------------------------------------------------------------------------

# Each table is written with these fields, in this order, by _community_rows.
COMMUNITY_FIELDS = _words("id company_id code name address archive_prefix created_at")
BUILDING_FIELDS = _words("id community_id number name floors")
UNIT_FIELDS = _words("id community_id building_id number")
HOUSE_FIELDS = _words(
    "id community_id building_id unit_id number code "
    "floor area_m2 kind status delivered_on created_at"
)
STATUS_FIELDS = _words(
    "id community_id house_id from_status to_status effective_on note changed_by_id changed_at"
)
OWNER_FIELDS = _words(
    "id community_id kind name name_pinyin name_initials "
    "mobile mobile_tail id_type id_number note user_id created_at"
)
OWNERSHIP_FIELDS = _words(
    "id community_id house_id owner_id "
    "is_primary start_on end_on started_by_transfer_id ended_by_transfer_id"
)
RESIDENT_FIELDS = _words(
    "id community_id house_id relation name name_pinyin name_initials "
    "mobile mobile_tail id_number lease_start lease_end moved_in_on moved_out_on note"
)
VEHICLE_FIELDS = _words(
    "id community_id house_id owner_id plate is_new_energy description registered_on removed_on"
)
PARKING_FIELDS = _words("id community_id number kind status holder_id house_id vehicle_id")
TABLE_FIELDS: dict[type[Model], Sequence[str]] = {  # in the order they are written
    Community: COMMUNITY_FIELDS,
    Building: BUILDING_FIELDS,
    Unit: UNIT_FIELDS,
    House: HOUSE_FIELDS,
    HouseStatusChange: STATUS_FIELDS,
    Owner: OWNER_FIELDS,
    Ownership: OWNERSHIP_FIELDS,
    Resident: RESIDENT_FIELDS,
    Vehicle: VEHICLE_FIELDS,
    ParkingSpace: PARKING_FIELDS,
}


class _NameKeys:
    """name_keys() per distinct name: a million owners share a few thousand names."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        keys = self._cache.get(name)
        if keys is None:
            keys = self._cache[name] = name_keys(name)
        return keys


class _IdAllocator:
    """Primary keys handed out here, so rows can point at each other before they are written."""

    def __init__(self, models: Iterable[type[Model]]) -> None:
        self._next = {m: (m.objects.aggregate(top=Max("id"))["top"] or 0) + 1 for m in models}

    def take(self, model: type[Model], count: int = 1) -> int:
        """Reserve `count` consecutive ids of `model` and return the first."""
        first = self._next[model]
        self._next[model] = first + count
        return first


@dataclass(frozen=True)
class _Adapters:
    """Dates and times as the database driver takes them, computed on the main thread."""

    date: Callable[[datetime.date], object]
    created_at: object

    def __init__(self, db) -> None:
        object.__setattr__(self, "date", db.ops.adapt_datefield_value)
        object.__setattr__(self, "created_at", db.ops.adapt_datetimefield_value(CREATED_AT))


def _checksum_part(digits: str, offset: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, ID_WEIGHTS[offset:], strict=False))


_ID_REGION_SUMS = {region: _checksum_part(region, 0) for region in ID_REGIONS}
_ID_SEQUENCE_SUMS = [_checksum_part(f"{n:03d}", 14) for n in range(1000)]
_ID_BIRTH_SUMS: dict[str, int] = {}


def _resident_id(rng: random.Random) -> str:
    """A resident ID number with a valid check digit (partial checksums cached: this is hot)."""
    region = ID_REGIONS[rng.randrange(len(ID_REGIONS))]
    birth = f"{EPOCH_1955 + datetime.timedelta(days=rng.randrange(17_500)):%Y%m%d}"
    sequence = rng.randrange(1000)
    birth_sum = _ID_BIRTH_SUMS.get(birth)
    if birth_sum is None:
        birth_sum = _ID_BIRTH_SUMS[birth] = _checksum_part(birth, 6)
    total = _ID_REGION_SUMS[region] + birth_sum + _ID_SEQUENCE_SUMS[sequence]
    return f"{region}{birth}{sequence:03d}" + "10X98765432"[total % 11]


def _plate(rng: random.Random, prefix: str) -> tuple[str, bool]:
    if rng.random() < 0.3:  # new-energy: D/F, a letter or digit, four digits
        tail = rng.choice("DF") + rng.choice(PLATE_LETTERS + "0123456789")
        return f"{prefix}{tail}{rng.randrange(10_000):04d}", True
    first = rng.choice(PLATE_LETTERS) if rng.random() < 0.4 else str(rng.randrange(10))
    return f"{prefix}{first}{rng.randrange(10_000):04d}", False


class _CommunityRows:
    """The rows of one synthetic community, table by table, ready for `write_rows`."""

    def __init__(self, index: int, company_id: int, rng, ids: _IdAllocator, names, adapt) -> None:
        self.rng = rng
        self.ids = ids
        self.names = names
        self.rows: dict[type[Model], list[tuple]] = {model: [] for model in TABLE_FIELDS}
        self.created_at = adapt.created_at
        self.cid = self._community(index, company_id)
        self.plates_used: set[str] = set()
        self.plate_prefix = CITIES[index % len(CITIES)][2]
        self.other_prefixes = [c[2] for c in CITIES if c[2] != self.plate_prefix]
        adapt_date = adapt.date
        delivered = datetime.date(2015, 6, 30) + datetime.timedelta(days=rng.randrange(3_000))
        self.delivered_on = adapt_date(delivered)
        self.start_on = adapt_date(delivered + datetime.timedelta(days=30))
        self.registered_on = adapt_date(delivered + datetime.timedelta(days=60))
        self.lease_start = adapt_date(TODAY - datetime.timedelta(days=200))
        self.lease_end = adapt_date(TODAY + datetime.timedelta(days=165))

    def build(self, house_count: int) -> list[tuple[type[Model], Sequence[str], list[tuple]]]:
        rng, ids, made, building_number = self.rng, self.ids, 0, 0
        while made < house_count:
            building_number += 1
            floors = rng.choice((6, 11, 18, 18, 26, 32, 33))
            unit_count = rng.randint(1, 3)
            per_floor = rng.choice((2, 2, 3, 4))
            building_id = ids.take(Building)
            self.rows[Building].append(
                (building_id, self.cid, str(building_number), f"{building_number}栋", floors)
            )
            for unit_number in range(1, unit_count + 1):
                if made >= house_count:
                    break
                unit_id = ids.take(Unit)
                self.rows[Unit].append((unit_id, self.cid, building_id, str(unit_number)))
                for floor in range(1, floors + 1):
                    for room in range(1, min(per_floor, house_count - made) + 1):
                        code = f"{building_number}-{unit_number}-{floor}{room:02d}"
                        self._house(
                            building_id, unit_id, code, floor, commercial=room == 1 == floor
                        )
                        made += 1
        return [(model, fields, self.rows[model]) for model, fields in TABLE_FIELDS.items()]

    def _community(self, index: int, company_id: int) -> int:
        city, district, _plate_prefix = CITIES[index % len(CITIES)]
        name = ESTATE_PREFIXES[index % len(ESTATE_PREFIXES)]
        name += ESTATE_SUFFIXES[(index // len(ESTATE_PREFIXES)) % len(ESTATE_SUFFIXES)]
        combos = len(ESTATE_PREFIXES) * len(ESTATE_SUFFIXES)
        if index >= combos:
            name += f"{index // combos + 1}期"
        code = f"{COMMUNITY_CODE_PREFIX}{index + 1:05d}"
        address = f"{city}{district}{self.rng.choice(ROADS)}路 {self.rng.randint(1, 999)} 号"
        community_id = self.ids.take(Community)
        self.rows[Community].append(
            (community_id, company_id, code, name, address, code, self.created_at)
        )
        return community_id

    def _house(self, building_id: int, unit_id: int, code: str, floor: int, commercial: bool):
        rng, cid = self.rng, self.cid
        status = rng.choices(HOUSE_STATUSES, cum_weights=HOUSE_STATUS_CUM_WEIGHTS)[0]
        area = rng.randrange(4_500, 16_000)
        house_id = self.ids.take(House)
        self.rows[House].append(
            (
                house_id,
                cid,
                building_id,
                unit_id,
                code.rsplit("-", 1)[1],
                code,
                floor,
                f"{area // 100}.{area % 100:02d}",
                HouseKind.COMMERCIAL.value if commercial else HouseKind.RESIDENTIAL.value,
                status,
                self.delivered_on,
                self.created_at,
            )
        )
        self.rows[HouseStatusChange].append(
            (
                self.ids.take(HouseStatusChange),
                cid,
                house_id,
                "",
                status,
                self.delivered_on,
                "seed",
                None,
                self.created_at,
            )
        )
        if status == HouseStatus.UNSOLD:
            return
        owner_id = self._owner(house_id, primary=True)
        if rng.random() < 0.1:
            self._owner(house_id, primary=False)
        if status != HouseStatus.OCCUPIED:
            return
        if rng.random() < 0.3:
            surname = self.rows[Owner][-1][3][0]  # family members mostly share the surname
            self._resident(house_id, ResidentRelation.FAMILY.value, surname + self._given_name())
        if rng.random() < 0.1:
            self._resident(house_id, ResidentRelation.TENANT.value, self._person_name(), lease=True)
        if rng.random() < 0.4:
            self._vehicle(house_id, owner_id)

    def _person_name(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0] + self._given_name()

    def _given_name(self) -> str:
        return GIVEN_NAMES[self.rng.randrange(len(GIVEN_NAMES))]

    def _mobile(self) -> str:
        rng = self.rng
        return MOBILE_PREFIXES[rng.randrange(len(MOBILE_PREFIXES))] + f"{rng.randrange(10**8):08d}"

    def _owner(self, house_id: int, *, primary: bool) -> int:
        name = self._person_name()
        pinyin, initials = self.names(name)
        mobile = self._mobile()
        owner_id = self.ids.take(Owner)
        self.rows[Owner].append(
            (
                owner_id,
                self.cid,
                OwnerKind.PERSON.value,
                name,
                pinyin,
                initials,
                mobile,
                mobile[-4:],
                IdType.RESIDENT_ID.value,
                _resident_id(self.rng),
                "",
                None,
                self.created_at,
            )
        )
        self.rows[Ownership].append(
            (
                self.ids.take(Ownership),
                self.cid,
                house_id,
                owner_id,
                primary,
                self.start_on,
                None,
                None,
                None,
            )
        )
        return owner_id

    def _resident(self, house_id: int, relation: str, name: str, *, lease: bool = False) -> None:
        pinyin, initials = self.names(name)
        mobile = self._mobile()
        self.rows[Resident].append(
            (
                self.ids.take(Resident),
                self.cid,
                house_id,
                relation,
                name,
                pinyin,
                initials,
                mobile,
                mobile[-4:],
                "",
                self.lease_start if lease else None,
                self.lease_end if lease else None,
                self.lease_start if lease else self.start_on,
                None,
                "",
            )
        )

    def _vehicle(self, house_id: int, owner_id: int) -> None:
        rng = self.rng
        prefix = self.plate_prefix if rng.random() < 0.9 else rng.choice(self.other_prefixes)
        plate, new_energy = _plate(rng, prefix)
        while plate in self.plates_used:  # one active registration per plate and community
            plate, new_energy = _plate(rng, prefix)
        self.plates_used.add(plate)
        vehicle_id = self.ids.take(Vehicle)
        self.rows[Vehicle].append(
            (
                vehicle_id,
                self.cid,
                house_id,
                owner_id,
                plate,
                new_energy,
                f"{rng.choice(CAR_COLOURS)}{rng.choice(CAR_MAKES)}",
                self.registered_on,
                None,
            )
        )
        if rng.random() < 0.5:
            spaces = self.rows[ParkingSpace]
            spaces.append(
                (
                    self.ids.take(ParkingSpace),
                    self.cid,
                    f"P{len(spaces) + 1:05d}",
                    rng.choice(ParkingKind.values),
                    ParkingStatus.LET.value if rng.random() < 0.7 else ParkingStatus.SOLD.value,
                    owner_id,
                    house_id,
                    vehicle_id,
                )
            )


def _made_ahead(items: Iterator[T]) -> Iterator[T]:
    """Iterate `items` while a background thread already makes the next one.

    Making a community's rows is pure Python; writing them is mostly SQLite's C code or the
    PostgreSQL server, which run without the GIL, so the two overlap on a machine with two cores.
    The producer touches no database: ids, adapters and name keys were prepared beforehand.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    end = object()

    def hand_over(entry) -> None:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for item in items:
                hand_over((item, None))
                if stop.is_set():
                    return
            hand_over((end, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            hand_over((end, exc))

    producer = threading.Thread(target=produce, name="seed-rows", daemon=True)
    producer.start()
    try:
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        producer.join(timeout=5)


# --- writing --------------------------------------------------------------------------------


def _columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    """The columns of `fields`; fails loudly if the model has a column the seed does not fill."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    missing = sorted(set(by_attname) - set(fields))
    if missing:
        raise RuntimeError(
            f"seeding.py does not fill {model.__name__}.{', '.join(missing)}: add it to the rows"
        )
    return [by_attname[name].column for name in fields]


def write_rows(model: type[Model], fields: Sequence[str], rows: list[tuple]) -> None:
    """Write `rows` (values in the order of `fields`) set-based: COPY or one executemany."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(c) for c in _columns(model, fields))
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    elif connection.vendor == "sqlite":
        # The DB-API connection directly: Django's cursor wrapper adds nothing to a bulk insert.
        marks = ", ".join("?" for _ in fields)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 — our identifiers
        connection.connection.executemany(sql, rows)
    else:
        raise NotImplementedError(
            f"seeding supports SQLite and PostgreSQL, not {connection.vendor}"
        )


def _tune_connection() -> None:
    """Give this connection room for a bulk load (a bigger page cache on SQLite)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB, this connection only


def _reset_sequences(models: Sequence[type[Model]]) -> None:
    """Move PostgreSQL's id sequences past the ids allocated here (SQLite follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@transaction.atomic
def _ensure_staff(company: Company, password: str) -> list[str]:
    """The benchmark's logins: an agent in the first two seed communities and an administrator."""
    for code, label in Department.Code.choices:
        Department.objects.get_or_create(code=code, defaults={"name": str(label)})
    service = Department.objects.get(code=Department.Code.CUSTOMER_SERVICE)
    communities = list(
        Community.objects.filter(company=company).order_by("id")[:AGENT_COMMUNITY_COUNT]
    )
    agent = User.objects.filter(username=SEED_AGENT_USERNAME).first()
    if agent is None:
        agent = User.objects.create_user(
            SEED_AGENT_USERNAME,
            password=password,
            role=Role.AGENT,
            department=service,
            last_name="压测",
            first_name="坐席",
        )
        agent.communities.set(communities)
    if not User.objects.filter(username=SEED_ADMIN_USERNAME).exists():
        User.objects.create_user(
            SEED_ADMIN_USERNAME,
            password=password,
            role=Role.ADMIN,
            department=service,
            last_name="压测",
            first_name="管理员",
        )
    return list(agent.communities.order_by("id").values_list("code", flat=True))


__all__ = [
    "DEFAULT_PASSWORD",
    "SEED_ADMIN_USERNAME",
    "SEED_AGENT_USERNAME",
    "SEED_COMPANY_NAME",
    "SeedRefused",
    "SeedResult",
    "analyze",
    "foreign_data",
    "seed_registry",
]
