"""Bad periods and quiet hours at the fee API and pages: a 400 naming the field, never a 500.

Found by fuzzing: `0000-01` fits the period pattern, and year 0 then broke the date arithmetic of
bills, collection rate, runs, the run preview and utility settlements.
"""

import datetime
import json

import pytest

from propdesk.core.models import AuditEvent

BAD_PERIODS = ["0000-01", "0001-01", "9999-12", "2026-13", "2026-00", "2026-7", "２０２６-０７"]


def _client(client, user):
    client.force_login(user)
    return client


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def caller(client, supervisor, schedule_a, house_a):
    return _client(client, supervisor)


@pytest.mark.parametrize("period", BAD_PERIODS)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/billing/bills", {}),
        ("get", "/api/billing/collection-rate", {}),
        ("post", "/api/billing/runs", {}),
        ("post", "/api/billing/runs/preview", {}),
        ("post", "/api/billing/utility-settlements", {"utility": "water", "cost": "100.00"}),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(caller, community_a, method, path, body, period):
    before = AuditEvent.objects.count()
    if method == "get":
        response = caller.get(path, {"period": period, "community": community_a.id})
    else:
        response = _post(caller, path, {**body, "period": period, "community": community_a.id})
    assert response.status_code in (400, 422), response.content
    payload = response.json()
    assert payload["field"] == "period"
    assert payload["message"]
    assert AuditEvent.objects.count() == before  # nothing written


def test_a_year_zero_period_names_the_field_in_chinese(caller, community_a):
    response = caller.get("/api/billing/collection-rate", {"period": "0000-01"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_period",
        "message": "账期为一个月份，例如 2026-07。",
        "field": "period",
    }


def test_closing_a_year_zero_period_is_refused(caller, community_a):
    response = _post(
        caller, f"/api/billing/communities/{community_a.id}/closed-periods", {"period": "0000-01"}
    )
    assert response.status_code in (400, 422)
    assert response.json()["field"] == "period"


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_the_pages_refuse_a_bad_period_without_a_500(caller, community_a, period):
    assert caller.get("/billing/bills/", {"period": period}).status_code == 200
    response = caller.post(
        "/billing/runs/preview/",
        {"period": period, "scope": "community", "community": community_a.id},
    )
    assert response.status_code == 400
    response = caller.post(
        f"/billing/schedule/{community_a.id}/settlements/",
        {"utility": "water", "period": period, "cost": "100.00"},
    )
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("date", ["0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "x"])
def test_bad_dates_in_fee_filters_are_refused(caller, community_a, house_a, date):
    for path, params in [
        (f"/api/billing/houses/{house_a.id}/statement", {"date_from": date}),
        (f"/api/billing/houses/{house_a.id}/statement", {"date_to": date}),
        ("/api/billing/cash", {"community": community_a.id, "date": date}),
    ]:
        response = caller.get(path, params)
        assert response.status_code in (400, 422), (path, response.content)
        assert response.json()["field"] in {"date_from", "date_to", "date"}
    assert caller.get("/billing/cash/", {"date": date}).status_code == 200


def test_quiet_hours_of_the_billing_policy_can_be_changed_and_are_in_the_history(
    caller, community_a
):
    response = caller.patch(
        f"/api/billing/communities/{community_a.id}/policy",
        json.dumps({"quiet_hours_start": "22:30", "quiet_hours_end": "07:00"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    from propdesk.billing.models import BillingPolicy

    policy = BillingPolicy.objects.get(community=community_a)
    assert policy.quiet_hours_start == datetime.time(22, 30)
    event = AuditEvent.objects.filter(object_type="billingpolicy").latest("id")
    assert event.changes["quiet_hours_start"] == ["21:00", "22:30"]
    assert event.changes["quiet_hours_end"] == ["08:00", "07:00"]
