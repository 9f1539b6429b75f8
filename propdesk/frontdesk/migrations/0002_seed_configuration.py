"""Seed the company-wide defaults of the front-desk procedures (rows without a community).

Inspection items from DOMAIN.md §4 (一房一验: floor, walls and ceilings; doors, windows and
railings; water supply and drainage; switches, sockets and low-voltage wiring; smoke, exhaust and
gas pipes; entrance door; distribution box), each with the request category a defect is filed
under. Decoration rules are company defaults (the sources give none): works 08:00–12:00 and
14:00–18:00, no noisy works on weekends and holidays, the usual prohibitions, no deposit.
A community overrides them with its own rows (FRONTDESK_CONFIGURE).
"""

import datetime

from django.db import migrations

INSPECTION_ITEMS = [
    ("地面、墙面、天花", "repair_building"),
    ("门、窗、栏杆", "repair_building"),
    ("给水、排水", "repair_water"),
    ("开关、插座、弱电线路", "repair_electric"),
    ("烟道、排气管道、燃气管道", "repair_building"),
    ("入户门", "repair_building"),
    ("配电箱", "repair_electric"),
]

PROHIBITIONS = "\n".join(
    [
        "不得拆改承重墙、梁、柱、楼板等主体结构",
        "不得改变外立面、外窗样式及颜色，不得封闭公共部位",
        "不得擅自改动燃气、消防、给排水主管道及公共设施",
        "不得占用楼道、电梯厅等公共部位堆放材料和垃圾",
        "装修垃圾须袋装并运到指定地点，不得从高处抛掷",
        "动火作业须事先申请并配备灭火器",
        "施工人员须佩戴出入证，不得在装修房屋内留宿",
    ]
)


def seed(apps, schema_editor):
    InspectionItem = apps.get_model("frontdesk", "InspectionItem")
    DecorationRules = apps.get_model("frontdesk", "DecorationRules")
    if not InspectionItem.objects.filter(community__isnull=True).exists():
        InspectionItem.objects.bulk_create(
            InspectionItem(community=None, name=name, category_code=code, sort_order=order)
            for order, (name, code) in enumerate(INSPECTION_ITEMS, start=1)
        )
    if not DecorationRules.objects.filter(community__isnull=True).exists():
        DecorationRules.objects.create(
            community=None,
            work_start=datetime.time(8, 0),
            break_start=datetime.time(12, 0),
            break_end=datetime.time(14, 0),
            work_end=datetime.time(18, 0),
            quiet_on_rest_days=True,
            prohibitions=PROHIBITIONS,
            deposit_required=False,
            deposit_fen=200000,
            max_days=90,
        )


def unseed(apps, schema_editor):
    apps.get_model("frontdesk", "InspectionItem").objects.filter(community__isnull=True).delete()
    apps.get_model("frontdesk", "DecorationRules").objects.filter(community__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("frontdesk", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
