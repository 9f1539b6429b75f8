"""Words that name each request category, written from DESIGN.md's taxonomy and the labelling
guide (`data/README.md`): what each category's definition lists, in the words residents use for
it. Written before any cross-validated figure was read and not from the model's errors; a word
may belong to several categories (水表 is water and fees), the classifier weighs them.

`counts` gives, per text, how many times the words of each category occur in its title and in its
opening: extra features beside the character n-grams that do not learn from the labels.
"""

from __future__ import annotations

import re

import numpy as np


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


TERMS: dict[str, tuple[str, ...]] = {
    "repair_water": _words(
        "给排水 供水 停水 断水 没水 水压 水质 自来水 漏水 渗水 渗漏 "
        "水管 爆管 管道 下水道 排水 堵塞 污水 化粪池 水表 二次供水 水箱 "
        "反水 地漏 积水"
    ),
    "repair_electric": _words(
        "供电 停电 断电 没电 电路 线路 电线 照明 路灯 楼道灯 灯不亮 "
        "电压 跳闸 配电 电箱 变压器 插座 电表"
    ),
    "repair_elevator": _words("电梯 升降梯 轿厢 困人 被困 电梯故障 维保 年检 停运 扶梯"),
    "repair_building": _words(
        "门窗 窗户 外墙 墙面 墙体 屋顶 楼顶 漏雨 防水 栏杆 扶手 单元门 "
        "公共设施 设施 破损 脱落 开裂 裂缝 瓷砖 楼梯 台阶 井盖 健身器材 "
        "维修"
    ),
    "noise": _words(
        "噪音 噪声 扰民 吵 声音 分贝 广场舞 麻将 KTV 酒吧 夜间施工 "
        "轰鸣 喇叭 音响 狗叫 睡不着 失眠 休息"
    ),
    "security": _words(
        "安全 隐患 盗窃 被盗 小偷 陌生人 门禁 监控 摄像头 保安 巡逻 "
        "消防 消防通道 火灾 灭火器 高空抛物 坠物 抛物 烈性犬 遛狗 拴绳 "
        "咬人 燃气瓶 煤气罐 液化气 充电 飞线 治安"
    ),
    "environment": _words(
        "垃圾 垃圾站 垃圾桶 清运 卫生 保洁 清洁 打扫 脏 臭 异味 气味 "
        "蚊子 苍蝇 老鼠 蟑螂 白蚁 油烟 烧烤 粉尘 灰尘 扬尘 尾气 废气 "
        "污染 排放 光污染 摆摊 占道经营"
    ),
    "greening": _words(
        "绿化 绿地 草坪 草地 树木 大树 砍树 砍伐 树枝 树苗 行道树 修剪 "
        "种植 花草 苗木 绿化带 植被 毁绿 园林 枯死"
    ),
    "parking": _words(
        "停车 车位 车库 停车场 停车费 人防车位 乱停 充电桩 地锁 车辆 道闸 临停 月租 产权车位"
    ),
    "fees": _words(
        "物业费 收费 乱收费 费用 涨价 调价 押金 保证金 水费 电费 公摊 "
        "维修基金 维修资金 公共收益 收益 账目 发票 收据 退费 缴费 交费 "
        "欠费 催缴 收取"
    ),
    "decoration": _words(
        "装修 违建 违章建筑 违章搭建 私搭乱建 搭建 加建 住改商 群租 隔断 "
        "承重墙 拆改 砸墙 侵占 圈占 占用公共 阳光房 封阳台 地下室 改造"
    ),
    "service": _words(
        "物业公司 物业服务 服务态度 不作为 不管 不理 推诿 管理混乱 业委会 "
        "业主委员会 业主大会 选聘 更换物业 交接 撤换 服务质量 前期物业 "
        "物业合同 招标 解聘"
    ),
    "other_nonproperty": _words(
        "开发商 房产证 不动产证 产权证 办证 交房 延期交房 逾期 购房 合同 "
        "售楼 政府 政策 规划 拆迁 安置 征收 学校 学位 幼儿园 医院 公交 "
        "道路 马路 红绿灯 地铁 宽带 电信 工资 欠薪 社保 户口 落户 补偿 "
        "城管 街道 棚改 公租房 廉租房 保障房 经适房 学区"
    ),
}

CATEGORIES = tuple(sorted(TERMS))
_INDEX = {c: i for i, c in enumerate(CATEGORIES)}
_OWNERS: dict[str, list[int]] = {}
for _category, _terms in TERMS.items():
    for _term in _terms:
        _OWNERS.setdefault(_term, []).append(_INDEX[_category])
# Longest first, so 消防通道 is one match rather than 消防 and a remainder.
_TERM_RE = re.compile("|".join(re.escape(t) for t in sorted(_OWNERS, key=len, reverse=True)))
NAMES = [f"{part}:{c}" for part in ("title", "opening") for c in CATEGORIES]


def matches(text: str) -> list[str]:
    return _TERM_RE.findall(text or "")


def terms_of(text: str, category: str) -> list[str]:
    """The category's words found in the text, in order of appearance, each once."""
    index = _INDEX.get(category)
    found = [t for t in matches(text) if index in _OWNERS[t]]
    return list(dict.fromkeys(found))


def _row(text: str) -> np.ndarray:
    row = np.zeros(len(CATEGORIES), dtype=np.float32)
    for term in matches(text):
        for index in _OWNERS[term]:
            row[index] += 1
    return row


def counts(titles, openings) -> np.ndarray:
    """log(1 + occurrences) of each category's words: title columns, then opening columns."""
    rows = [
        np.concatenate([_row(title), _row(opening)])
        for title, opening in zip(titles, openings, strict=True)
    ]
    return np.log1p(np.array(rows, dtype=np.float32).reshape(len(rows), 2 * len(CATEGORIES)))
