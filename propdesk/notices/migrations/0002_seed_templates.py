"""Seed the default Chinese notification templates (editable by administrators afterwards)."""

from django.db import migrations

DEFAULTS = [
    ("request.received", "any", "您的诉求{number}已受理", "【{community}】您的诉求{status}{note}"),
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
    ("request.follow_up", "any", "诉求{number}回访", "【{community}】您的诉求{number}{status}{note}"),
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
    ("announcement", "any", "【公告】{title}", "{body}"),
    ("announcement", "sms", "【公告】{title}", "【{community}】公告：{title}。详情请登录业主端查看。"),
]


def seed(apps, schema_editor):
    template = apps.get_model("notices", "NotificationTemplate")
    for event, channel, subject, body in DEFAULTS:
        template.objects.get_or_create(
            community=None,
            event=event,
            channel=channel,
            defaults={"subject": subject, "body": body},
        )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
