"""Emergency detection by rules (DESIGN.md's definition of urgency).

An emergency is a danger to life or property happening now that needs someone on site within
30 minutes: fire or smoke, gas, people trapped in a lift, water or sewage pouring into homes, a
building- or estate-wide water or power cut still going on, a façade or structure coming loose.
Everything else is normal — a past event, a chronic fault, one household cut for arrears, a
danger that is only feared ("一旦发生火灾…").

The text is read clause by clause: a clause naming a hazard counts unless it is hypothetical,
past, hearsay or about arrears. Rules rather than a learned model because the real messages hold
almost no live emergencies; the cases in `data/emergency_cases.csv` (written, not real) are what
they are tested against, beside the real labelled messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SENTENCE_SPLIT_RE = re.compile(r"[。！？!?；;\n]+")
_CLAUSE_SPLIT_RE = re.compile(r"[，,、：:]+")

# What makes a clause not "happening now".
_HYPOTHETICAL = (
    r"一旦|万一|如果|假如|假若|若是|倘若|要是|隐患|担心|担忧|害怕|恐怕|恐会|以防|防止|预防|"
    r"不堪设想|可能|容易|极易|易发|会不会|怎么办|难免|不敢想|威胁|风险|危险性|险情"
)
_PAST = (
    r"曾经|曾|以前|之前|去年|前年|上周|上个月|上月|昨天|前天|那次|上次|历经|经历|发生过|"
    r"平均|每年|多次|几次|接二连三|已恢复|已经恢复|恢复了|修好了|"
    r"每次|每逢|一到|经常|总是|时常|常常|反复|老是|遇大雨|下雨就|差点|险些|雨天|雨雪天|"
    r"不(?:会)?(?:倒灌|淹|漏)"
)
# A hazard word right after a negation ("不起火", "没有漏气") is not a hazard.
_NEGATED_RE = re.compile(r"(?:不|没|没有|未|无|防)$")
_HEARSAY = r"听说|据说|传言|未见官方|有人在群|新闻|报道|事故|[0-9]+年[0-9]+月|[0-9]+月[0-9]+日"
_ARREARS = r"欠费|欠缴|拖欠|未交|没交|未缴|没缴|催缴|欠物业费"

_NOT_NOW_RE = re.compile(f"(?:{_HYPOTHETICAL}|{_PAST}|{_HEARSAY})")
_ARREARS_RE = re.compile(_ARREARS)

_HAZARDS: list[tuple[str, re.Pattern]] = [
    (
        "fire",
        re.compile(
            r"着火了|起火了|失火了|在着火|正在着火|烧起来了|火烧起来|冒浓烟|浓烟(?:从|往|冒|呛)|在冒烟|冒烟了|"
            r"冒烟起火|起火|着火|火苗|明火|焦糊味|楼道里全是烟|屋里全是烟|满屋(?:都是|全是)?浓?烟"
        ),
    ),
    (
        "gas",
        re.compile(r"煤气味|燃气味|天然气味|液化气味|燃气泄漏|煤气泄漏|天然气泄漏|漏气|泄漏了"),
    ),
    (
        "lift_entrapment",
        re.compile(
            r"困在电梯|被困在?电梯|电梯困人|电梯.{0,6}困人|困人了|关在电梯|卡在电梯|"
            r"电梯.{0,12}(?:出不来|打不开|被困)|(?:被困|困住).{0,8}电梯|(?:被困|困)在里面"
        ),
    ),
    (
        "water_pouring",
        re.compile(
            r"水管爆|爆管|水管.{0,2}爆裂|(?:水|污水|雨水).{0,6}(?:倒灌|灌进|涌进|漫进|往下流|往下灌|"
            r"往下漏|哗哗|喷)|(?:倒灌|淹了|被淹|水漫|泡了).{0,6}(?:家|屋|室|客厅|卧室|地板|一楼)|"
            r"(?:家|屋|室|客厅|卧室|地板|一楼).{0,6}(?:倒灌|淹了|被淹|水漫|泡了|全是(?:污)?水)|"
            r"水.{0,4}关不住|往下(?:漏|流|灌|淌)水"
        ),
    ),
    (
        "structure",
        re.compile(
            r"(?:外墙|瓷砖|墙皮|广告牌|招牌|玻璃|外机|空调|架子|吊顶|石膏板|阳台|屋顶|围墙|树)"
            r".{0,16}(?:往下掉|掉下来了|摇摇欲坠|随时会?(?:掉|塌|倒)|悬在半空|砸到|正在脱落|"
            r"正在坍塌|垮塌了|倒塌了|塌了|断了)"
        ),
    ),
]

# A cut counts only when it is wide (a building, the estate) and still going on.
_CUT_RE = re.compile(
    r"停水|停电|断水|断电|仃水|没水|没电|没有水|没有电|无水|无电|无法(?:正常)?用水|无法(?:正常)?用电|"
    r"没来水|没有来水|未来水|不来水|没来电|没有来电|未来电|不来电|跳闸断电"
)
_CUT_NEGATIVE_RE = re.compile(r"恢复供|已来水|已来电|计划停|将停|预计停|检修通知|提前通知")
_WIDE_RE = re.compile(
    r"整个小区|全小区|小区大面积|大面积|整栋|全栋|全楼|整楼|整幢|整个单元|全单元|几栋|多栋|"
    r"[0-9一二三四五六七八九十几多上数]+栋|栋(?:楼)?住户|[0-9一二三四五六七八九十几多上数百千]+户|全体|整片|片区"
)
_ONGOING_RE = re.compile(
    r"到现在|至今|现在还|现在仍|还没|还未|仍然|仍未|一直|正在|目前|已经.{0,8}(?:小时|天|月)|"
    r"有余|多小时|个小时|大半天|整天|长期以来|还是"
)
_URGENT_RE = re.compile(r"快来|马上|赶紧|赶快|立即|立刻|紧急|救命|速来|尽快派|快点")


@dataclass
class Urgency:
    urgency: str  # "emergency" or "normal"
    confidence: float
    evidence: list[str] = field(default_factory=list)
    hazard: str = ""


def _sentences(text: str) -> list[str]:
    return [c for c in _SENTENCE_SPLIT_RE.split(text or "") if c.strip()]


def _not_now(sentence: str, end: int) -> bool:
    """A hypothetical, past or hearsay marker in the sentence up to the end of its clause."""
    stop = _CLAUSE_SPLIT_RE.search(sentence, end)
    return bool(_NOT_NOW_RE.search(sentence[: stop.start() if stop else len(sentence)]))


def detect(text: str) -> Urgency:
    """Emergency or normal, with the words that decided it."""
    sentences = _sentences(text)
    near_miss: list[str] = []
    for sentence in sentences:
        for hazard, pattern in _HAZARDS:
            for match in pattern.finditer(sentence):
                if _NEGATED_RE.search(sentence[: match.start()]):
                    continue
                if _not_now(sentence, match.end()):
                    near_miss.append(match.group())
                    continue
                evidence = [match.group()]
                urgent = _URGENT_RE.search(text)
                if urgent:
                    evidence.append(urgent.group())
                return Urgency("emergency", 0.95 if urgent else 0.85, evidence, hazard)
    clauses = sentences
    for i, clause in enumerate(clauses):
        cut = _CUT_RE.search(clause)
        if not cut or _NEGATED_RE.search(clause[: cut.start()]) and cut.group()[0] not in "没无未":
            continue
        # The clause with the cut and its neighbours say how wide and how long.
        window = "。".join(clauses[max(0, i - 1) : i + 2])
        if _ARREARS_RE.search(text) or _not_now(clause, cut.end()) or _CUT_NEGATIVE_RE.search(text):
            near_miss.append(cut.group())
            continue
        wide = _WIDE_RE.search(text)
        ongoing = _ONGOING_RE.search(window)
        if wide and ongoing:
            return Urgency("emergency", 0.8, [cut.group(), wide.group(), ongoing.group()], "cut")
        near_miss.append(cut.group())
    if near_miss:
        return Urgency("normal", 0.7, near_miss[:3])
    return Urgency("normal", 0.97, [])
