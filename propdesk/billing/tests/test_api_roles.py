"""Every fees endpoint × every role: who may call it, and what the others get.

Refused calls (403 role, 404 another community or another owner's house, 401 anonymous) return
an error body and write nothing: the snapshot of every fees, history, numbering and outbox row is
the same before and after.
"""

import pytest

from propdesk.api.tests.helpers import ROLES
from propdesk.billing.tests.conftest import billing_snapshot

VIEWERS = {"agent", "supervisor", "cashier", "admin"}
TAKERS = {"supervisor", "cashier", "admin"}
MANAGERS = {"supervisor", "admin"}
REPORTERS = {"supervisor", "cashier", "admin"}


def outcomes(ok: int, allowed: set, *, owner: int = 403, other_agent: int = 404) -> dict:
    """Expected status per role: `ok` for `allowed`, 403 for the other roles of community A."""
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": owner, "other_agent": other_agent, "anonymous": 401})
    return expected


def a(fees) -> int:
    return fees.community.id


# name: (method, path(fees), body(fees) or None, expected statuses)
ENDPOINTS = {
    "fee_items": (
        "get",
        lambda f: f"/api/billing/communities/{a(f)}/fee-items",
        None,
        outcomes(200, VIEWERS),
    ),
    "rate_add": (
        "post",
        lambda f: f"/api/billing/fee-items/{f.fee_item.id}/rates",
        lambda f: {"rate": "2.10", "effective_from": "2026-08-01"},
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "fee_item_update": (
        "patch",
        lambda f: f"/api/billing/fee-items/{f.fee_item.id}",
        lambda f: {"name": "物业服务费"},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "policy": (
        "get",
        lambda f: f"/api/billing/communities/{a(f)}/policy",
        None,
        outcomes(200, VIEWERS),
    ),
    "policy_update": (
        "patch",
        lambda f: f"/api/billing/communities/{a(f)}/policy",
        lambda f: {"due_day": 10},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "period_close": (
        "post",
        lambda f: f"/api/billing/communities/{a(f)}/closed-periods",
        lambda f: {"period": "2026-05"},
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "run_preview": (
        "post",
        lambda f: "/api/billing/runs/preview",
        lambda f: {"period": "2026-08", "community": a(f)},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "run_start": (
        "post",
        lambda f: "/api/billing/runs",
        lambda f: {"period": "2026-08", "community": a(f)},
        outcomes(202, MANAGERS, other_agent=403),
    ),
    "run_list": (
        "get",
        lambda f: "/api/billing/runs",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "run_detail": (
        "get",
        lambda f: f"/api/billing/runs/{f.run.id}",
        None,
        outcomes(200, VIEWERS),
    ),
    "run_resume": (
        "post",
        lambda f: f"/api/billing/runs/{f.run.id}/resume",
        None,
        outcomes(409, MANAGERS),
    ),
    "bill_list": (
        "get",
        lambda f: f"/api/billing/bills?community={a(f)}",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "bill_detail": (
        "get",
        lambda f: f"/api/billing/bills/{f.july.id}",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "dues": (
        "get",
        lambda f: f"/api/billing/houses/{f.house.id}/dues",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "statement": (
        "get",
        lambda f: f"/api/billing/houses/{f.house.id}/statement",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "statement_pdf": (
        "get",
        lambda f: f"/api/billing/houses/{f.house.id}/statement.pdf",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "statement_xlsx": (
        "get",
        lambda f: f"/api/billing/houses/{f.house.id}/statement.xlsx",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "decoration_fee": (
        "post",
        lambda f: "/api/billing/decoration-fees",
        lambda f: {"house": f.house.id, "permit_ref": "ZX-2026-9"},
        outcomes(201, VIEWERS),
    ),
    "utility_deposit": (
        "post",
        lambda f: "/api/billing/utility-deposits",
        lambda f: {"house": f.house.id},
        outcomes(201, VIEWERS),
    ),
    "payment": (
        "post",
        lambda f: "/api/billing/payments",
        lambda f: {
            "house": f.house.id,
            "amount": "170.05",
            "method": "wechat",
            "idempotency_key": "api-role-test-0001",
        },
        outcomes(201, TAKERS),
    ),
    "payment_detail": (
        "get",
        lambda f: f"/api/billing/payments/{f.payment.id}",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "receipt_pdf": (
        "get",
        lambda f: f"/api/billing/receipts/{f.receipt.id}/pdf",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "meter_top_up": (
        "post",
        lambda f: "/api/billing/meter-top-ups",
        lambda f: {
            "house": f.house.id,
            "utility": "water",
            "meter_number": "W-0001",
            "amount": "100",
            "method": "cash",
            "idempotency_key": "api-topup-test-0001",
        },
        outcomes(201, TAKERS),
    ),
    "adjustment_request": (
        "post",
        lambda f: "/api/billing/adjustments",
        lambda f: {
            "house": f.house.id,
            "kind": "write_off",
            "bill": f.july.id,
            "amount": "5.00",
            "reason": "物业补偿",
        },
        outcomes(201, TAKERS, other_agent=403),
    ),
    "adjustment_list": (
        "get",
        lambda f: "/api/billing/adjustments",
        None,
        outcomes(200, TAKERS, other_agent=403),
    ),
    "adjustment_approve": (
        "post",
        lambda f: f"/api/billing/adjustments/{f.adjustment.id}/approve",
        lambda f: {"note": "同意"},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "adjustment_reject": (
        "post",
        lambda f: f"/api/billing/adjustments/{f.adjustment.id}/reject",
        lambda f: {"note": "不同意"},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "vacancy_apply": (
        "post",
        lambda f: "/api/billing/vacancy-applications",
        lambda f: {"house": f.vacant_too.id, "note": "出国"},
        outcomes(201, VIEWERS, owner=404),
    ),
    "vacancy_list": (
        "get",
        lambda f: "/api/billing/vacancy-applications",
        None,
        outcomes(200, VIEWERS, owner=200, other_agent=200),
    ),
    "vacancy_approve": (
        "post",
        lambda f: f"/api/billing/vacancy-applications/{f.application.id}/approve",
        lambda f: {},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "vacancy_reject": (
        "post",
        lambda f: f"/api/billing/vacancy-applications/{f.application.id}/reject",
        lambda f: {"note": "有人居住"},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "settlement_create": (
        "post",
        lambda f: "/api/billing/utility-settlements",
        lambda f: {
            "community": a(f),
            "utility": "electricity",
            "period": "2026-06",
            "cost": "999.99",
        },
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "settlement_detail": (
        "get",
        lambda f: f"/api/billing/utility-settlements/{f.settlement.id}",
        None,
        outcomes(200, VIEWERS),
    ),
    "arrears": (
        "get",
        lambda f: f"/api/billing/arrears?community={a(f)}",
        None,
        outcomes(200, REPORTERS, other_agent=403),
    ),
    "reminders": (
        "post",
        lambda f: "/api/billing/reminders",
        lambda f: {"community": a(f), "template": f.template.id},
        outcomes(200, TAKERS, other_agent=403),
    ),
    "template_list": (
        "get",
        lambda f: "/api/billing/reminder-templates",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "template_create": (
        "post",
        lambda f: "/api/billing/reminder-templates",
        lambda f: {
            "community": a(f),
            "name": "微信提醒",
            "channel": "wechat",
            "body": "{house}欠费{amount}元",
        },
        outcomes(201, MANAGERS, other_agent=403),
    ),
    "template_update": (
        "patch",
        lambda f: f"/api/billing/reminder-templates/{f.template.id}",
        lambda f: {"active": False},
        outcomes(200, MANAGERS, other_agent=403),
    ),
    "cash": (
        "get",
        lambda f: f"/api/billing/cash?community={a(f)}",
        None,
        outcomes(200, REPORTERS, other_agent=403),
    ),
    "cash_xlsx": (
        "get",
        lambda f: f"/api/billing/cash.xlsx?community={a(f)}",
        None,
        outcomes(200, REPORTERS, other_agent=403),
    ),
    "cash_up": (
        "post",
        lambda f: "/api/billing/cash-ups",
        lambda f: {"community": a(f), "cashier": f.cashier.id},
        outcomes(201, TAKERS, other_agent=403),
    ),
    "collection_rate": (
        "get",
        lambda f: f"/api/billing/collection-rate?community={a(f)}&period=2026-07",
        None,
        outcomes(200, REPORTERS, other_agent=403),
    ),
    "parking_fee": (
        "get",
        lambda f: f"/api/billing/temporary-parking-fee?community={a(f)}&minutes=90",
        None,
        outcomes(200, VIEWERS),
    ),
}


@pytest.fixture
def world(fees, personas):
    from propdesk.billing.models import BillingRun

    fees.run = BillingRun.objects.filter(community=fees.community).latest("id")
    fees.cashier = personas["cashier"]
    return fees


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_endpoint_answers_each_role_by_the_policy(api, world, endpoint, role):
    method, path, body, expected = ENDPOINTS[endpoint]
    before = billing_snapshot()
    client = api.client(role)
    if method == "get":
        response = client.get(path(world))
    else:
        import json

        response = getattr(client, method)(
            path(world),
            json.dumps(body(world) if body else {}),
            content_type="application/json",
        )
    assert response.status_code == expected[role], (endpoint, role, response.content[:300])
    if response.status_code >= 400:
        body_json = response.json()
        assert body_json["code"] and body_json["message"]
        assert billing_snapshot() == before
