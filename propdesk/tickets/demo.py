"""A year of demo service requests, replayed as the real services would have made them.

`load_demo_requests(communities=…, rng=…)` walks through the last twelve months day by day and,
for each request, takes the steps a real one would go through — intake, acceptance, dispatch,
work on site, resolution, the follow-up call; some are reopened, a few cancelled, the latest still
open — each step inside `clock.travel(moment)` (tickets.clock), so numbers, deadlines, SLA verdicts
and timelines are those the services compute at that moment. `clock.quiet()` keeps the replay
from queueing a year of owner messages. The requests older than two weeks are replayed in memory
with the services' own functions and written in bulk (tickets.demo_bulk: the same rows, checked
by tests/test_demo.py); the last two weeks go through the services step by step. The
descriptions are written for this demo; no real resident's words are used.

It expects the staff of the estates demo (an agent, a supervisor and a technician of the
engineering department working in the communities) and houses with owners.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from propdesk.accounts.models import Role, User
from propdesk.core.errors import AppError
from propdesk.estates.models import Building, Community, Ownership
from propdesk.tickets import clock, services
from propdesk.tickets.demo_bulk import BulkReplay
from propdesk.tickets.models import ServiceRequest

ROOMS = ("主卧", "次卧", "客厅", "厨房", "卫生间", "阳台", "书房")
PLACES = ("大堂", "地下车库", "电梯厅", "楼道", "单元门口", "消防通道", "屋顶平台")
TIMES = ("昨晚", "今天早上", "这两天", "最近一周", "中午", "半夜")

# category → (kind weights, texts for a house, texts for a common area); {room}, {place},
# {time}, {floor} are filled in.
TEXTS: dict[str, tuple[dict[str, int], list[str], list[str]]] = {
    "repair_water": (
        {"repair": 9, "complaint": 1},
        [
            "{room}的水龙头拧不紧，一直滴水，麻烦派人看看",
            "厨房水槽下水很慢，{time}开始基本排不下去了",
            "卫生间地漏往上冒臭味，地面还有点积水",
            "家里水压忽大忽小，洗澡时水一会儿烫一会儿凉",
            "楼上往下渗水，{room}天花板有一块黄色水印在扩大",
            "马桶水箱一直在进水，声音很响，晚上睡不好",
        ],
        [
            "{place}的水管接头在漏水，地上一大摊水，走路容易滑倒",
            "{place}墙角排水沟堵了，下雨后积水退不下去",
        ],
    ),
    "repair_electric": (
        {"repair": 10},
        [
            "{room}有两个插座没电了，空开没有跳",
            "家里总闸{time}跳了好几次，推上去过一会儿又跳",
            "{room}的吸顶灯一闪一闪，换了灯泡也一样",
        ],
        [
            "{place}的灯坏了好几盏，晚上黑乎乎的不安全",
            "{floor}楼楼道的声控灯不亮，拍手跺脚都没反应",
            "{place}的应急指示灯不亮了",
        ],
    ),
    "repair_elevator": (
        {"repair": 7, "complaint": 3},
        [
            "电梯到我们{floor}楼时门关不上，反复开合",
        ],
        [
            "{time}电梯在{floor}楼停住不动，按钮都没反应",
            "电梯运行时有很大的摩擦声，还有点晃，坐着害怕",
            "电梯里的空调和照明都坏了，夏天闷得受不了",
            "电梯按钮有几个按了不亮，到不了想去的楼层",
        ],
    ),
    "repair_building": (
        {"repair": 9, "complaint": 1},
        [
            "{room}窗户的合页松了，关不严，下雨会进水",
            "入户门的门锁不好用，钥匙转好几圈才开",
            "{room}外墙那面墙{time}开始渗水，墙纸都鼓起来了",
        ],
        [
            "{place}的防火门闭门器坏了，门一直开着关不上",
            "{place}的栏杆有一段松动，小孩靠上去很危险",
            "单元门禁刷卡没反应，门也关不严",
        ],
    ),
    "noise": (
        {"complaint": 9, "suggestion": 1},
        [
            "楼上{time}一直在拖椅子和跺脚，已经好几天了，请帮忙沟通",
            "隔壁装修中午和晚上还在电钻，不是规定时间",
            "楼下商铺的音箱声音太大，{time}吵得孩子没法写作业",
            "邻居家的狗从早叫到晚，家里有老人休息不好",
        ],
        [
            "小区广场{time}跳舞音乐开得太响，能不能规定一下时间和音量",
            "{place}的排风机噪音特别大，晚上也不停",
        ],
    ),
    "security": (
        {"complaint": 6, "help": 3, "suggestion": 1},
        [
            "{time}家门口的快递被人拿走了，想调一下监控",
            "有陌生人跟着进了单元门，在楼道里挨家敲门推销",
        ],
        [
            "{place}被电动车和杂物堵住了，万一着火出不去",
            "{time}有东西从楼上掉下来，差点砸到人，请查一下是哪户",
            "小区里有一条大狗没拴绳，追着小孩跑",
        ],
    ),
    "environment": (
        {"complaint": 8, "suggestion": 2},
        [
            "门口公共区域有人堆了好几天的装修垃圾，气味很大",
        ],
        [
            "{place}的垃圾桶满了没人清，{time}开始就有异味",
            "楼道里有很多小广告，扶手上全是灰，好久没人打扫了",
            "{place}有老鼠出没，请安排消杀",
            "小区门口餐馆的油烟直接往我们楼这边排",
        ],
    ),
    "greening": (
        {"complaint": 5, "suggestion": 5},
        [],
        [
            "楼前的大树树枝伸到{floor}楼窗户上，遮光还招虫子，希望修剪",
            "草坪里的喷灌头坏了，一直往人行道上喷水",
            "绿化带的灌木枯死了一大片，建议补种",
        ],
    ),
    "parking": (
        {"complaint": 7, "inquiry": 3},
        [
            "我的车位被别人的车占了，{time}到现在还没挪",
            "想问一下地下车位现在还有没有出租的，月租多少",
        ],
        [
            "{place}出入口总有车乱停，堵住了通道",
            "充电桩有两个坏了，扫码没反应",
        ],
    ),
    "fees": (
        {"inquiry": 7, "complaint": 3},
        [
            "想开一张去年全年物业费的发票，需要带什么材料",
            "这个月的公摊水电费比平时高很多，想看一下明细",
            "房子空了大半年，问一下空置能不能申请优惠",
            "预存的水电费扣款记录对不上，麻烦核对一下",
        ],
        [],
    ),
    "decoration": (
        {"inquiry": 5, "complaint": 5},
        [
            "准备装修厨房和卫生间，装修手续怎么办，要交哪些费用",
            "隔壁装修把承重墙打了一个洞，担心有安全隐患",
            "楼上装修工人把建筑垃圾堆在楼道里好几天",
        ],
        [],
    ),
    "service": (
        {"complaint": 5, "suggestion": 3, "praise": 2},
        [
            "上次报修等了三天才有人来，希望提高一下效率",
            "工程部的师傅很负责，修完还把地面擦干净了，提出表扬",
            "前台打电话一直占线，能不能多安排一个人接听",
            "建议在业主群里提前通知停水停电的时间",
        ],
        [],
    ),
    "other_nonproperty": (
        {"inquiry": 8, "complaint": 2},
        [
            "房产证什么时候能办下来，开发商那边一直没消息",
            "想问一下小区附近学校的学区划分，找谁咨询",
        ],
        [],
    ),
}
CATEGORY_WEIGHTS = {
    "repair_water": 20,
    "repair_electric": 10,
    "repair_elevator": 6,
    "repair_building": 8,
    "noise": 10,
    "security": 5,
    "environment": 10,
    "greening": 3,
    "parking": 6,
    "fees": 8,
    "decoration": 5,
    "service": 5,
    "other_nonproperty": 4,
}
EMERGENCY_TEXTS = {
    "repair_water": "{room}的水管突然爆了，水一直往外喷，已经流到客厅，请马上来人",
    "repair_elevator": "电梯困人！{floor}楼附近停住了，里面有两个人出不来",
    "repair_electric": "整栋楼{time}突然停电，电梯也停了",
}
BACKLOG = datetime.timedelta(days=14)
SATISFACTION_WEIGHTS = {5: 55, 4: 28, 3: 9, 2: 5, 1: 3}
FOLLOW_UP_COMMENTS = {
    5: ["师傅很专业，处理得很快", "满意，谢谢", "问题解决了，服务态度很好"],
    4: ["基本满意", "处理了，就是来得有点晚", ""],
    3: ["一般吧，拖的时间长了点", ""],
    2: ["修完没两天又坏了", "还是有问题，希望再来看看"],
    1: ["根本没解决", "态度不好，问题还在"],
}


@dataclass
class DemoStaff:
    agent: User
    supervisor: User
    technicians: list[User] = field(default_factory=list)


@dataclass
class DemoResult:
    requests: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    reopened: int = 0
    recurrences: int = 0


def _staff(community: Community) -> DemoStaff | None:
    people = User.objects.filter(is_active=True, communities=community).order_by("id")
    agent = people.filter(role=Role.AGENT).first()
    supervisor = people.filter(role=Role.SUPERVISOR).first() or agent
    if agent is None:
        return None
    return DemoStaff(
        agent=agent,
        supervisor=supervisor,
        technicians=list(people.filter(role=Role.TECHNICIAN)),
    )


def _fill(text: str, rng: random.Random) -> str:
    return text.format(
        room=rng.choice(ROOMS),
        place=rng.choice(PLACES),
        time=rng.choice(TIMES),
        floor=rng.randint(2, 18),
    )


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _moments(rng: random.Random, start, end, per_day: float) -> list[datetime.datetime]:
    """Intake times: more on weekdays and in the day, fewer at night."""
    zone = timezone.get_current_timezone()
    moments = []
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        expected = per_day * (0.7 if day.weekday() >= 5 else 1.1)
        count = int(expected) + (rng.random() < expected - int(expected))
        for _n in range(count):
            hour = rng.choices(range(24), weights=[1] * 7 + [6] * 12 + [3] * 3 + [1] * 2)[0]
            moment = datetime.datetime.combine(
                day, datetime.time(hour, rng.randint(0, 59)), tzinfo=zone
            )
            if start <= moment <= end:
                moments.append(moment)
        day += datetime.timedelta(days=1)
    return sorted(moments)


def _after(moment, rng: random.Random, low_minutes: int, high_minutes: int, end):
    later = moment + datetime.timedelta(minutes=rng.randint(low_minutes, high_minutes))
    return later if later < end else None


def _houses(community: Community) -> list[tuple]:
    return list(
        Ownership.objects.filter(community=community, end_on__isnull=True, is_primary=True)
        .select_related("house", "owner")
        .values_list("house_id", "owner_id")
    )


def load_demo_requests(
    *,
    communities,
    rng: random.Random,
    days: int = 365,
    per_day: float = 1.3,
    now: datetime.datetime | None = None,
    bulk: bool = True,
) -> DemoResult:
    """Replay `days` days of requests (about `per_day` a day per community) up to `now`.

    `bulk`: the requests received before the last two weeks are replayed in memory and written
    in bulk (tickets.demo_bulk, the same rows); the last two weeks, the work the queues show,
    go through the services one step at a time."""
    from propdesk.estates.models import House, Owner

    end = now or timezone.now()
    start = end - datetime.timedelta(days=days)
    result = DemoResult()
    for community in communities:
        staff = _staff(community)
        pairs = _houses(community)
        buildings = list(Building.objects.filter(community=community).order_by("id"))
        if staff is None or not pairs or not buildings:
            continue
        houses = {h.id: h for h in House.objects.filter(community=community)}
        owners = {o.id: o for o in Owner.objects.filter(community=community)}
        recent: list[ServiceRequest] = []
        replay = BulkReplay(community) if bulk else None
        with transaction.atomic(), clock.quiet():
            for moment in _moments(rng, start, end, per_day):
                steps = _SERVICES
                if replay is not None and end - moment >= BACKLOG:
                    steps = replay
                elif replay is not None:
                    replay.write()  # the services read what came before
                request = _one(
                    steps, community, staff, houses, owners, pairs, buildings, recent, moment, end,
                    rng,
                )  # fmt: skip
                if request is not None:
                    recent = [*recent[-40:], request]
            if replay is not None:
                replay.write()
            with clock.travel(end):
                services.sla_sweep(limit=10_000)
    requests = ServiceRequest.objects.filter(community__in=communities)
    result.requests = requests.count()
    for status in requests.values_list("status", flat=True):
        result.by_status[status] = result.by_status.get(status, 0) + 1
    result.reopened = requests.filter(reopen_count__gt=0).count()
    result.recurrences = requests.filter(recurrence_of__isnull=False).count()
    return result


class _Services:
    """Each step through its request service, at its own moment."""

    def create(self, *, actor, at, **values):
        with clock.travel(at):
            return services.request_create(actor=actor, **values)

    def accept(self, request, *, actor, at):
        with clock.travel(at):
            return services.request_accept(actor=actor, request=request)

    def dispatch(self, request, *, actor, at):
        with clock.travel(at):
            return services.request_dispatch(actor=actor, request=request, round_robin=True)

    def start(self, request, *, actor, at):
        with clock.travel(at):
            return services.request_start(actor=actor, request=request)

    def wait(self, request, *, actor, at, note):
        with clock.travel(at):
            return services.request_wait(actor=actor, request=request, note=note)

    def resume(self, request, *, actor, at):
        with clock.travel(at):
            return services.request_resume(actor=actor, request=request)

    def resolve(self, request, *, actor, at, note):
        with clock.travel(at):
            return services.request_resolve(actor=actor, request=request, note=note)

    def unreachable(self, request, *, actor, at):
        with clock.travel(at):
            return services.follow_up_unreachable(actor=actor, request=request)

    def follow_up(self, request, *, actor, at, score, comment):
        with clock.travel(at):
            return services.follow_up_record(
                actor=actor, request=request, satisfaction=score, comment=comment
            )

    def cancel(self, request, *, actor, at, reason):
        with clock.travel(at):
            return services.request_cancel(actor=actor, request=request, reason=reason)


_SERVICES = _Services()


def _one(steps, community, staff, houses, owners, pairs, buildings, recent, moment, end, rng):
    """One request from intake to wherever it has got by `end`."""
    # Now and then the same problem comes back at the same place.
    resolved = [r for r in recent if r.resolved_at]
    repeat = rng.choice(resolved) if resolved and rng.random() < 0.05 else None
    category = repeat.category.code if repeat else _weighted(rng, CATEGORY_WEIGHTS)
    kinds, house_texts, area_texts = TEXTS[category]
    kind = _weighted(rng, kinds)
    common = (not house_texts) or (area_texts and rng.random() < 0.35)
    if repeat is not None:
        common = repeat.house_id is None
    urgency = "normal"
    text = _fill(rng.choice(area_texts if common else house_texts), rng)
    if category in EMERGENCY_TEXTS and rng.random() < 0.04:
        urgency, kind, text = "emergency", "repair", _fill(EMERGENCY_TEXTS[category], rng)
    place: dict = {}
    if repeat is not None and repeat.house_id:
        place = {"house": houses[repeat.house_id], "caller_owner": repeat.caller_owner}
    elif repeat is not None:
        place = {"building": repeat.building, "location": repeat.location}
    elif common:
        place = {"building": rng.choice(buildings), "location": rng.choice(PLACES)}
    else:
        house_id, owner_id = rng.choice(pairs)
        place = {"house": houses[house_id], "caller_owner": owners[owner_id]}
    channel = rng.choices(["phone", "walk_in", "portal", "patrol"], weights=[60, 20, 12, 8])[0]
    if common and channel == "portal":
        channel = "patrol"
    try:
        request = steps.create(
            actor=staff.agent,
            at=moment,
            kind=kind,
            category=category,
            urgency=urgency,
            description=text,
            channel=channel,
            **place,
        )
    except AppError:
        return None
    # The last two weeks' work is not all done yet: stop some of it part-way (a backlog).
    until = end
    if end - moment < BACKLOG and rng.random() < 0.7:
        until = min(end, moment + datetime.timedelta(minutes=rng.randint(0, 900)))
    _progress(steps, request, staff, moment, until, rng, emergency=urgency == "emergency")
    if steps is _SERVICES:
        request.refresh_from_db()
    return request


def _progress(steps, request, staff, moment, end, rng, *, emergency: bool) -> None:
    """Take the request through the steps that fit in before `end`."""
    quick = emergency
    steps_at = moment
    outcome = rng.random()
    if outcome < 0.02:  # a duplicate or withdrawn: cancelled early
        at = _after(steps_at, rng, 5, 120, end)
        if at:
            steps.cancel(request, actor=staff.agent, at=at, reason="业主来电说已自行解决，撤销")
        return
    at = _after(steps_at, rng, 2, 20 if quick else 240, end)
    if at is None:
        return
    desk_answers = request.kind.code in ("inquiry", "praise", "suggestion") or (
        request.category.code in ("fees", "other_nonproperty")
    )
    request = steps.accept(request, actor=staff.agent, at=at)
    if desk_answers:
        at = _after(at, rng, 30, 60 * 30, end)
        if at is None:
            return
        request = steps.resolve(
            request, actor=staff.agent, at=at, note="已电话答复业主并说明办理方式"
        )
        _follow_up(steps, request, staff, at, end, rng)
        return
    at = _after(at, rng, 1, 15 if quick else 90, end)
    if at is None:
        return
    request = steps.dispatch(request, actor=staff.agent, at=at)
    worker = request.assignee or staff.agent
    _work(steps, request, staff, worker, at, end, rng, quick=quick)


def _work(steps, request, staff, worker, at, end, rng, *, quick: bool):
    at = _after(at, rng, 5, 25 if quick else 60 * 20, end)
    if at is None:
        return
    request = steps.start(request, actor=worker, at=at)
    if rng.random() < 0.08:
        at = _after(at, rng, 10, 60, end)
        if at is None:
            return
        request = steps.wait(
            request, actor=worker, at=at, note="需要业主在家才能入户，约好时间再来"
        )
        at = _after(at, rng, 60 * 10, 60 * 48, end)
        if at is None:
            return
        request = steps.resume(request, actor=worker, at=at)
    # Most work is done within the limit; some drags on past it.
    at = _after(at, rng, 20, 60 * (6 if quick else rng.choice([8, 24, 50, 90])), end)
    if at is None:
        return
    request = steps.resolve(
        request,
        actor=worker,
        at=at,
        note=rng.choice(
            ["已处理完毕，现场已清理", "更换了损坏部件，试用正常", "已维修并告知业主注意事项"]
        ),
    )
    _follow_up(steps, request, staff, at, end, rng)


def _follow_up(steps, request, staff, at, end, rng, *, attempt: int = 1) -> None:
    at = _after(at, rng, 60 * 3, 60 * 30, end)
    if at is None:
        return
    if rng.random() < 0.05:  # the owner does not answer
        request = steps.unreachable(request, actor=staff.agent, at=at)
        if request.status == "follow_up" and attempt < 3:
            _follow_up(steps, request, staff, at, end, rng, attempt=attempt + 1)
        return
    score = _weighted(rng, SATISFACTION_WEIGHTS)
    request = steps.follow_up(
        request,
        actor=staff.agent,
        at=at,
        score=score,
        comment=rng.choice(FOLLOW_UP_COMMENTS[score]),
    )
    if request.status == "dispatched":  # reopened: back to the same worker
        worker = request.assignee or staff.agent
        _work(steps, request, staff, worker, at, end, rng, quick=False)
