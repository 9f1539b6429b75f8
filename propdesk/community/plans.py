"""The company's default emergency plans (seed 003 ch.4: 突发事件响应): an ordered checklist per
kind of incident, each step with the department that does it and the minutes it should take
from opening. A community gets its own editable copy the first time it opens or edits a plan
(`services.plans.plan_steps`); these defaults are never changed by that.

The steps are data in Chinese (what the desk reads and ticks), as the message templates are."""

from propdesk.community.models import IncidentKind

# kind → [(step, department code or "", minutes after opening)]
DEFAULT_PLANS: dict[str, list[tuple[str, str, int]]] = {
    IncidentKind.FIRE: [
        ("通知安保部赶赴现场，确认火情并拨打119", "security", 3),
        ("启动消防系统（消防泵、排烟风机、应急照明）", "engineering", 5),
        ("广播通知业主注意安全、迅速撤离", "customer_service", 5),
        ("疏散人员并清点人数，确认无人被困", "security", 15),
        ("清理消防通道，引导消防车进场", "security", 10),
        ("向上级报告并记录处置过程", "customer_service", 30),
    ],
    IncidentKind.POWER_CUT: [
        ("联系电力公司，确认停电原因及预计恢复时间", "engineering", 10),
        ("检查电梯是否有人被困", "engineering", 5),
        ("启动备用电源，保障应急照明和生活水泵", "engineering", 15),
        ("通知受影响业主，告知预计恢复时间", "customer_service", 15),
        ("电话联系特殊关怀住户（独居老人等）", "customer_service", 30),
        ("恢复供电后检查设备运行并通知业主", "engineering", 240),
    ],
    IncidentKind.WATER_CUT: [
        ("联系供水公司或排查管网，确认停水原因", "engineering", 10),
        ("通知受影响业主，告知预计恢复时间", "customer_service", 15),
        ("设置临时供水点", "customer_service", 60),
        ("电话联系特殊关怀住户（独居老人等）", "customer_service", 60),
        ("恢复供水后放水冲洗并通知业主", "engineering", 240),
    ],
    IncidentKind.FLOODING: [
        ("关闭相关阀门，切断受影响区域电源", "engineering", 10),
        ("现场围挡警示，防止滑倒、触电", "security", 15),
        ("抽水排水，转移受影响物品", "cleaning", 30),
        ("通知受影响业主", "customer_service", 15),
        ("查明漏点并安排维修", "engineering", 60),
    ],
    IncidentKind.LIFT: [
        ("安抚被困人员，告知救援已在途中", "customer_service", 2),
        ("通知电梯维保单位30分钟内到场", "engineering", 5),
        ("安保人员到场看护，设置警示标志", "security", 10),
        ("30分钟未能救出时拨打119", "security", 30),
        ("救出后检查电梯并记录", "engineering", 60),
    ],
    IncidentKind.GAS: [
        ("疏散周边人员，严禁明火、不得开关电器", "security", 5),
        ("通知燃气公司抢修", "engineering", 5),
        ("关闭燃气总阀，开窗通风", "engineering", 10),
        ("通知受影响业主", "customer_service", 10),
        ("确认安全后恢复供气", "engineering", 240),
    ],
    IncidentKind.WEATHER: [
        ("发布恶劣天气预警，提醒业主关好门窗、收好阳台物品", "customer_service", 30),
        ("电话联系特殊关怀住户（独居老人等）", "customer_service", 30),
        ("检查排水设施，加固广告牌、树木和临时设施", "engineering", 60),
        ("安排人员值守巡查", "security", 60),
        ("灾后清理并检查设施", "cleaning", 240),
    ],
    IncidentKind.SECURITY: [
        ("安保人员赶赴现场控制局面", "security", 5),
        ("必要时报警110", "security", 10),
        ("调取监控，保护现场", "security", 30),
        ("通知受影响业主", "customer_service", 30),
        ("记录并向上级报告", "customer_service", 60),
    ],
}

# Which request category a prevention item of each kind starts as (DESIGN.md taxonomy).
FOLLOW_UP_CATEGORY = {
    IncidentKind.FIRE: "security",
    IncidentKind.POWER_CUT: "repair_electric",
    IncidentKind.WATER_CUT: "repair_water",
    IncidentKind.FLOODING: "repair_water",
    IncidentKind.LIFT: "repair_elevator",
    IncidentKind.GAS: "security",
    IncidentKind.WEATHER: "repair_building",
    IncidentKind.SECURITY: "security",
}
