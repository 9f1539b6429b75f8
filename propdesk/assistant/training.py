"""Training the triage model from the labels kept in the repository (and agents' overrides).

The labelled messages (`data/messages.csv`, real, labelled by hand — see `data/README.md`) are
split once and for all by a hash of their id: one in five is held back. A model is trained on
the rest plus the written cases (`data/written.csv`, `data/written_repairs.csv` and, when
`LETTERS_IN_TRAINING`, `data/written_letters.csv`) and any overrides, its softmax temperature is
fitted on the held-back part, and it is scored there. The model people use is then refitted on
everything; its held-back score is the score of the recipe that produced it, which is what a
retrained candidate has to match (`assistant_train` refuses a worse one).

The base model (labels only) is rebuilt deterministically when a process first needs it and kept
in a small file cache keyed by the labels' checksum, so a web process or the test suite builds it
once; retrained models live in the database (`TriageModel`) so every web node uses the same one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import pickle
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from sklearn.metrics import accuracy_score, f1_score

from propdesk.assistant.textmodel import TriageTextModel

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
MESSAGES = DATA / "messages.csv"
WRITTEN = DATA / "written.csv"
# Letters written for this project in the style of the real ones, for the repair categories the
# corpus barely has (not real; training only, never scored).
WRITTEN_REPAIRS = DATA / "written_repairs.csv"
# Letters in the same manner for security, fees, service, greening, building and power faults,
# with near misses of `other_nonproperty` that use their words (not real; never scored).
# Measured and left out of training: the nested comparison in `bench/assistant.py` found no gain
# (macro-F1 +0.001, paired 95 % interval -0.014 to +0.023; bench/README-assistant.md).
WRITTEN_LETTERS = DATA / "written_letters.csv"
LETTERS_IN_TRAINING = False
MODEL_FORMAT = "4"  # bump when the features or the pickled classes change
HELD_BACK_ONE_IN = 5


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    category: str
    kind: str
    urgency: str


def _read(path: Path, prefix: str = "") -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(
                id=row.get("id") or f"{prefix}{i}",
                text=row["text"],
                category=row["category"],
                kind=row["kind"],
                urgency=row["urgency"],
            )
            for i, row in enumerate(csv.DictReader(handle), start=1)
        ]


def labelled() -> list[Example]:
    return _read(MESSAGES)


def written(letters: bool | None = None) -> list[Example]:
    """The written cases used for training; `letters` overrides `LETTERS_IN_TRAINING`."""
    examples = _read(WRITTEN, prefix="w") + _read(WRITTEN_REPAIRS, prefix="r")
    if letters is None:
        letters = LETTERS_IN_TRAINING
    if letters:
        examples += _read(WRITTEN_LETTERS, prefix="l")
    return examples


def held_back(example_id: str) -> bool:
    digest = hashlib.sha256(example_id.encode()).digest()
    return digest[0] % HELD_BACK_ONE_IN == 0


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if not held_back(e.id)]
    test = [e for e in examples if held_back(e.id)]
    return train, test


def data_checksum(extra: list[Example] = ()) -> str:
    """Of the model format, the recipe and the training data: a cached model is reused only
    when all three are the same."""
    digest = hashlib.sha256(MODEL_FORMAT.encode())
    recipe = vars(TriageTextModel())
    digest.update(
        repr(sorted((k, v) for k, v in recipe.items() if not k.startswith("temp"))).encode()
    )
    paths = [MESSAGES, WRITTEN, WRITTEN_REPAIRS] + [WRITTEN_LETTERS] * LETTERS_IN_TRAINING
    for path in paths:
        digest.update(path.read_bytes())
    for example in extra:
        digest.update(f"{example.id}\t{example.text}\t{example.category}\t{example.kind}".encode())
    return digest.hexdigest()


def _fit(examples: list[Example]) -> TriageTextModel:
    return TriageTextModel().fit(
        [e.text for e in examples], [e.category for e in examples], [e.kind for e in examples]
    )


@dataclass
class Trained:
    model: TriageTextModel
    accuracy: float
    macro_f1: float
    kind_accuracy: float
    training_rows: int
    checksum: str


def train(overrides: list[Example] = ()) -> Trained:
    """Score the recipe on the held-back labels, then refit on everything."""
    overrides = list(overrides)
    train_part, test_part = split(labelled())
    extra = written() + overrides
    probe = _fit(train_part + extra)
    probe.calibrate(
        [e.text for e in test_part], [e.category for e in test_part], [e.kind for e in test_part]
    )
    predictions = probe.predict_many([e.text for e in test_part])
    truth = [e.category for e in test_part]
    guessed = [p.category for p in predictions]
    accuracy = accuracy_score(truth, guessed)
    macro_f1 = f1_score(truth, guessed, average="macro", zero_division=0)
    kind_accuracy = accuracy_score([e.kind for e in test_part], [p.kind for p in predictions])
    everything = train_part + test_part + extra
    model = _fit(everything)
    model.temperature_category = probe.temperature_category
    model.temperature_kind = probe.temperature_kind
    return Trained(
        model=model,
        accuracy=float(accuracy),
        macro_f1=float(macro_f1),
        kind_accuracy=float(kind_accuracy),
        training_rows=len(everything),
        checksum=data_checksum(overrides),
    )


def dumps(model: TriageTextModel) -> bytes:
    buffer = io.BytesIO()
    pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
    return buffer.getvalue()


def loads(blob: bytes) -> TriageTextModel:
    # Only artefacts this code wrote (the cache below, TriageModel rows) are ever loaded.
    return pickle.loads(blob)  # noqa: S301


# --- the model in use -------------------------------------------------------------------------


@dataclass
class Loaded:
    model: TriageTextModel
    version: str


_lock = threading.Lock()
_loaded: Loaded | None = None


def _cache_path(checksum: str) -> Path:
    return Path(settings.BASE_DIR) / "var" / "assistant" / f"triage-{checksum[:16]}.pickle"


def base_model() -> Loaded:
    """The model built from the repository's labels (cached on disk by their checksum)."""
    checksum = data_checksum()
    path = _cache_path(checksum)
    try:
        return Loaded(loads(path.read_bytes()), f"base-{checksum[:12]}")
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    log.info("building the triage model from the labelled messages")
    trained = train()
    blob = dumps(trained.model)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(path)
    except OSError:
        log.warning("could not cache the triage model at %s", path)
    return Loaded(trained.model, f"base-{checksum[:12]}")


RECHECK_SECONDS = 30.0
_checked_at = 0.0


def current() -> Loaded:
    """The model in use: the newest active retrained one, else the base model.

    Which one is active is re-read at most every 30 s, so a retraining reaches every process
    within half a minute without a query per message."""
    global _loaded, _checked_at
    from propdesk.assistant.models import TriageModel

    now = time.monotonic()
    if _loaded is not None and now - _checked_at < RECHECK_SECONDS:
        return _loaded
    row = TriageModel.objects.filter(is_active=True).only("id", "sha256").first()
    version = f"m{row.id}-{row.sha256[:8]}" if row else None
    with _lock:
        _checked_at = now
        if _loaded is not None:
            same_retrained = version is not None and _loaded.version == version
            same_base = version is None and _loaded.version.startswith("base")
            if same_retrained or same_base:
                return _loaded
        if row is not None:
            blob = bytes(TriageModel.objects.values_list("artefact", flat=True).get(pk=row.id))
            _loaded = Loaded(loads(blob), version)
        else:
            _loaded = base_model()
        return _loaded


def forget() -> None:
    """Drop the process's loaded model (after retraining, in tests)."""
    global _loaded, _checked_at
    _loaded = None
    _checked_at = 0.0
