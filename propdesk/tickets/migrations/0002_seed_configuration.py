"""Seed the configurable defaults of service requests.

Taxonomy and routing from DESIGN.md ("Request taxonomy"); time limits from DOMAIN.md §2 where the
sources give them (emergency on site within 30 minutes, inquiry answered within 24 h, complaint
first handled within 24 h and resolved within 3 working days, cleaning complaint fixed within
48 h) and company defaults where they do not (marked as such in each policy's note). Every row
is a company-wide default that administrators change per community. Categories name their
default department by code (accounts.Department.Code), so this migration writes nothing into the
accounts app. Routing rules (per community, or several departments with a lead) are added by
administrators on top of these defaults.
"""

from django.db import migrations

KINDS = [
    ("complaint", "投诉", "Complaint"),
    ("repair", "报修", "Repair"),
    ("inquiry", "咨询", "Inquiry"),
    ("suggestion", "建议", "Suggestion"),
    ("help", "求助", "Help request"),
    ("praise", "表扬", "Praise"),
]

# code, Chinese name, English name, what belongs there, default department, refers outside,
# usually a common area
CATEGORIES = [
    ("repair_water", "给排水", "Water and drains",
     "Water supply, pressure, water quality, water cuts, leaks and seepage, burst pipes, blocked "
     "drains, sewage.", "engineering", False, False),
    ("repair_electric", "供电照明", "Power and lighting",
     "Power supply and cuts, common-area lighting, sockets, distribution boxes.",
     "engineering", False, False),
    ("repair_elevator", "电梯", "Lifts",
     "Lift faults, stoppages, entrapment, lift maintenance.", "engineering", False, True),
    ("repair_building", "房屋及公共设施", "Building and common facilities",
     "Doors, windows, walls, roofs, façades, railings and common facilities the property company "
     "keeps up.", "engineering", False, False),
    ("noise", "噪音", "Noise",
     "Any noise that disturbs residents, whatever its source: neighbours, shops, mahjong rooms, "
     "bars, square dancing, pets, equipment, nearby factories and building sites.",
     "customer_service", False, False),
    ("security", "安全秩序", "Security and order",
     "Theft, strangers, entry control and cameras, fire lanes and fire hazards, dangerous dogs, "
     "things thrown or falling from height, other safety hazards.", "security", False, True),
    ("environment", "环境卫生", "Cleaning and environment",
     "Garbage, cleaning, pests, smells, cooking fumes from shops and restaurants, pollution "
     "reaching the estate.", "cleaning", False, True),
    ("greening", "绿化", "Greening",
     "Trees, lawns, planting, green space.", "greening", False, True),
    ("parking", "停车", "Parking",
     "Parking spaces and garages (sale, rent, fees), disorderly parking, charging points.",
     "security", False, True),
    ("fees", "收费", "Fees",
     "Property fees and every other charge the property company makes, deposits, public income "
     "and maintenance-fund disclosure, services cut to force payment.", "finance", False,
     False),
    ("decoration", "装修", "Decoration",
     "Renovation permits and violations, illegal structures, encroachment on common areas, "
     "structural damage by owners.", "customer_service", False, False),
    ("service", "服务质量", "Service quality",
     "The property company's attitude and inaction, disorder in management, handover between "
     "property companies, owners' assembly and committee matters.", "customer_service",
     False, False),
    ("other_nonproperty", "非物业事项", "Not a property matter",
     "What the property company does not own, recorded and referred outside: the developer, "
     "government bodies and policy, demolition, schools, hospitals, public services, transport, "
     "staff labour disputes.", "customer_service", True, False),
]

URGENCIES = [
    ("emergency", "紧急", "Emergency",
     "A danger to life or property happening now that needs someone on site within 30 minutes: "
     "fire or smoke, gas, people trapped in a lift, water or sewage pouring into homes, a "
     "building- or estate-wide power or water cut still going on, a façade or structure coming "
     "loose.", True),
    ("normal", "一般", "Normal",
     "Everything else, including a past event, a chronic fault, a single household's cut for "
     "arrears, or a danger that is only feared.", False),
]

SOURCE = "DOMAIN.md §2"
DEFAULT = "company default (no rule in the sources)"
# kind, urgency, category, (first response), (on site), (resolution), note
POLICIES = [
    ("complaint", "normal", None, (24, "hours"), None, (3, "working_days"), SOURCE),
    ("complaint", "normal", "environment", (24, "hours"), None, (48, "hours"),
     SOURCE + ": a cleaning complaint fixed within 48 h"),
    ("repair", "normal", None, (2, "working_hours"), None, (3, "working_days"), DEFAULT),
    ("inquiry", "normal", None, (24, "hours"), None, (24, "hours"),
     SOURCE + ": reply to an inquiry within 24 h"),
    ("suggestion", "normal", None, (24, "hours"), None, (5, "working_days"), DEFAULT),
    ("help", "normal", None, (1, "hours"), None, (1, "working_days"), DEFAULT),
    ("praise", "normal", None, (24, "hours"), None, (3, "working_days"), DEFAULT),
]
for _kind, *_rest in KINDS:
    POLICIES.append(
        (_kind, "emergency", None, (10, "minutes"), (30, "minutes"), (24, "hours"),
         SOURCE + ": emergencies on site within 30 minutes")
    )

PHRASES = [
    ("greeting", 1, "接听问候", "您好，这里是物业客服中心，我是客服{agent}，请问有什么可以帮您？"),
    ("greeting", 2, "来访问候", "您好，欢迎来到客服中心，请坐，请问您需要办理什么？"),
    ("transfer", 1, "转接说明", "这个问题由{department}负责，我现在帮您转过去，请稍等，不要挂机。"),
    ("apology", 1, "致歉", "非常抱歉给您带来不便，我们会尽快安排处理，并把进展及时告诉您。"),
    ("callback", 1, "承诺回电",
     "这个问题需要向专业同事确认，我先记录下来，{due}前给您回电答复，您看可以吗？"),
    ("confirmation", 1, "受理确认",
     "您的诉求已登记，单号{number}，我们会在{due}前处理，处理进展会及时通知您。"),
    ("follow_up", 1, "回访开场",
     "您好，我是物业客服中心，关于单号{number}的事项已处理完毕，想了解一下您对处理结果是否满意？"),
    ("closing", 1, "结束语", "感谢您的来电，如还有其他需要请随时联系我们，祝您生活愉快，再见。"),
]


def seed(apps, schema_editor):
    RequestKind = apps.get_model("tickets", "RequestKind")
    Category = apps.get_model("tickets", "Category")
    Urgency = apps.get_model("tickets", "Urgency")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    RequestSettings = apps.get_model("tickets", "RequestSettings")
    StandardPhrase = apps.get_model("tickets", "StandardPhrase")

    kinds = {}
    for order, (code, name, name_en) in enumerate(KINDS, start=1):
        kinds[code] = RequestKind.objects.create(
            code=code, name=name, name_en=name_en, sort_order=order
        )
    categories = {}
    for order, row in enumerate(CATEGORIES, start=1):
        code, name, name_en, description, department, outside, common = row
        categories[code] = Category.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            description=description,
            department_code=department,
            refers_outside=outside,
            common_area=common,
            sort_order=order,
        )
    urgencies = {}
    for order, (code, name, name_en, description, emergency) in enumerate(URGENCIES, start=1):
        urgencies[code] = Urgency.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            description=description,
            is_emergency=emergency,
            sort_order=order,
        )
    for kind, urgency, category, first, on_site, resolution, note in POLICIES:
        SlaPolicy.objects.create(
            kind=kinds[kind],
            urgency=urgencies[urgency],
            category=categories[category] if category else None,
            first_response_amount=first[0] if first else None,
            first_response_unit=first[1] if first else "hours",
            on_site_amount=on_site[0] if on_site else None,
            on_site_unit=on_site[1] if on_site else "minutes",
            resolution_amount=resolution[0] if resolution else None,
            resolution_unit=resolution[1] if resolution else "working_days",
            escalation_percents=[80, 100],
            due_soon_percent_left=20,
            note=note,
        )
    RequestSettings.objects.create(
        follow_up_after_hours=24, follow_up_max_attempts=3, reopen_at_or_below=2, recurrence_days=30
    )
    for purpose, order, title, text in PHRASES:
        StandardPhrase.objects.create(purpose=purpose, sort_order=order, title=title, text=text)


def unseed(apps, schema_editor):
    for name in (
        "StandardPhrase",
        "RequestSettings",
        "SlaPolicy",
        "Urgency",
        "Category",
        "RequestKind",
    ):
        apps.get_model("tickets", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
