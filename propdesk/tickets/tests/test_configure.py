"""Configuration through services: standard phrases and SLA policies, with the change history."""

import pytest

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.tickets import services
from propdesk.tickets.configuration import phrases_for, policy_for
from propdesk.tickets.models import SlaPolicy, StandardPhrase
from propdesk.tickets.tests.conftest import snapshot


def test_the_seeded_phrases_cover_greeting_transfer_apology_and_callback(db):
    purposes = set(StandardPhrase.objects.values_list("purpose", flat=True))
    assert {"greeting", "transfer", "apology", "callback", "confirmation"} <= purposes


def test_a_supervisor_adds_a_phrase_for_the_community(desk):
    phrase = services.phrase_create(
        actor=desk.supervisor,
        community=desk.community_a,
        purpose="apology",
        title="停水致歉",
        text="因管网检修临时停水，给您带来不便，非常抱歉。",
    )
    assert phrase in phrases_for(desk.community_a.id)
    assert phrase not in phrases_for(desk.community_b.id)
    assert AuditEvent.objects.filter(object_type="standardphrase", action="create").count() == 1


def test_company_wide_phrases_are_for_administrators(desk):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.phrase_create(actor=desk.supervisor, purpose="greeting", title="t", text="x")
    assert snapshot() == before
    phrase = services.phrase_create(actor=desk.admin, purpose="greeting", title="t", text="x")
    assert phrase.community is None


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "other_agent"])
def test_others_cannot_change_phrases(desk, role):
    phrase = StandardPhrase.objects.filter(community=None).first()
    with pytest.raises(PermissionDenied):
        services.phrase_create(
            actor=getattr(desk, role),
            community=desk.community_a,
            purpose="greeting",
            title="t",
            text="x",
        )
    with pytest.raises(PermissionDenied):
        services.phrase_update(actor=getattr(desk, role), phrase=phrase, text="y")


def test_a_phrase_is_edited_and_retired(desk):
    phrase = services.phrase_create(
        actor=desk.supervisor, community=desk.community_a, purpose="closing", title="t", text="x"
    )
    services.phrase_update(actor=desk.supervisor, phrase=phrase, text="再见", is_active=False)
    phrase.refresh_from_db()
    assert (phrase.text, phrase.is_active) == ("再见", False)
    assert phrase not in phrases_for(desk.community_a.id)


def test_an_administrator_changes_a_policy_and_history_records_it(desk):
    policy = SlaPolicy.objects.get(
        community=None, kind__code="complaint", urgency__code="normal", category=None, simple=False
    )
    services.policy_update(
        actor=desk.admin,
        policy=policy,
        resolution_amount=2,
        escalation_percents=[50, 100, 150],
    )
    policy.refresh_from_db()
    assert (policy.resolution_amount, policy.resolution_unit, policy.thresholds()) == (
        2,
        "working_days",
        [50, 100, 150],
    )
    assert AuditEvent.objects.get(object_type="slapolicy").changes["resolution_amount"] == [3, 2]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"resolution_amount": 0}, "resolution_amount"),
        ({"resolution_unit": "fortnights"}, "resolution_unit"),
        ({"escalation_percents": "80"}, "escalation_percents"),
        ({"escalation_percents": [0]}, "escalation_percents"),
        ({"due_soon_percent_left": 120}, "due_soon_percent_left"),
    ],
)
def test_it_refuses_a_bad_policy(desk, values, field):
    policy = SlaPolicy.objects.filter(community=None).first()
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        services.policy_update(actor=desk.admin, policy=policy, **values)
    assert caught.value.field == field
    assert snapshot() == before


def test_the_most_specific_policy_wins(desk):
    complaint = SlaPolicy.objects.get(
        community=None, kind__code="complaint", urgency__code="normal", category=None, simple=False
    )
    cleaning = SlaPolicy.objects.get(
        community=None, kind__code="complaint", urgency__code="normal", category__code="environment"
    )
    ids = {"kind_id": complaint.kind_id, "urgency_id": complaint.urgency_id}
    assert (
        policy_for(community_id=desk.community_a.id, category_id=cleaning.category_id, **ids)
        == cleaning
    )
    own = SlaPolicy.objects.create(community=desk.community_a, **ids, resolution_amount=1)
    assert (
        policy_for(community_id=desk.community_a.id, category_id=cleaning.category_id, **ids) == own
    )
    assert (
        policy_for(community_id=desk.community_b.id, category_id=cleaning.category_id, **ids)
        == cleaning
    )
