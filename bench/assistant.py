"""The text assistant: triage quality by cross-validation and triage latency on one core.

1. **Quality** (targets from issue 17: category accuracy ≥ 0.85, macro-F1 ≥ 0.75, emergency
   recall ≥ 0.95 at precision ≥ 0.5). 5-fold stratified cross-validation over the 1,703 real
   hand-labelled messages (`propdesk/assistant/data/messages.csv`): each fold's model learns from
   the other four folds plus the written cases (`written.csv`, never scored), exactly as the
   product's model is built. Per-class precision/recall/F1, the confusion matrix, kind accuracy.
   The held-back fifth's scores as `manage.py assistant_train` computes them. Agreement (share
   and Cohen's kappa) of a second, blind reading of the labels (`data/second_reading.csv`).
   The emergency rules are scored on the real messages and, apart, on the written cases.
2. **FAQ answers** (target: top-1 ≥ 0.80 on real phrasings not in the entries' own wording).
   Top-1 of the default knowledge base on the tuning phrasings, the fresh set and the holdout
   (`data/faq_questions_holdout.csv`: written before the phrasings and the word index were
   added, never tuned on; that one is the figure), and CPU/wall ms per answer.
3. **Latency**. The product's model (built from all labels) triages every real message one at a
   time in this process (one thread, so one core): wall-clock ms per message p50/p95/max, CPU ms
   per message, messages per second; the machine's load average is printed beside them.

    uv run python bench/assistant.py              # both, writes bench/README-assistant.md
    uv run python bench/assistant.py --latency    # latency only
"""

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds a requests.py of its own: the script's folder must not shadow installed packages.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
)
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from propdesk.assistant import emergency, training  # noqa: E402
from propdesk.assistant.textmodel import TriageTextModel  # noqa: E402

SHORT = {
    "decoration": "deco",
    "environment": "env",
    "fees": "fees",
    "greening": "green",
    "noise": "noise",
    "other_nonproperty": "other",
    "parking": "park",
    "repair_building": "bldg",
    "repair_electric": "elec",
    "repair_elevator": "lift",
    "repair_water": "water",
    "security": "secu",
    "service": "serv",
}


MAINTENANCE = "## Maintenance prediction"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def quality(lines: list[str]) -> None:
    real = training.labelled()
    extra = training.written()
    texts = [e.text for e in real]
    y = np.array([e.category for e in real])
    kinds = np.array([e.kind for e in real])
    predicted = np.empty(len(real), dtype=object)
    predicted_kind = np.empty(len(real), dtype=object)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    started = time.monotonic()
    # The smallest class has 3 messages: stratification spreads them over 3 of the 5 folds.
    for train_idx, test_idx in folds.split(texts, y):
        model = TriageTextModel().fit(
            [texts[i] for i in train_idx] + [e.text for e in extra],
            [y[i] for i in train_idx] + [e.category for e in extra],
            [kinds[i] for i in train_idx] + [e.kind for e in extra],
        )
        out = model.predict_many([texts[i] for i in test_idx])
        predicted[test_idx] = [p.category for p in out]
        predicted_kind[test_idx] = [p.kind for p in out]
    elapsed = time.monotonic() - started
    labels = sorted(SHORT)
    # How far the macro-F1 of 1,703 messages can move by chance: bootstrap over the messages.
    rng = np.random.default_rng(0)
    boot = []
    for _ in range(1000):
        i = rng.integers(0, len(y), len(y))
        boot.append(f1_score(y[i], predicted[i], labels=labels, average="macro", zero_division=0))
    counts = {c: int((y == c).sum()) for c in labels}
    larger = [c for c in labels if counts[c] >= 13]
    smaller = ", ".join(str(counts[c]) for c in labels if c not in larger)
    at_least_30 = [c for c in labels if counts[c] >= 30]
    held = training.train()
    lines += [
        "## Triage quality: 5-fold cross-validation on the 1,703 real labelled messages",
        "",
        f"Load average during the run: {load()}; 5 folds trained in {elapsed:.0f} s.",
        "",
        f"- category accuracy **{accuracy_score(y, predicted):.3f}** (target ≥ 0.85)",
        f"- category macro-F1 **{f1_score(y, predicted, average='macro'):.3f}** (target ≥ 0.75); "
        f"bootstrap 95 % interval {np.percentile(boot, 2.5):.3f}–{np.percentile(boot, 97.5):.3f} "
        f"(sd {np.std(boot):.3f})",
        f"- macro-F1 over the {len(larger)} categories with at least 13 messages "
        f"{f1_score(y, predicted, labels=larger, average='macro'):.3f} (the other "
        f"{len(labels) - len(larger)} have {smaller} messages: "
        "one message moves their F1 by 0.1–0.3)",
        f"- macro-F1 over the {len(at_least_30)} categories with at least 30 messages "
        f"{f1_score(y, predicted, labels=at_least_30, average='macro'):.3f}",
        f"- the held-back fifth (model trained on the other four fifths, as `assistant_train` "
        f"scores it): accuracy {held.accuracy:.3f}, macro-F1 {held.macro_f1:.3f}, "
        f"kind accuracy {held.kind_accuracy:.3f}",
        f"- kind accuracy {accuracy_score(kinds, predicted_kind):.3f}, "
        f"kind macro-F1 {f1_score(kinds, predicted_kind, average='macro'):.3f}",
        "",
        "```",
        classification_report(y, predicted, labels=labels, digits=3, zero_division=0).rstrip(),
        "```",
        "",
        "Confusion matrix (rows: hand label, columns: model):",
        "",
        "```",
        "       " + " ".join(f"{SHORT[c]:>5}" for c in labels),
    ]
    matrix = confusion_matrix(y, predicted, labels=labels)
    for label, row in zip(labels, matrix, strict=True):
        lines.append(f"{SHORT[label]:>6} " + " ".join(f"{n:>5}" for n in row))
    lines += ["```", ""]

    second_reading(lines, {e.id: e for e in real})

    def scores(pairs):
        tp = sum(g == e == "emergency" for g, e in pairs)
        pos = sum(e == "emergency" for _, e in pairs)
        pred = sum(g == "emergency" for g, _ in pairs)
        return tp, pos, pred

    real_pairs = [(emergency.detect(e.text).urgency, e.urgency) for e in real]
    tp, pos, pred = scores(real_pairs)
    with (training.DATA / "emergency_cases.csv").open(encoding="utf-8") as handle:
        cases = list(csv.DictReader(handle))
    written_pairs = [(emergency.detect(c["text"]).urgency, c["urgency"]) for c in cases]
    wtp, wpos, wpred = scores(written_pairs)
    lines += [
        "## Emergencies (rules)",
        "",
        f"- real messages: {pos} labelled emergencies, {tp} found, {pred - tp} false alarms "
        f"among {len(real) - pos} normal messages: recall {tp / max(pos, 1):.2f}, "
        f"precision {tp / max(pred, 1):.2f}",
        f"- written cases (kept apart; the rules were written against them): {wpos} emergencies, "
        f"{wtp} found; {wpred - wtp} of {len(cases) - wpos} near misses flagged: "
        f"recall {wtp / max(wpos, 1):.2f}, precision {wtp / max(wpred, 1):.2f}",
        "",
    ]


def second_reading(lines: list[str], real: dict) -> None:
    """Agreement of a second, blind reading with the labels (`data/second_reading.csv`)."""
    from sklearn.metrics import cohen_kappa_score

    with (training.DATA / "second_reading.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines += ["## Second reading: agreement with the labels", ""]
    for sample, what in (
        ("random", "a random sample"),
        ("title_keywords", "every other message whose title names a repair or green-space word"),
    ):
        picked = [r for r in rows if r["sample"] == sample]
        first = [real[r["id"]].category for r in picked]
        second = [r["category"] for r in picked]
        agree = sum(a == b for a, b in zip(first, second, strict=True)) / len(picked)
        line = (
            f"- {what} ({len(picked)} messages): category agreement {agree:.3f}, "
            f"Cohen's kappa {cohen_kappa_score(first, second):.3f}"
        )
        if all(r["kind"] for r in picked):
            kinds = [real[r["id"]].kind for r in picked]
            again = [r["kind"] for r in picked]
            same = sum(a == b for a, b in zip(kinds, again, strict=True)) / len(picked)
            line += f"; kind agreement {same:.3f}, kappa {cohen_kappa_score(kinds, again):.3f}"
        lines.append(line)
    lines.append("")


def faq_answers(lines: list[str]) -> None:
    from propdesk.assistant import faq

    def rows(name):
        with (faq.DATA / name).open(encoding="utf-8") as handle:
            return [(r["question"], r["key"]) for r in csv.DictReader(handle)]

    sets = [
        ("tuning phrasings", "faq_questions.csv"),
        ("fresh phrasings (written after the keywords were tuned)", "faq_questions_fresh.csv"),
        ("**holdout** (never tuned on)", "faq_questions_holdout.csv"),
    ]
    lines += ["## FAQ answers: top-1 of the default knowledge base", ""]
    for label, name in sets:
        found = rows(name)
        lines.append(f"- {label}: {faq.evaluate(found):.3f} of {len(found)} questions")
    questions = [q for name in ("faq_questions_holdout.csv",) for q, _ in rows(name)]
    faq.evaluate(rows("faq_questions.csv"))  # builds the index
    index = faq._index(faq.default_entries())
    wall, cpu = [], []
    load_before = load()
    for question in questions * 5:
        w0, c0 = time.perf_counter(), time.process_time()
        index.search(question, 3)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    lines += [
        "",
        f"Answer latency ({len(wall)} searches, one thread; load average before {load_before}, "
        f"after {load()}): wall ms p50 {wall[len(wall) // 2]:.2f}, "
        f"p95 {wall[int(len(wall) * 0.95)]:.2f}; CPU ms mean {statistics.mean(cpu):.2f}.",
        "",
    ]


def latency(lines: list[str]) -> None:
    model = training.base_model().model
    texts = [e.text for e in training.labelled()]
    for text in texts[:50]:  # warm up
        model.predict(text)
        emergency.detect(text)
    load_before = load()
    wall, cpu = [], []
    started = time.monotonic()
    for text in texts:
        w0, c0 = time.perf_counter(), time.process_time()
        model.predict(text)
        emergency.detect(text)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    total = time.monotonic() - started
    wall.sort()
    lengths = [len(t) for t in texts]
    lines += [
        "## Latency: one message at a time, one thread",
        "",
        f"{len(texts)} real messages (median {statistics.median(lengths):.0f} characters, "
        f"longest {max(lengths)}); load average before {load_before}, after {load()}.",
        "",
        f"- wall ms per message: p50 {wall[len(wall) // 2]:.2f}, "
        f"p95 {wall[int(len(wall) * 0.95)]:.2f}, max {wall[-1]:.2f} (target < 5 ms)",
        f"- CPU ms per message: mean {statistics.mean(cpu):.2f}, "
        f"p95 {sorted(cpu)[int(len(cpu) * 0.95)]:.2f}",
        f"- throughput {len(texts) / total:.0f} messages/s on one thread",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", action="store_true", help="latency only")
    parser.add_argument("--out", default=str(ROOT / "bench" / "README-assistant.md"))
    args = parser.parse_args()
    lines = [
        "# Text assistant: measured figures",
        "",
        "Produced by `uv run python bench/assistant.py` (see its docstring for the method).",
        "",
    ]
    if not args.latency:
        quality(lines)
        faq_answers(lines)
    latency(lines)
    text = "\n".join(lines)
    print(text)
    if not args.latency:
        out = Path(args.out)
        # The maintenance backtest's section (bench/maintenance.py) is kept as it was.
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        kept = old[old.find(MAINTENANCE) :] if MAINTENANCE in old else ""
        out.write_text(text + "\n" + ("\n" + kept if kept else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
