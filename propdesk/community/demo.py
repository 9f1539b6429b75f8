"""The demo's community work: special-care residents and their visits, an activity owners have
signed up for, a visit plan per building with the visits made, a water cut last month with its
broadcasts and timeline, a severe-weather warning sent, and birthday greetings on in one
community.

`load_demo_community(communities=…, rng=…)` runs after the portal demo (whose owner accounts
sign up for the activity). What the services can record at the demo's present goes through
them (the care list and visits, visit plans and visits, the activity and its sign-ups, the
greeting setting); the past incident and warning, which the services only open at the moment
they are called, are written as those services leave them once done, each dated in the past.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from propdesk.accounts.models import User
from propdesk.community.models import (
    ActivityKind,
    BroadcastKind,
    CareCall,
    CareCategory,
    CareResident,
    FollowUpItem,
    Incident,
    IncidentBroadcast,
    IncidentEntry,
    IncidentKind,
    IncidentStatus,
    IncidentTask,
    Severity,
    TimelineAction,
    WarningStatus,
    WeatherWarning,
)
from propdesk.community.plans import DEFAULT_PLANS
from propdesk.community.services import activities, care, greetings, visits
from propdesk.core import audit
from propdesk.core.models import AuditEvent
from propdesk.core.numbering import next_number
from propdesk.estates.models import Building, House, Owner, Ownership

# (name, category, visit every days, emergency contact, health notes, findings of the visits)
CARE = [
    ("陈桂英", CareCategory.ELDERLY_ALONE, 14, "陈建华（儿子）", "高血压，行动较慢",
     ["精神状态良好，血压药按时服用", "家中灯泡坏了一只，已帮忙更换"]),
    ("刘秀兰", CareCategory.ELDERLY_ALONE, 30, "刘志强（侄子）", "听力较弱，来访请多敲门",
     ["生活自理，冰箱食物充足"]),
    ("王建国", CareCategory.DISABLED, 21, "王芳（女儿）", "下肢行动不便，使用轮椅",
     ["单元门坡道通行正常，业主表示满意", "提醒雨天注意防滑"]),
    ("赵玉兰", CareCategory.ELDERLY_ALONE, 14, "赵海燕（女儿）", "糖尿病，需按时用药",
     ["血糖控制平稳，提醒按时复诊", "帮忙预约社区医生上门"]),
    ("孙志强", CareCategory.DISABLED, 30, "孙伟（儿子）", "视力障碍",
     ["家中通道畅通，已检查燃气阀门"]),
]  # fmt: skip
CARE_PER_COMMUNITY = (3, 2)
VISIT_OPINIONS = [
    "",
    "",
    "希望增加地库照明",
    "",
    "建议在单元门口加装雨棚",
    "",
]
WATER_CUT = {
    "place": "2栋 地下泵房",
    "description": "2栋生活水泵出水管阀门漏水，需关阀抢修，2栋全楼临时停水。",
    "cause": "水泵出水管阀门老化破裂。",
    "measures": "关闭2栋供水总阀，更换阀门及密封件，试压正常后恢复供水；"
    "停水期间在大堂设临时供水点。",
    "opened": "【和悦物业】因2栋水泵阀门抢修，2栋今日{start}起临时停水，预计{restore}恢复，"
    "请提前储水，给您带来不便敬请谅解。",
    "restored": "【和悦物业】2栋供水已于{restored}恢复，感谢您的理解与配合。",
}
TYPHOON = (
    "台风黄色预警",
    "受台风影响，明天有大风和强降雨，请收好阳台物品、关好门窗，尽量减少外出。",
)


def _zone():
    return timezone.get_current_timezone()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=_zone())


@transaction.atomic
def load_demo_community(
    *, communities, rng: random.Random, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Write the demo's community records for each community (once); return what was made."""
    end = now or timezone.now()
    supervisor = User.objects.filter(username="supervisor").first()
    agent = User.objects.filter(username="agent").first()
    if supervisor is None or agent is None or CareResident.objects.exists():
        return {}
    today = timezone.localtime(end).date()
    made = {"care": 0, "signups": 0, "visits": 0, "incidents": 0, "warnings": 0}
    for index, community in enumerate(communities):
        houses = list(
            House.objects.filter(community=community, ownerships__end_on__isnull=True)
            .distinct()
            .order_by("id")
        )
        if not houses:
            continue
        made["care"] += _care(community, houses, supervisor, today, rng, index)
        made["visits"] += _owner_visits(community, houses, supervisor, today, rng)
        made["signups"] += _activity(community, supervisor, end, index)
        if index == 0:
            made["incidents"] += _water_cut(community, supervisor, agent, end, rng)
            made["warnings"] += _typhoon(community, supervisor, agent, end)
        greetings.greeting_setting_set(actor=supervisor, community=community, enabled=index == 0)
    return made


def _care(community, houses, supervisor, today, rng, index) -> int:
    """Three residents on the care list in the first community, two in the second, each
    visited in the last weeks."""
    first = sum(CARE_PER_COMMUNITY[:index])
    people = CARE[first : first + CARE_PER_COMMUNITY[index % len(CARE_PER_COMMUNITY)]]
    chosen = rng.sample(houses, min(len(houses), len(people)))
    for house, (name, category, every, contact, health, findings) in zip(
        chosen, people, strict=False
    ):
        resident = care.care_resident_add(
            actor=supervisor,
            house=house,
            name=name,
            category=category,
            mobile=f"1380013{rng.randrange(10**4):04d}",
            visit_every_days=every,
            emergency_contact=contact,
            emergency_mobile=f"1390013{rng.randrange(10**4):04d}",
            health_notes=health,
        )
        for n, text in enumerate(findings):
            visited_on = today - datetime.timedelta(
                days=every * (len(findings) - n) - rng.randint(0, 3)
            )
            visited_on = max(visited_on, today - datetime.timedelta(days=55))
            care.care_visit_record(
                actor=supervisor,
                resident=resident,
                visited_on=visited_on,
                findings=text,
                help_given="帮忙更换灯泡" if "灯泡" in text else "",
            )
    return len(chosen)


def _owner_visits(community, houses, supervisor, today, rng) -> int:
    """A plan for every building (every 90 days); about half the buildings visited lately."""
    buildings = list(Building.objects.filter(community=community).order_by("id"))
    by_building: dict[int, list[House]] = {}
    for house in houses:
        by_building.setdefault(house.building_id, []).append(house)
    made = 0
    for n, building in enumerate(buildings):
        visits.visit_plan_set(actor=supervisor, building=building, every_days=90)
        if n % 2 or building.pk not in by_building:
            continue
        visited_on = today - datetime.timedelta(days=rng.randint(3, 50))
        for house in rng.sample(by_building[building.pk], min(3, len(by_building[building.pk]))):
            visits.owner_visit_record(
                actor=supervisor,
                house=house,
                visited_on=visited_on,
                opinions=VISIT_OPINIONS[made % len(VISIT_OPINIONS)],
                note="上门走访，了解居住情况",
            )
            made += 1
    return made


def _activity(community, supervisor, end, index) -> int:
    """An activity in two weeks' time; the owners with a portal account have signed up."""
    start_day = timezone.localtime(end).date() + datetime.timedelta(days=12)
    kind, title, place, description = (
        (
            ActivityKind.FESTIVAL,
            "邻里冬至包饺子活动",
            "小区中心广场",
            "一起包饺子、聊家常，食材由物业准备。",
        )
        if index == 0
        else (
            ActivityKind.PARENT_CHILD,
            "亲子手工灯笼制作",
            "会所多功能厅",
            "适合4-12岁儿童，家长陪同。",
        )
    )
    activity = activities.activity_create(
        actor=supervisor,
        community=community,
        kind=kind,
        title=title,
        place=place,
        description=description,
        starts_at=_at(start_day, 14, 30),
        ends_at=_at(start_day, 17),
        capacity=40,
        max_party=4,
        announce=False,
    )
    signed = 0
    owners = Owner.objects.filter(community=community, user__isnull=False).select_related("user")
    for owner in owners.order_by("id"):
        link = Ownership.objects.filter(owner=owner, end_on__isnull=True).select_related("house")
        for ownership in link.order_by("id")[:1]:
            activities.signup_create(
                actor=owner.user, activity=activity, house=ownership.house, people=2 + signed % 2
            )
            signed += 1
    return signed


def _water_cut(community, supervisor, agent, end, rng) -> int:
    """Building 2's water cut, about five weeks ago: opened, told, worked through, restored
    and closed with its cause and a prevention item."""
    buildings = list(Building.objects.filter(community=community).order_by("id")[:2])
    if not buildings:
        return 0
    building = buildings[-1]
    texts = {key: value.replace("2栋", f"{building.number}栋") for key, value in WATER_CUT.items()}
    day = timezone.localtime(end - datetime.timedelta(days=36)).date()
    opened = _at(day, 9, 20)
    restored = opened + datetime.timedelta(hours=5, minutes=35)
    expected = opened + datetime.timedelta(hours=6)
    closed = restored + datetime.timedelta(hours=2)
    number = (
        f"{community.code}-YJ{day.year}-{next_number(f'incident:{community.id}:{day.year}'):04d}"
    )
    incident = Incident.objects.create(
        community=community,
        number=number,
        kind=IncidentKind.WATER_CUT,
        severity=Severity.MAJOR,
        place=texts["place"],
        description=texts["description"],
        status=IncidentStatus.CLOSED,
        expected_restore_at=expected,
        restored_at=restored,
        opened_at=opened,
        opened_by=supervisor,
        linked_count=0,
        closed_at=closed,
        closed_by=supervisor,
        cause=texts["cause"],
        measures=texts["measures"],
    )
    incident.buildings.set([building])
    residents = Ownership.objects.filter(house__building=building, end_on__isnull=True).count()
    fmt = "%H:%M"
    messages = {
        BroadcastKind.OPENED: texts["opened"].format(
            start=timezone.localtime(opened).strftime(fmt),
            restore=timezone.localtime(expected).strftime(fmt),
        ),
        BroadcastKind.RESTORED: texts["restored"].format(
            restored=timezone.localtime(restored).strftime(fmt)
        ),
    }
    told = list(User.objects.filter(username__in=["engineer", "agent", "guard"]).order_by("id"))
    Incident.objects.filter(pk=incident.pk).update(staff_notified=len(told))
    entries = [
        IncidentEntry(community=community, incident=incident, at=opened, actor=supervisor,
                      action=TimelineAction.OPENED, note=texts["description"]),
        IncidentEntry(community=community, incident=incident, at=opened, actor=None,
                      action=TimelineAction.STAFF_NOTIFIED,
                      note="、".join(u.display_name for u in told),
                      data={"staff": [u.pk for u in told], "messages": len(told)}),
    ]  # fmt: skip
    sent = [
        (BroadcastKind.OPENED, opened + datetime.timedelta(minutes=12)),
        (BroadcastKind.RESTORED, restored + datetime.timedelta(minutes=5)),
    ]
    for kind, at in sent:
        broadcast = IncidentBroadcast.objects.create(
            community=community,
            incident=incident,
            kind=kind,
            text=messages[kind],
            expected_restore_at=expected if kind == BroadcastKind.OPENED else None,
            created_at=at,
            created_by=supervisor,
            claimed_at=at,
            delivered_at=at + datetime.timedelta(seconds=20),
            recipients=residents,
            messages=residents,
        )
        entries += [
            IncidentEntry(community=community, incident=incident, at=at, actor=supervisor,
                          action=TimelineAction.BROADCAST, note=broadcast.text),
            IncidentEntry(community=community, incident=incident, at=broadcast.delivered_at,
                          action=TimelineAction.BROADCAST_QUEUED,
                          data={"broadcast": broadcast.pk, "recipients": residents}),
        ]  # fmt: skip
    departments = {d.code: d for d in _departments()}
    tasks = []
    for position, (title, code, minutes) in enumerate(DEFAULT_PLANS[IncidentKind.WATER_CUT], 1):
        due = opened + datetime.timedelta(minutes=minutes)
        done = min(
            due - datetime.timedelta(minutes=rng.randint(0, 5)),
            restored + datetime.timedelta(minutes=30),
        )
        done = max(done, opened + datetime.timedelta(minutes=2))
        if minutes > 120:  # the steps after the water is back
            done = restored + datetime.timedelta(minutes=rng.randint(10, 40))
        doer = agent if code == "customer_service" else supervisor
        tasks.append(
            IncidentTask(community=community, incident=incident, position=position, title=title,
                         department=departments.get(code), due_at=due, done_at=done, done_by=doer)
        )  # fmt: skip
        entries.append(
            IncidentEntry(community=community, incident=incident, at=done, actor=doer,
                          action=TimelineAction.STEP_DONE, note=title)
        )  # fmt: skip
    IncidentTask.objects.bulk_create(tasks)
    entries += [
        IncidentEntry(community=community, incident=incident, at=restored, actor=supervisor,
                      action=TimelineAction.RESTORED),
        IncidentEntry(community=community, incident=incident, at=closed, actor=supervisor,
                      action=TimelineAction.CLOSED, note=texts["cause"]),
    ]  # fmt: skip
    IncidentEntry.objects.bulk_create(sorted(entries, key=lambda e: e.at))
    FollowUpItem.objects.create(
        community=community,
        incident=incident,
        position=1,
        text="排查全小区水泵阀门老化情况，制定更换计划",
    )
    AuditEvent.objects.bulk_create(
        [
            audit.change_row(actor=supervisor, instance=incident, action="create"),
            audit.change_row(
                actor=supervisor,
                instance=incident,
                action="update",
                changes={"status": [IncidentStatus.ACTIVE, IncidentStatus.CLOSED]},
            ),
        ]
    )
    return 1


def _departments():
    from propdesk.accounts.models import Department

    return Department.objects.all()


def _typhoon(community, supervisor, agent, end) -> int:
    """A typhoon warning sent three weeks ago; the care list was called first."""
    send_at = _at(timezone.localtime(end - datetime.timedelta(days=21)).date(), 17)
    created = send_at - datetime.timedelta(hours=2)
    residents = list(CareResident.objects.filter(community=community, active=True))
    warning = WeatherWarning.objects.create(
        community=community,
        title=TYPHOON[0],
        text=TYPHOON[1],
        send_at=send_at,
        status=WarningStatus.SENT,
        created_by=supervisor,
        created_at=created,
        claimed_at=send_at,
        sent_at=send_at + datetime.timedelta(seconds=30),
        care_calls=len(residents),
        care_told=len(residents),
        recipients=Ownership.objects.filter(community=community, end_on__isnull=True)
        .values("owner_id")
        .distinct()
        .count(),
    )
    CareCall.objects.bulk_create(
        CareCall(
            community=community,
            resident=resident,
            reason=TYPHOON[0],
            due_at=send_at,
            done_at=created + datetime.timedelta(minutes=30 + 10 * n),
            done_by=agent,
            outcome="已电话提醒，关好门窗，家中无需协助",
            source=f"warning:{warning.pk}",
        )
        for n, resident in enumerate(residents)
    )
    AuditEvent.objects.bulk_create(
        [audit.change_row(actor=supervisor, instance=warning, action="create")]
    )
    return 1
