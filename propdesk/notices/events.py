"""The events that send a message, the variables each may use, and their default Chinese words.

The whitelist is the security boundary of editable templates: a template may name only the
variables listed for its event, and the renderer (`notices.rendering`) substitutes plain text for
them; nothing else in a template is interpreted. Migration 0002 seeds `DEFAULTS` as editable rows;
`DEFAULTS` is also the fall-back when a row was deleted.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    variables: dict = field(default_factory=dict)  # name → sample value for previews


_REQUEST = {
    "community": "甲小区",
    "number": "A2026000001",
    "house": "3-2-1502",
    "category": "给排水",
    "department": "工程部",
    "due": "2026-03-19 09:30",
    "status": "已受理，工单号 A2026000001，预计完成时间：2026-03-19 09:30。",
    "note": "",
}
_BILL = {
    "community": "甲小区",
    "house": "3-2-1502",
    "owner": "张三",
    "period": "2026-07",
    "fee": "物业服务费",
    "amount": "170.05",
    "due_on": "2026-07-05",
}

EVENTS: dict[str, Event] = {
    e.key: e
    for e in [
        Event("request.received", _("Request received"), _REQUEST),
        Event("request.dispatched", _("Request dispatched"), _REQUEST),
        Event("request.resolved", _("Request resolved"), _REQUEST),
        Event("request.follow_up", _("Request follow-up"), _REQUEST),
        Event("request.updated", _("Other request progress"), _REQUEST),
        Event("bill.issued", _("Bill issued"), _BILL),
        Event(
            "bill.reminder",
            _("Arrears reminder"),
            {
                "community": "甲小区",
                "house": "3-2-1502",
                "owner": "张三",
                "amount": "170.05",
                "amount_words": "壹佰柒拾元零伍分",
                "oldest_period": "2026-06",
            },
        ),
        Event(
            "payment.received",
            _("Payment received"),
            {
                "community": "甲小区",
                "house": "3-2-1502",
                "owner": "张三",
                "amount": "170.05",
                "method": "微信",
                "receipt": "A-2026-000123",
                "paid_at": "2026-07-03 10:15",
            },
        ),
        Event(
            "survey.opened",
            _("Satisfaction survey"),
            {"community": "甲小区", "title": "月度业主满意度调查", "closes_on": "2026-07-15"},
        ),
        Event(
            "announcement",
            _("Announcement"),
            {
                "community": "甲小区",
                "title": "停水通知",
                "body": "因管道检修，7月10日9:00-17:00 3栋停水，请提前储水。",
                "published": "2026-07-08 09:00",
            },
        ),
        # emergencies and community (the community app)
        Event(
            "incident.broadcast",
            _("Emergency broadcast to residents"),
            {
                "community": "甲小区",
                "kind": "停电",
                "place": "3号楼",
                "text": "今天下午3点，小区3号楼发生停电，已协调电力公司抢修，预计晚上7点恢复供电。",
                "expected": "2026-07-10 19:00",
            },
        ),
        Event(
            "incident.staff",
            _("Emergency alert to staff on duty"),
            {
                "community": "甲小区",
                "number": "A-YJ2026-0001",
                "kind": "停电",
                "place": "3号楼",
                "severity": "较大",
                "steps": "联系电力公司确认停电原因及恢复时间；检查电梯是否有人被困",
            },
        ),
        Event(
            "greeting.birthday",
            _("Birthday greeting"),
            {"community": "甲小区"},
        ),
        Event(
            "weather.warning",
            _("Severe-weather warning"),
            {"community": "甲小区", "title": "暴雨红色预警", "text": "请关好门窗，收好阳台物品。"},
        ),
        Event(
            "activity.signup",
            _("Activity sign-up"),
            {
                "community": "甲小区",
                "title": "中秋游园会",
                "starts": "2026-09-25 19:00",
                "place": "中心广场",
                "status": "已报名成功",
            },
        ),
    ]
}

# (event, channel, subject, body): the seeded defaults, in Chinese (owners' messages are Chinese).
DEFAULTS: list[tuple[str, str, str, str]] = [
    (
        "request.received",
        "any",
        "您的诉求{number}已受理",
        "【{community}】您的诉求{status}{note}",
    ),
    (
        "request.dispatched",
        "any",
        "您的诉求{number}已派单",
        "【{community}】您的诉求{number}{status}{note}",
    ),
    (
        "request.resolved",
        "any",
        "您的诉求{number}已处理完成",
        "【{community}】您的诉求{number}{status}{note}",
    ),
    (
        "request.follow_up",
        "any",
        "诉求{number}回访",
        "【{community}】您的诉求{number}{status}{note}",
    ),
    (
        "request.updated",
        "any",
        "您的诉求{number}有新进展",
        "【{community}】您的诉求{number}{status}{note}",
    ),
    (
        "bill.issued",
        "any",
        "{period}账单已出",
        "【{community}】{owner}您好，{house}房屋{period}月{fee}{amount}元已出账，请于{due_on}前缴纳。",
    ),
    (
        "bill.reminder",
        "any",
        "缴费提醒",
        "【{community}】{owner}您好，{house}尚欠费用{amount}元（{amount_words}），"
        "最早欠费月份{oldest_period}，请及时缴纳。",
    ),
    (
        "payment.received",
        "any",
        "已收到您的缴费{amount}元",
        "【{community}】{owner}您好，已于{paid_at}收到{house}缴费{amount}元（{method}），"
        "收据号{receipt}。感谢您的支持！",
    ),
    (
        "survey.opened",
        "any",
        "{title}",
        "【{community}】邀请您参加{title}，请于{closes_on}前在业主端作答，感谢您的支持！",
    ),
    ("announcement", "any", "【公告】{title}", "{body}"),
    (
        "announcement",
        "sms",
        "【公告】{title}",
        "【{community}】公告：{title}。详情请登录业主端查看。",
    ),
    ("incident.broadcast", "any", "【紧急通知】{kind}", "【{community}】{text}"),
    (
        "incident.staff",
        "any",
        "【应急】{kind}：{place}",
        "【{community}】{place}发生{kind}（{severity}），事件{number}。请立即按预案处置：{steps}",
    ),
    (
        "greeting.birthday",
        "any",
        "生日快乐",
        "【{community}】尊敬的业主，今天是您的生日，物业服务中心全体同仁祝您生日快乐、身体健康！",
    ),
    ("weather.warning", "any", "【天气预警】{title}", "【{community}】{title}：{text}"),
    (
        "activity.signup",
        "any",
        "活动报名：{title}",
        "【{community}】您报名的活动“{title}”（{starts}，{place}）：{status}",
    ),
]


def event_choices() -> list[tuple[str, str]]:
    return [(e.key, e.label) for e in EVENTS.values()]


def request_event_for(action: str) -> str:
    """Which template a request timeline action uses (the outbox keeps `request.<action>`)."""
    if action in ("created", "accepted"):
        return "request.received"
    if action in ("dispatched", "reassigned", "reopened"):
        return "request.dispatched"
    if action == "resolved":
        return "request.resolved"
    if action in ("follow_up", "follow_up_attempt", "closed"):
        return "request.follow_up"
    return "request.updated"
