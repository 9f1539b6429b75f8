"""Demo announcements: published, building-targeted, scheduled and draft, through the services.

`load_demo_notices(communities=…)` is called by the demo loader after the registry exists; the
first supervisor (or administrator) writes and publishes, so the history and the outbox look as
they would in real use. Running it twice adds nothing (it stops if the demo notices exist).
"""

import datetime

from django.utils import timezone

from propdesk.accounts.models import Role, User
from propdesk.notices.models import Announcement
from propdesk.notices.services import announcements as svc

PUBLISHED = [
    (
        "关于端午节假期物业服务安排的通知",
        "尊敬的业主：端午节假期期间，客服中心值班时间为9:00-18:00，"
        "工程、安保24小时值守。如遇紧急情况请拨打客服电话。祝您节日快乐！",
    ),
    (
        "夏季用电安全温馨提示",
        "近期气温升高，请勿私拉乱接电线，电动车请在指定充电区域充电，"
        "离家时请关闭空调等大功率电器。",
    ),
]
BUILDING = (
    "电梯年度检验通知",
    "本楼电梯将于本周四9:00-12:00进行年度检验，检验期间暂停使用，请合理安排出行，"
    "给您带来不便，敬请谅解。",
)
SCHEDULED = (
    "关于开展消防安全检查的通知",
    "物业服务中心将于下周开展消防安全检查，届时工作人员将入户检查烟感及消防设施，请您予以配合。",
)
DRAFT = ("二次供水水箱清洗通知（草稿）", "计划于下月清洗二次供水水箱，具体时间另行通知。")


def _author() -> User | None:
    return (
        User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("id").first()
        or User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    )


def load_demo_notices(*, communities, now: datetime.datetime | None = None) -> int:
    """Write the demo announcements for each community; return how many were created."""
    author = _author()
    if author is None or Announcement.objects.filter(title=SCHEDULED[0]).exists():
        return 0
    now = now or timezone.now()
    created = 0
    for community in communities:
        for title, body in PUBLISHED:
            notice = svc.announcement_create(
                actor=author, community=community, title=title, body=body
            )
            svc.announcement_publish(actor=author, announcement=notice)
            created += 1
        building = community.buildings.order_by("id").first()
        if building is not None:
            notice = svc.announcement_create(
                actor=author,
                community=community,
                title=f"{building}{BUILDING[0]}",
                body=BUILDING[1],
                building_ids=[building.id],
            )
            svc.announcement_publish(actor=author, announcement=notice)
            created += 1
        notice = svc.announcement_create(
            actor=author, community=community, title=SCHEDULED[0], body=SCHEDULED[1]
        )
        svc.announcement_publish(
            actor=author, announcement=notice, publish_at=now + datetime.timedelta(days=3)
        )
        svc.announcement_create(actor=author, community=community, title=DRAFT[0], body=DRAFT[1])
        created += 2
    return created
