"""Retraining from agents' overrides, with a gate: a worse model is refused.

An override is a request whose final category or kind differs from what was suggested: its
description with the final labels joins the training data. The candidate's score on the
held-back part of the repository's labels must match the model in use (the base model's score
when no retrained one is active), or nothing changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from propdesk.assistant import training
from propdesk.assistant.models import TriageModel, TriageSuggestion

MAX_OVERRIDES = 20000


def overrides() -> list[training.Example]:
    rows = (
        TriageSuggestion.objects.filter(
            ~Q(suggested_category=F("final_category")) | ~Q(suggested_kind=F("final_kind"))
        )
        .select_related("request")
        .order_by("id")[:MAX_OVERRIDES]
    )
    return [
        training.Example(
            id=f"o{row.id}",
            text=row.request.description,
            category=row.final_category,
            kind=row.final_kind,
            urgency=row.final_urgency,
        )
        for row in rows
        if len(row.request.description.strip()) >= 5
    ]


def score_base() -> training.Trained:
    return training.train()


@dataclass
class Outcome:
    accepted: bool
    message: str
    model: TriageModel | None = None


def _bar() -> tuple[float, float]:
    active = TriageModel.objects.filter(is_active=True).first()
    if active is not None:
        return active.heldback_accuracy, active.heldback_macro_f1
    base = training.train()
    return base.accuracy, base.macro_f1


def retrain(*, actor) -> Outcome:
    extra = overrides()
    candidate = training.train(extra)
    accuracy, macro_f1 = _bar()
    scores = {
        "acc": candidate.accuracy,
        "f1": candidate.macro_f1,
        "bar_acc": accuracy,
        "bar_f1": macro_f1,
        "n": len(extra),
    }
    if candidate.accuracy < accuracy or candidate.macro_f1 < macro_f1:
        return Outcome(
            False,
            _(
                "Refused: the retrained model scores %(acc).3f accuracy and %(f1).3f macro-F1 on "
                "the held-back labels, the model in use %(bar_acc).3f and %(bar_f1).3f "
                "(%(n)d overrides)."
            )
            % scores,
        )
    blob = training.dumps(candidate.model)
    with transaction.atomic():
        TriageModel.objects.filter(is_active=True).update(is_active=False)
        row = TriageModel.objects.create(
            created_by=actor,
            sha256=hashlib.sha256(blob).hexdigest(),
            artefact=blob,
            training_rows=candidate.training_rows,
            override_rows=len(extra),
            heldback_accuracy=candidate.accuracy,
            heldback_macro_f1=candidate.macro_f1,
            is_active=True,
        )
    training.forget()
    return Outcome(
        True,
        _(
            "Accepted: %(acc).3f accuracy and %(f1).3f macro-F1 on the held-back labels "
            "(in use before: %(bar_acc).3f and %(bar_f1).3f), %(n)d overrides learnt."
        )
        % scores,
        row,
    )
