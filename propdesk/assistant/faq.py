"""FAQ answers (常见问题): a knowledge base per company with community overrides, and retrieval.

The answers shipped with the product (`data/faq.csv`, written from the source documents and the
product's own settings) are every company's defaults; a company's own entry with the same key
replaces one, and a community's replaces the company's (`FaqEntry`). Answers name no figure
themselves: placeholders read the community's own settings when an answer is shown — its fee
schedule (`{fee_rates}`), decoration hours, deposit and longest permit, the hotline.

Retrieval is a hybrid over each entry's question, keywords and the everyday phrasings written for
it (`data/faq_phrasings.csv`, by entry key): a TF-IDF over character n-grams (catches shared
characters and odd word boundaries) plus, at half weight, a TF-IDF over jieba words (the same
segmentation as request search). The best entry's weighted cosine, scaled back to 0–1, is its
confidence. Below `CONFIDENT` the portal offers a person.
"""

from __future__ import annotations

import csv
import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.feature_extraction.text import TfidfVectorizer

DATA = Path(__file__).resolve().parent / "data"
DEFAULTS = DATA / "faq.csv"
PHRASINGS = DATA / "faq_phrasings.csv"
CONFIDENT = 0.30
WORD_WEIGHT = 0.5  # chosen on the tuning phrasings (faq_questions*.csv), never on the holdout


@dataclass(frozen=True)
class Entry:
    key: str
    question: str
    answer: str
    keywords: str
    links: tuple[str, ...] = ()
    source: str = "default"  # default, company or community


@dataclass
class Answer:
    entry: Entry
    text: str
    confidence: float

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT


def default_entries() -> list[Entry]:
    with DEFAULTS.open(encoding="utf-8", newline="") as handle:
        return [
            Entry(
                key=row["key"],
                question=row["question"],
                answer=row["answer"],
                keywords=row["keywords"],
                links=tuple(link for link in (row.get("links") or "").split() if link),
            )
            for row in csv.DictReader(handle)
        ]


@functools.cache
def phrasings() -> dict[str, tuple[str, ...]]:
    """Everyday ways owners ask each default entry's question, by entry key."""
    found: dict[str, list[str]] = {}
    with PHRASINGS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["key"], []).append(row["question"])
    return {key: tuple(questions) for key, questions in found.items()}


def _words(text: str) -> list[str]:
    from propdesk.tickets.search import tokenize

    return tokenize(text)


def entries_for(community) -> list[Entry]:
    """The knowledge base a community's owners and agents see: defaults, company, community."""
    from propdesk.assistant.models import FaqEntry

    by_key = {e.key: e for e in default_entries()}
    if community is not None:
        rows = FaqEntry.objects.filter(company_id=community.company_id).filter(
            community__isnull=True
        ) | FaqEntry.objects.filter(community=community)
        for row in sorted(rows, key=lambda r: (r.community_id is not None, r.id)):
            if not row.is_active:
                by_key.pop(row.key, None)
                continue
            by_key[row.key] = Entry(
                key=row.key,
                question=row.question,
                answer=row.answer,
                keywords=row.keywords,
                links=tuple(row.links.split()),
                source="community" if row.community_id else "company",
            )
    return list(by_key.values())


class _Index:
    def __init__(self, entries: list[Entry]):
        self.entries = entries
        extra = phrasings()
        docs = [
            " ".join([e.question, e.question, e.keywords, *extra.get(e.key, ())]) for e in entries
        ]
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.char_matrix = self.chars.fit_transform(docs)
        self.words = TfidfVectorizer(analyzer=_words, sublinear_tf=True)
        self.word_matrix = self.words.fit_transform(docs)

    def search(self, question: str, limit: int = 3) -> list[tuple[Entry, float]]:
        by_chars = (self.char_matrix @ self.chars.transform([question]).T).toarray().ravel()
        by_words = (self.word_matrix @ self.words.transform([question]).T).toarray().ravel()
        scores = (by_chars + WORD_WEIGHT * by_words) / (1 + WORD_WEIGHT)
        order = np.argsort(-scores)[:limit]
        return [(self.entries[i], float(scores[i])) for i in order if scores[i] > 0]


_lock = threading.Lock()
_indexes: dict[tuple, _Index] = {}


def _index(entries: list[Entry]) -> _Index:
    key = tuple((e.key, e.question, e.keywords) for e in entries)
    with _lock:
        index = _indexes.get(key)
        if index is None:
            if len(_indexes) > 64:
                _indexes.clear()
            index = _indexes[key] = _Index(entries)
        return index


def search(question: str, *, community=None, limit: int = 3) -> list[Answer]:
    entries = entries_for(community)
    if not entries:
        return []
    return [
        Answer(entry=entry, text=render(entry.answer, community), confidence=round(score, 3))
        for entry, score in _index(entries).search(question, limit)
    ]


def best(question: str, *, community=None) -> Answer | None:
    found = search(question, community=community, limit=1)
    return found[0] if found else None


# --- the community's own figures -----------------------------------------------------------


def _fee_rates(community) -> str:
    from propdesk.billing.models import FeeItem, FeeRate

    if community is None:
        return _("see the fee schedule at the customer-service centre")
    today = timezone.localdate()
    parts = []
    for item in FeeItem.objects.filter(community=community, active=True).order_by("sort_order"):
        rate = (
            FeeRate.objects.filter(fee_item=item, effective_from__lte=today)
            .order_by("-effective_from")
            .first()
        )
        if rate is not None:
            parts.append(
                _("%(name)s %(rate)s yuan (%(basis)s)")
                % {"name": item.name, "rate": rate.rate, "basis": item.get_basis_display()}
            )
    return "；".join(parts) or _("see the fee schedule at the customer-service centre")


def _decoration(community):
    from propdesk.frontdesk.models import DecorationRules

    rules = None
    if community is not None:
        rules = DecorationRules.objects.filter(community=community).first()
    return (
        rules
        or DecorationRules.objects.filter(community__isnull=True).first()
        or (DecorationRules())
    )


def _deposit_texts(community) -> tuple[str, str]:
    rules = _decoration(community)
    name = community.name if community else ""
    if not rules.deposit_required:
        return "", _("%(community)s asks for no decoration deposit.") % {"community": name}
    amount = f"{rules.deposit}"
    return (
        _("and pay the decoration deposit of %(amount)s yuan") % {"amount": amount},
        _(
            "%(community)s asks for a decoration deposit of %(amount)s yuan, paid when the "
            "permit is issued and refunded after the final inspection finds no damage to common "
            "parts."
        )
        % {"community": name, "amount": amount},
    )


def _prohibitions(community) -> str:
    rules = _decoration(community)
    listed = "；".join(rules.prohibition_list()) if rules.pk else ""
    return listed or _("see the decoration management agreement signed with the permit")


def _hotline(community) -> str:
    from propdesk.portal.selectors import hotline

    return hotline()


# Each placeholder and how to read it: only the placeholders an answer uses are read.
FIGURES = {
    "community": lambda c: c.name if c else _("The community"),
    "hotline": _hotline,
    "fee_rates": _fee_rates,
    "decoration_hours": lambda c: _decoration(c).hours_text(),
    "decoration_max_days": lambda c: str(_decoration(c).max_days),
    "decoration_deposit_sentence": lambda c: _deposit_texts(c)[0],
    "decoration_deposit_answer": lambda c: _deposit_texts(c)[1],
    "decoration_prohibitions": _prohibitions,
}


def figures(community) -> dict[str, str]:
    return {name: read(community) for name, read in FIGURES.items()}


class _Figures(dict):
    """Reads a placeholder's figure when an answer asks for it; unknown ones stay as written."""

    def __init__(self, community):
        super().__init__()
        self.community = community

    def __missing__(self, key):
        read = FIGURES.get(key)
        value = read(self.community) if read else "{" + key + "}"
        self[key] = value
        return value


def render(answer: str, community) -> str:
    if "{" not in answer:
        return answer
    return answer.format_map(_Figures(community))


def evaluate(rows: list[tuple[str, str]]) -> float:
    """Top-1 accuracy of the default knowledge base on (question, expected key) pairs."""
    index = _index(default_entries())
    right = 0
    for question, key in rows:
        found = index.search(question, 1)
        right += bool(found and found[0][0].key == key)
    return right / max(len(rows), 1)
