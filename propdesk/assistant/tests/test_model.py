"""The triage model and the emergency rules, measured on labelled text.

The real messages' scores come from the held-back fifth of the hand labels (never trained on for
the score); the written emergency cases are kept apart from the real messages.
"""

import csv

import pytest

from propdesk.assistant import emergency, training
from propdesk.assistant.textmodel import normalise, title_of

CASES = training.DATA / "emergency_cases.csv"


@pytest.fixture(scope="module")
def scored():
    return training.train()


def test_held_back_category_accuracy_and_macro_f1(scored):
    """Measured 0.847 and 0.685 on the held-back fifth (353 messages). Its macro-F1 runs over
    12 categories, one of them with a single message and two with two: one message moves it by
    up to 0.08 (the nested cross-validation in bench/README-assistant.md is the figure to
    compare recipes by)."""
    assert scored.accuracy >= 0.82
    assert scored.macro_f1 >= 0.64
    assert scored.kind_accuracy >= 0.75


def test_fixed_examples_get_the_expected_category():
    model = training.base_model().model
    expected = {
        "电梯又坏了，停在三楼不动，物业说等配件": "repair_elevator",
        "楼下麻将馆每天打到凌晨两点，吵得睡不着": "noise",
        "物业费为什么今年涨了，也没有公示": "fees",
        "开发商交房三年了还不给办房产证": "other_nonproperty",
        "有人把公共绿地圈起来搭了违章建筑": "decoration",
        "地下车库车位被外来车辆长期占用": "parking",
        "楼下饭店油烟直排，窗户都不敢开": "environment",
    }
    got = {text: model.predict(text).category for text in expected}
    right = sum(got[t] == c for t, c in expected.items())
    assert right >= 6, got


def test_evidence_is_words_of_the_text():
    text = "楼上邻居装修天天砸墙，噪音太大了"
    prediction = training.base_model().model.predict(text)
    assert prediction.evidence
    assert all(word in normalise(text) for word in prediction.evidence)


def test_title_is_the_first_sentence():
    assert title_of("电梯坏了。已经三天了") == "电梯坏了"
    assert normalise("A3区某小区") == "某小区"


def _cases():
    with CASES.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["case"])
def test_written_emergency_and_near_miss_cases(case):
    assert emergency.detect(case["text"]).urgency == case["urgency"]


def test_emergency_recall_and_precision_on_written_cases():
    cases = _cases()
    got = [(emergency.detect(c["text"]).urgency, c["urgency"]) for c in cases]
    true_pos = sum(g == e == "emergency" for g, e in got)
    positives = sum(e == "emergency" for _, e in got)
    predicted = sum(g == "emergency" for g, _ in got)
    assert true_pos / positives >= 0.95
    assert true_pos / predicted >= 0.5


def test_emergency_rules_on_the_real_messages():
    """The real messages (kept apart from the written cases): live cuts found, few false alarms."""
    examples = training.labelled()
    got = [(emergency.detect(e.text).urgency, e.urgency) for e in examples]
    true_pos = sum(g == e == "emergency" for g, e in got)
    positives = sum(e == "emergency" for _, e in got)
    predicted = sum(g == "emergency" for g, _ in got)
    assert positives and true_pos / positives >= 0.95
    assert true_pos / predicted >= 0.5


def test_a_feared_danger_names_its_words_but_stays_normal():
    result = emergency.detect("一旦发生火灾，消防车进不来")
    assert result.urgency == "normal"
    assert "火灾" not in result.evidence or result.confidence < 0.9
