"""Assessment rules (weights and deductions per company or community, audited) and the
data-entry checks page: who may change what, the checks on every value, the history, and the
check's error rate feeding the month's scorecards."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.quality.models import AssessmentRules, EntryCheck, Scorecard
from propdesk.quality.services import assessment, rules
from propdesk.quality.tests.conftest import quality_snapshot

pytestmark = pytest.mark.django_db
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"]
MANAGERS = {"supervisor", "admin"}
GOOD = {
    "weight_attitude": 30,
    "weight_knowledge": 10,
    "weight_communication": 15,
    "weight_problem_solving": 20,
    "weight_efficiency": 15,
    "weight_satisfaction": 10,
    "late_feedback_points": 4,
    "overdue_points": 6,
    "entry_error_target_percent": "1.5",
    "entry_error_points": 8,
}


def as_role(personas, role) -> Client:
    client = Client()
    client.force_login(personas[role])
    return client


def test_a_supervisor_sets_the_communitys_rules_with_a_history(supervisor, community_a):
    row = rules.rules_save(actor=supervisor, community=community_a, values=GOOD)
    assert row.community == community_a and row.weight_attitude == 30
    assert row.entry_error_target_percent == Decimal("1.5")
    assert assessment.rules_for(community_a.pk).pk == row.pk
    rules.rules_save(actor=supervisor, community=community_a, values={**GOOD, "overdue_points": 9})
    events = list(rules.rules_history(actor=supervisor, community=community_a))
    assert [e.action for e in events] == ["update", "create"]
    assert events[0].changes == {"overdue_points": [6, 9]}
    assert events[1].changes["weight_attitude"] == [20, 30]
    assert rules.rules_remove(actor=supervisor, community=community_a)
    assert not AssessmentRules.objects.filter(community=community_a).exists()
    assert AuditEvent.objects.filter(object_type="assessmentrules", action="delete").count() == 1


def test_a_community_follows_the_company_until_it_has_its_own(admin, supervisor, community_a):
    rules.rules_save(
        actor=admin, community=None, values={**GOOD, "weight_attitude": 25, "weight_knowledge": 15}
    )
    assert assessment.rules_for(community_a.pk).weight_attitude == 25
    with pytest.raises(PermissionDenied):
        rules.rules_save(actor=supervisor, community=None, values=GOOD)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_attitude", 31),  # the six add up to 101
        ("weight_knowledge", -1),
        ("weight_knowledge", 101),
        ("weight_knowledge", "abc"),
        ("weight_knowledge", True),
        ("overdue_points", 1000),
        ("entry_error_target_percent", "20.1"),
        ("entry_error_target_percent", "1.25"),
        ("entry_error_target_percent", "NaN"),
        ("entry_error_target_percent", "x" * 5000),
        ("late_feedback_points", None),
    ],
)
def test_bad_values_are_named_and_nothing_is_written(supervisor, community_a, field, value):
    before = quality_snapshot()
    with pytest.raises(ValidationFailed) as caught:
        rules.rules_save(actor=supervisor, community=community_a, values={**GOOD, field: value})
    assert caught.value.field == field
    assert quality_snapshot() == before


def test_nobody_sets_another_communitys_rules(personas, community_b):
    for role in ("supervisor", "agent", "technician"):
        with pytest.raises(PermissionDenied):
            rules.rules_save(actor=personas[role], community=community_b, values=GOOD)


@pytest.mark.parametrize("role", ROLES)
def test_rules_pages_for_role(personas, community_a, role):
    client = as_role(personas, role)
    expected = 200 if role in MANAGERS else 403
    assert client.get(reverse("quality_rules")).status_code == expected
    response = client.get(reverse("quality_rules_edit", args=[community_a.pk]))
    assert response.status_code == (expected if role != "other_agent" else 403)


def test_the_rules_page_saves_and_shows_the_history(personas, community_a, community_b):
    client = as_role(personas, "supervisor")
    page = client.get(reverse("quality_rules")).content.decode()
    assert community_a.name in page and community_b.name not in page
    url = reverse("quality_rules_edit", args=[community_a.pk])
    response = client.post(url, GOOD)
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "30" in page and 'data-testid="rules-history"' in page and "20 → 30" in page
    response = client.post(url, {**GOOD, "weight_attitude": 40})
    assert response.status_code == 400 or 'data-field-error="weight_attitude"' in (
        response.content.decode()
    )
    assert AssessmentRules.objects.get(community=community_a).weight_attitude == 30
    assert client.get(reverse("quality_rules_edit", args=[community_b.pk])).status_code == 404
    assert client.get(reverse("quality_rules_edit", args=["nonsense"])).status_code == 404
    response = client.post(reverse("quality_rules_remove", args=[community_a.pk]))
    assert response.status_code == 302
    assert not AssessmentRules.objects.filter(community=community_a).exists()


def test_a_supervisor_reads_the_company_rules_but_only_an_admin_changes_them(personas):
    supervisor = as_role(personas, "supervisor")
    url = reverse("quality_rules_edit", args=["company"])
    page = supervisor.get(url).content.decode()
    assert 'data-testid="rules-read-only"' in page
    assert supervisor.post(url, GOOD).status_code == 403
    assert not AssessmentRules.objects.exists()
    admin = as_role(personas, "admin")
    assert admin.post(url, GOOD).status_code == 302
    assert AssessmentRules.objects.get(community__isnull=True).weight_attitude == 30


# --- data-entry checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_entry_check_page_for_role(personas, role):
    response = as_role(personas, role).get(reverse("quality_entry_checks"))
    assert response.status_code == (200 if role in MANAGERS else 403)


def test_a_supervisor_samples_and_records_a_check_that_feeds_the_month(
    personas, supervisor, agent, community_a, repair_request
):
    client = as_role(personas, "supervisor")
    url = reverse("quality_entry_checks")
    page = client.get(url, {"community": community_a.pk, "month": "2026-07", "agent": agent.pk})
    assert page.status_code == 200
    assert repair_request.number in page.content.decode()
    response = client.post(
        url,
        {
            "community": community_a.pk,
            "month": "2026-07",
            "agent": agent.pk,
            "records_checked": 10,
            "fields_checked": 100,
            "field_errors": 5,
            "note": "门牌号录错",
        },
    )
    assert response.status_code == 302
    check = EntryCheck.objects.get()
    assert (check.agent, check.period, check.field_errors) == (agent, datetime.date(2026, 7, 1), 5)
    page = client.get(url, {"community": community_a.pk, "month": "2026-07"}).content.decode()
    assert "5.00 %" in page
    assessment.assessment_compute(actor=supervisor, community=community_a, period=check.period)
    card = Scorecard.objects.get(agent=agent)
    assert card.entry_error_percent == Decimal("5.00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("field_errors", 101),
        ("fields_checked", 0),
        ("fields_checked", "abc"),
        ("agent", 999999),
        ("note", "x" * 301),
    ],
)
def test_a_bad_check_is_named_and_nothing_is_written(personas, community_a, agent, field, value):
    data = {
        "community": community_a.pk,
        "month": "2026-07",
        "agent": agent.pk,
        "records_checked": 10,
        "fields_checked": 100,
        "field_errors": 5,
        "note": "",
        field: value,
    }
    before = quality_snapshot()
    response = as_role(personas, "supervisor").post(reverse("quality_entry_checks"), data)
    assert response.status_code == 400
    assert f'data-field-error="{field}"' in response.content.decode()
    assert quality_snapshot() == before


def test_another_communitys_agent_cannot_be_checked(personas, community_a, community_b):
    other = personas["other_agent"]
    response = as_role(personas, "supervisor").post(
        reverse("quality_entry_checks"),
        {
            "community": community_b.pk,
            "month": "2026-07",
            "agent": other.pk,
            "records_checked": 1,
            "fields_checked": 10,
            "field_errors": 0,
        },
    )
    assert response.status_code == 400
    assert not EntryCheck.objects.exists()


# --- API -----------------------------------------------------------------------------------------

API = "/api/quality/assessment/rules"
BODY = {**GOOD, "entry_error_target_percent": 1.5}


def put(api, role, body):
    return api.raw(role, "put", API, json.dumps(body), "application/json")


@pytest.mark.parametrize("role", ROLES)
def test_the_rules_api_for_role(api, community_a, role):
    response = api.get(role, API)
    assert response.status_code == (200 if role in MANAGERS else 403), role
    response = put(api, role, {**BODY, "community": community_a.pk})
    assert response.status_code == (200 if role in MANAGERS else 403), (role, response.content)


def test_the_api_lists_and_sets_rules(api, community_a, community_b):
    rows = api.get("supervisor", API).json()
    assert [r["community"] for r in rows] == [None, community_a.pk]
    assert rows[1]["own"] is False and rows[1]["weight_attitude"] == 20
    response = put(api, "supervisor", {**BODY, "community": community_a.pk})
    assert response.status_code == 200 and response.json()["own"] is True
    assert response.json()["entry_error_target_percent"] in ("1.5", 1.5)
    assert put(api, "supervisor", {**BODY, "community": community_b.pk}).status_code == 404
    assert put(api, "supervisor", BODY).status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_attitude", 31),
        ("weight_knowledge", "10"),
        ("weight_knowledge", -1),
        ("entry_error_target_percent", 25),
        ("entry_error_target_percent", 1.25),
        ("overdue_points", None),
    ],
)
def test_bad_api_input_is_named_and_nothing_is_written(api, community_a, field, value):
    before = quality_snapshot()
    response = put(api, "supervisor", {**BODY, "community": community_a.pk, field: value})
    assert response.status_code in (400, 422), response.content
    assert field in response.content.decode()
    assert quality_snapshot() == before
