"""Recording suggestions of new requests, overrides as labels, and the retraining gate."""

import datetime

import pytest

from propdesk.assistant import recording, retraining, training
from propdesk.assistant.models import TriageModel, TriageSuggestion
from propdesk.assistant.textmodel import TriageTextModel


def test_new_requests_get_their_suggestion_recorded_once(desk, make_request):
    kept = make_request(
        description="楼上水管爆了，水从天花板往下流，客厅已经淹了", urgency="emergency"
    )
    overridden = make_request(
        description="楼下麻将馆每天打到凌晨两点，吵得睡不着", category="service"
    )
    assert recording.record_new_requests() == 2
    assert recording.record_new_requests() == 0  # nothing twice
    first = TriageSuggestion.objects.get(request=kept)
    assert (first.suggested_category, first.final_category) == ("repair_water", "repair_water")
    assert first.suggested_urgency == first.final_urgency == "emergency"
    assert first.community_id == desk.community_a.id
    second = TriageSuggestion.objects.get(request=overridden)
    assert second.suggested_category == "noise" and second.final_category == "service"
    assert second.overridden
    labels = retraining.overrides()
    assert [(e.text, e.category) for e in labels] == [(overridden.description, "service")]


def test_old_requests_are_left_alone(desk, make_request, frozen):
    make_request()
    frozen.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10))
    assert recording.record_new_requests() == 0


def _fake_train(accuracy, macro_f1):
    def train(overrides=()):
        return training.Trained(
            model=TriageTextModel(),
            accuracy=accuracy,
            macro_f1=macro_f1,
            kind_accuracy=0.9,
            training_rows=10,
            checksum="x",
        )

    return train


@pytest.mark.django_db
def test_a_worse_model_is_refused(monkeypatch):
    TriageModel.objects.create(
        sha256="a" * 64, artefact=b"x", heldback_accuracy=0.86, heldback_macro_f1=0.70
    )
    monkeypatch.setattr(training, "train", _fake_train(0.85, 0.71))
    outcome = retraining.retrain(actor=None)
    assert not outcome.accepted
    assert TriageModel.objects.count() == 1 and TriageModel.objects.get().is_active


@pytest.mark.django_db
def test_a_model_at_least_as_good_replaces_the_one_in_use(monkeypatch):
    old = TriageModel.objects.create(
        sha256="a" * 64, artefact=b"x", heldback_accuracy=0.86, heldback_macro_f1=0.70
    )
    monkeypatch.setattr(training, "train", _fake_train(0.87, 0.70))
    outcome = retraining.retrain(actor=None)
    assert outcome.accepted
    old.refresh_from_db()
    assert not old.is_active
    assert TriageModel.objects.filter(is_active=True).get() == outcome.model
    training.forget()
    TriageModel.objects.all().delete()
