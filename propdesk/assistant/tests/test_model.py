"""The triage model and the emergency rules, measured on labelled text.

The real messages' scores come from the held-back fifth of the hand labels (never trained on for
the score); the written emergency cases are kept apart from the real messages.
"""

import csv

import numpy as np
import pytest
from sklearn.linear_model import RidgeClassifier
from sklearn.svm import LinearSVC

from propdesk.assistant import emergency, lexicon, training
from propdesk.assistant.textmodel import (
    AveragedLinear,
    TriageTextModel,
    class_weights,
    normalise,
    title_of,
)

CASES = training.DATA / "emergency_cases.csv"


@pytest.fixture(scope="module")
def scored():
    return training.train()


def test_held_back_category_accuracy_and_macro_f1(scored):
    """Measured 0.853 and 0.673 on the held-back fifth (353 messages). Its macro-F1 runs over
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


def test_category_words_are_counted_in_the_title_and_the_opening():
    columns = lexicon.counts(["电梯坏了"], ["电梯坏了，消防通道被堵，电梯还在响"])
    assert columns.shape == (1, 2 * len(lexicon.CATEGORIES))
    title = dict(zip(lexicon.CATEGORIES, columns[0, : len(lexicon.CATEGORIES)], strict=True))
    opening = dict(zip(lexicon.CATEGORIES, columns[0, len(lexicon.CATEGORIES) :], strict=True))
    assert title["repair_elevator"] == pytest.approx(np.log(2))
    assert opening["repair_elevator"] == pytest.approx(np.log(3))
    assert opening["security"] == pytest.approx(np.log(2))  # 消防通道 is one word, not 消防 + …
    assert title["security"] == 0
    assert lexicon.terms_of("楼道灯不亮，电表也停了，电梯停运", "repair_electric") == [
        "楼道灯",
        "电表",
    ]


def _written_model(**recipe) -> TriageTextModel:
    examples = training.written()
    return TriageTextModel(**recipe).fit(
        [e.text for e in examples], [e.category for e in examples], [e.kind for e in examples]
    )


def test_the_averaged_classifier_is_the_mean_of_its_members():
    examples = training.written()
    texts, labels = [e.text for e in examples], [e.category for e in examples]
    model = _written_model(ridge_alpha=3.0)
    x = model._features(texts)
    svm = LinearSVC(C=model.c_category, class_weight=class_weights(labels, 1.0)).fit(x, labels)
    ridge = RidgeClassifier(alpha=3.0, class_weight=class_weights(labels, 1.0)).fit(x, labels)
    expected = (svm.decision_function(x) + ridge.decision_function(x)) / 2
    assert isinstance(model.category_clf, AveragedLinear)
    assert np.allclose(model.category_clf.decision_function(x), expected, atol=1e-3)
    assert model.predict("电梯又坏了，停在三楼不动").category == "repair_elevator"


def test_category_words_join_the_features_only_when_weighted():
    plain = _written_model()
    weighted = _written_model(lexicon_weight=1.0)
    assert len(weighted.feature_names) == len(plain.feature_names) + len(lexicon.NAMES)
    text = "小区绿化带的大树被砍伐了"
    assert weighted._features([text]).shape[1] == len(weighted.feature_names)
    assert weighted.predict(text).evidence
    # A model pickled before these settings existed reads the class's defaults (all off).
    for name in ("lexicon_weight", "ridge_alpha", "body_ngram_max"):
        del plain.__dict__[name]
    assert plain._features([text]).shape[1] == len(plain.feature_names)


def test_written_letters_are_letters_of_the_taxonomy_and_copy_no_real_message():
    letters = training._read(training.WRITTEN_LETTERS, prefix="l")
    real = [e.text for e in training.labelled()]
    categories = {e.category for e in training.labelled()}
    assert len(letters) >= 80
    assert {e.category for e in letters} <= categories
    assert {e.urgency for e in letters} == {"normal"}
    assert all(80 <= len(e.text) <= 600 and "。" in e.text for e in letters)
    # No run of 25 characters is shared with a real message (the longest shared run, 20, is the
    # law's wording of the owners' vote a maintenance-fund spend needs).
    runs = {t[i : i + 25] for t in real for i in range(len(t) - 24)}
    assert not [
        e.text[:20]
        for e in letters
        if any(e.text[i : i + 25] in runs for i in range(len(e.text) - 24))
    ]
