"""Triage of a message's text: category, kind, urgency, department, confidences and evidence.

`suggest` is the one place a suggestion is made; the API, the console and portal forms, the
`propdesk triage` command and the recording of suggestions for new requests all call it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from propdesk.assistant import emergency, error_codes, training
from propdesk.core.errors import NotFound, ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, require

MIN_CHARS = 5
MAX_CHARS = 5000
# Below this share of Chinese characters a text is read, but its suggestion is marked unsure.
MIN_CJK_SHARE = 0.2
LOW_CONFIDENCE = 0.5

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Suggestion:
    category: str
    kind: str
    urgency: str
    department: str
    confidence: dict[str, float]
    evidence: list[str] = field(default_factory=list)
    model_version: str = ""

    @property
    def unsure(self) -> bool:
        return self.confidence.get("category", 0.0) < LOW_CONFIDENCE

    def as_dict(self) -> dict:
        return {
            "category": self.category,
            "kind": self.kind,
            "urgency": self.urgency,
            "department": self.department,
            "confidence": dict(self.confidence),
            "evidence": list(self.evidence),
        }


def clean_message(value, field: str = "text") -> str:
    """A message as triage reads it: 5 to 5,000 characters, no control characters."""
    if value is None or not isinstance(value, str):
        raise ValidationFailed(_("Enter the message text."), code=error_codes.REQUIRED, field=field)
    if _CONTROL_RE.search(value):
        raise ValidationFailed(
            _("This field holds characters that are not allowed."),
            code=error_codes.BAD_CHARACTERS,
            field=field,
        )
    text = value.strip()
    if not text:
        raise ValidationFailed(_("Enter the message text."), code=error_codes.REQUIRED, field=field)
    if len(text) < MIN_CHARS:
        raise ValidationFailed(
            _("Write at least %(n)d characters.") % {"n": MIN_CHARS},
            code=error_codes.TOO_SHORT,
            field=field,
        )
    if len(text) > MAX_CHARS:
        raise ValidationFailed(
            _("At most %(n)d characters.") % {"n": MAX_CHARS},
            code=error_codes.TOO_LONG,
            field=field,
        )
    return text


def _department(category_code: str, community_id: int | None) -> str:
    from propdesk.tickets.configuration import route_for, taxonomy_by_code
    from propdesk.tickets.models import Category

    category = taxonomy_by_code(Category, category_code)
    if category is None:
        return ""
    if community_id is None:
        return category.department_code or ""
    route = route_for(community_id=community_id, category=category)
    return route.lead.code if route.lead else (category.department_code or "")


def suggest(text: str, *, community_id: int | None = None) -> Suggestion:
    """The suggestion for an already cleaned text (see `clean_message`)."""
    return suggest_many([text], community_id=community_id)[0]


def suggest_many(texts: list[str], *, community_id: int | None = None) -> list[Suggestion]:
    """Suggestions for cleaned texts, predicted in one batch (imports, the command line)."""
    loaded = training.current()
    predictions = loaded.model.predict_many(texts)
    departments: dict[str, str] = {}
    out = []
    for text, prediction in zip(texts, predictions, strict=True):
        urgency = emergency.detect(text)
        cjk_share = len(_CJK_RE.findall(text)) / max(len(text), 1)
        category_confidence = prediction.category_confidence
        kind_confidence = prediction.kind_confidence
        if cjk_share < MIN_CJK_SHARE:
            # The model learnt from Chinese: English, emoji or symbols alone get an unsure guess.
            category_confidence *= 0.3
            kind_confidence *= 0.3
        evidence = list(urgency.evidence if urgency.urgency == "emergency" else [])
        evidence += [word for word in prediction.evidence if word not in evidence]
        if prediction.category not in departments:
            departments[prediction.category] = _department(prediction.category, community_id)
        out.append(
            Suggestion(
                category=prediction.category,
                kind=prediction.kind,
                urgency=urgency.urgency,
                department=departments[prediction.category],
                confidence={
                    "category": round(category_confidence, 3),
                    "kind": round(kind_confidence, 3),
                    "urgency": round(urgency.confidence, 3),
                },
                evidence=evidence[:6],
                model_version=loaded.version,
            )
        )
    return out


def triage_for(user, text, *, community_id: int | None = None) -> Suggestion:
    """A staff member's triage of a text, with the routing of one of their communities.

    Without a community the routing is the user's only community's, else the company default.
    """
    require(user, Perm.REQUEST_CREATE)
    cleaned = clean_message(text)
    allowed = community_ids(user)
    if community_id is not None:
        if community_id not in allowed:
            raise NotFound(
                _("No such record in your communities."),
                code=error_codes.NOT_FOUND,
                field="community",
            )
    elif len(allowed) == 1:
        community_id = allowed[0]
    return suggest(cleaned, community_id=community_id)


def can_triage(user) -> bool:
    return has_perm(user, Perm.REQUEST_CREATE)
