"""The demo's equipment: pumps, a tank, lifts and drainage in each community, so that the device
simulator (`manage.py simulate_devices`) has something to report on and a pump to fail."""

from propdesk.estates.models import Building
from propdesk.operations.models import Equipment

# code, name, kind, location, model, contractor
PLANT = [
    ("pump-1", "生活水泵1号", "pump", "地下泵房", "格兰富 CR15-4", "市二建机电维保"),
    ("pump-2", "生活水泵2号", "pump", "地下泵房", "格兰富 CR15-4", "市二建机电维保"),
    ("tank-1", "屋顶水箱", "tank", "1栋屋面", "不锈钢 40m³", "市二建机电维保"),
    ("drain-1", "地库集水井", "drainage", "地下车库B区", "潜污泵 50WQ", "市二建机电维保"),
    ("lift-1a", "1栋A梯", "lift", "1栋1单元", "日立 LCA", "日立电梯维保站"),
    ("ac-1", "物业中心空调", "ac", "物业服务中心", "美的 多联机", "美的售后"),
]


def load_demo_operations(*, communities) -> int:
    """Register the demo plant in every community (once); return how many were registered."""
    rows = []
    for community in communities:
        building = Building.objects.filter(community=community).order_by("id").first()
        if building is None:
            continue
        existing = set(Equipment.objects.filter(community=community).values_list("code", flat=True))
        rows += [
            Equipment(
                community=community,
                building=building,
                code=code,
                name=name,
                kind=kind,
                location=location,
                model_name=model,
                contractor=contractor,
            )
            for code, name, kind, location, model, contractor in PLANT
            if code not in existing
        ]
    Equipment.objects.bulk_create(rows)
    return len(rows)
