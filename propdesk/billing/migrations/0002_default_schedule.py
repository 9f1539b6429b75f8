"""Give every existing community the default fee schedule, billing policy and reminder text.

DOMAIN.md §3 defaults, frozen here as they were when this migration was written; communities
created later get the same from `billing_defaults_ensure` (services/schedule.py).
"""

import datetime

from django.db import migrations

RATES_FROM = datetime.date(2000, 1, 1)
# code → (basis, rate in fen), in display order
DEFAULT_FEES = [
    ("mgmt_residential", "per_m2_month", 190),
    ("mgmt_commercial", "per_m2_month", 250),
    ("parking_shared", "per_space_month", 26000),
    ("parking_dedicated", "per_space_month", 8000),
    ("parking_open_air", "per_space_month", 15000),
    ("parking_temporary", "per_time", 500),
    ("decoration", "per_m2_once", 350),
    ("utility_deposit", "per_household", 50000),
    ("utility_share", "amount", 0),
    ("water_top_up", "amount", 0),
    ("electricity_top_up", "amount", 0),
]
REMINDER_NAME = "欠费提醒（短信）"
REMINDER_BODY = (
    "【{community}】尊敬的业主：您的房屋{house}尚有物业费等费用{amount}元（{amount_words}）未缴，"
    "最早欠费月份{oldest_period}。请尽快到客服中心或通过线上渠道缴纳，如已缴纳请忽略本提醒。"
)


def seed(apps, schema_editor):
    Community = apps.get_model("estates", "Community")
    FeeItem = apps.get_model("billing", "FeeItem")
    FeeRate = apps.get_model("billing", "FeeRate")
    BillingPolicy = apps.get_model("billing", "BillingPolicy")
    ReminderTemplate = apps.get_model("billing", "ReminderTemplate")
    for community in Community.objects.all():
        for order, (code, basis, rate_fen) in enumerate(DEFAULT_FEES):
            item, created = FeeItem.objects.get_or_create(
                community=community,
                code=code,
                defaults={"name": "", "basis": basis, "sort_order": order},
            )
            if created:
                FeeRate.objects.create(
                    community=community,
                    fee_item=item,
                    effective_from=RATES_FROM,
                    rate_fen=rate_fen,
                )
        BillingPolicy.objects.get_or_create(community=community)
        if not ReminderTemplate.objects.filter(community=community).exists():
            ReminderTemplate.objects.create(
                community=community, name=REMINDER_NAME, channel="sms", body=REMINDER_BODY
            )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
