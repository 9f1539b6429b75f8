"""Reply suggestions on the request workbench: the standard phrases (标准语) and FAQ answers that
fit the request's status, category and text, best first; the workbench's own phrase buttons
insert them into the note being written (one click, then the agent edits)."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer

from propdesk.assistant import faq

# Which purposes of standard phrases fit a request at each status.
_PURPOSES_BY_STATUS = {
    "new": ("confirmation", "greeting", "transfer"),
    "accepted": ("confirmation", "transfer", "callback"),
    "dispatched": ("transfer", "callback"),
    "in_progress": ("callback", "apology"),
    "waiting_owner": ("callback", "apology"),
    "resolved": ("follow_up", "closing"),
    "follow_up": ("follow_up", "closing"),
}


@dataclass
class Reply:
    title: str
    text: str
    source: str  # "phrase" or "faq"


def suggest_replies(item, phrases, *, limit_phrases: int = 3, limit_answers: int = 2):
    """`item` is the workbench's request, `phrases` its filled standard phrases."""
    description = getattr(item, "description", "") or ""
    category = getattr(getattr(item, "category", None), "name", "") or ""
    query = f"{category} {description}"
    wanted = _PURPOSES_BY_STATUS.get(getattr(item, "status", ""), ())
    ranked: list[tuple[float, Reply]] = []
    phrases = [p for p in phrases if getattr(p, "filled", "")]
    if phrases:
        vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
        matrix = vectoriser.fit_transform([query] + [f"{p.title} {p.filled}" for p in phrases])
        similarity = (matrix[1:] @ matrix[0].T).toarray().ravel()
        for phrase, score in zip(phrases, similarity, strict=True):
            bonus = 1.0 - 0.2 * wanted.index(phrase.purpose) if phrase.purpose in wanted else 0.0
            ranked.append((bonus + float(score), Reply(phrase.title, phrase.filled, "phrase")))
    ranked.sort(key=lambda pair: -pair[0])
    replies = [reply for _score, reply in ranked[:limit_phrases]]
    if len(description.strip()) >= 5:
        community = getattr(item, "community", None)
        answers = faq.search(description, community=community, limit=limit_answers)
        replies.extend(Reply(a.entry.question, a.text, "faq") for a in answers if a.confident)
    return replies
