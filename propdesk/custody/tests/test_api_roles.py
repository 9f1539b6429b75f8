"""Every custody endpoint × every role: who may call it, and what the others get.

Refused calls (403 role, 404 another community or another owner's house, 401 anonymous) return
an error body and write nothing: every custody, history, numbering and outbox row is unchanged.
"""

import pytest

from propdesk.api.tests.helpers import ROLES, pdf_file
from propdesk.custody.tests.conftest import custody_snapshot

VIEWERS = {"agent", "supervisor", "technician", "guard", "admin"}
KEEPERS = {"agent", "supervisor", "admin"}
ISSUERS = {"agent", "supervisor", "admin"}
CHECKERS = {"agent", "supervisor", "guard", "admin"}
REGISTRARS = {"agent", "supervisor", "admin"}
CONFIGURERS = {"supervisor", "admin"}


def outcomes(ok: int, allowed: set, *, owner: int = 403, other_agent: int = 404) -> dict:
    expected = {role: (ok if role in allowed else 403) for role in ROLES}
    expected.update({"owner": owner, "other_agent": other_agent, "anonymous": 401})
    return expected


def a(w) -> int:
    return w.community.id


# name: (method, path(w), body(w) or None, expected statuses)
ENDPOINTS = {
    "settings": (
        "get",
        lambda w: f"/api/custody/communities/{a(w)}/settings",
        None,
        outcomes(200, VIEWERS),
    ),
    "settings_update": (
        "patch",
        lambda w: f"/api/custody/communities/{a(w)}/settings",
        lambda w: {"key_overdue_hours": 12},
        outcomes(200, CONFIGURERS, other_agent=403),
    ),
    "keys": ("get", lambda w: "/api/custody/keys", None, outcomes(200, VIEWERS, other_agent=200)),
    "key_create": (
        "post",
        lambda w: "/api/custody/keys",
        lambda w: {"community": a(w), "kind": "cabinet", "label": "柜-09", "location": "前台"},
        outcomes(201, KEEPERS),
    ),
    "key_detail": ("get", lambda w: f"/api/custody/keys/{w.key.id}", None, outcomes(200, VIEWERS)),
    "key_update": (
        "patch",
        lambda w: f"/api/custody/keys/{w.key.id}",
        lambda w: {"location": "钥匙柜C-1"},
        outcomes(200, KEEPERS),
    ),
    "key_retire": (
        "post",
        lambda w: f"/api/custody/keys/{w.key.id}/retire",
        lambda w: {"reason": "业主已取走"},
        outcomes(200, KEEPERS),
    ),
    "key_lend": (
        "post",
        lambda w: f"/api/custody/keys/{w.key.id}/lend",
        lambda w: {"purpose": "owner", "owner": w.owner.id, "id_checked": True},
        outcomes(201, KEEPERS),
    ),
    "key_return": (
        "post",
        lambda w: f"/api/custody/keys/{w.lent_key.id}/return",
        lambda w: {"note": ""},
        outcomes(200, KEEPERS),
    ),
    "overdue": (
        "get",
        lambda w: "/api/custody/key-loans/overdue",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "contractors": (
        "get",
        lambda w: "/api/custody/contractors",
        None,
        outcomes(200, VIEWERS, other_agent=200),
    ),
    "contractor_create": (
        "post",
        lambda w: "/api/custody/contractors",
        lambda w: {
            "community": a(w),
            "company": "好修公司",
            "responsible_name": "孙工",
            "responsible_mobile": "13500001234",
        },
        outcomes(201, KEEPERS),
    ),
    "contractor_active": (
        "post",
        lambda w: f"/api/custody/contractors/{w.contractor.id}/active",
        lambda w: {"active": False},
        outcomes(200, KEEPERS),
    ),
    "passes": (
        "get",
        lambda w: "/api/custody/passes",
        None,
        outcomes(200, VIEWERS, owner=200, other_agent=200),
    ),
    "pass_create": (
        "post",
        lambda w: "/api/custody/passes",
        lambda w: {
            "house": w.house.id,
            "applicant_kind": "owner",
            "applicant": w.owner.id,
            "items": "旧沙发",
            "release_on": "2026-07-11",
        },
        outcomes(201, ISSUERS, owner=201),
    ),
    "pass_detail": (
        "get",
        lambda w: f"/api/custody/passes/{w.approved.id}",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "pass_pdf": (
        "get",
        lambda w: f"/api/custody/passes/{w.approved.id}/pdf",
        None,
        outcomes(200, VIEWERS, owner=200),
    ),
    "pass_approve": (
        "post",
        lambda w: f"/api/custody/passes/{w.pending.id}/approve",
        lambda w: {},
        outcomes(200, ISSUERS),
    ),
    "pass_reject": (
        "post",
        lambda w: f"/api/custody/passes/{w.pending.id}/reject",
        lambda w: {"reason": "清单不清"},
        outcomes(200, ISSUERS),
    ),
    "pass_cancel": (
        "post",
        lambda w: f"/api/custody/passes/{w.pending.id}/cancel",
        lambda w: {},
        outcomes(200, ISSUERS, owner=200),
    ),
    "gate_check": (
        "post",
        lambda w: "/api/custody/gate/check",
        lambda w: {"code": w.approved.code},
        outcomes(200, CHECKERS),
    ),
    "gate_use": (
        "post",
        lambda w: "/api/custody/gate/use",
        lambda w: {"code": w.approved.code},
        outcomes(200, CHECKERS),
    ),
    "documents": (
        "get",
        lambda w: "/api/custody/documents",
        None,
        outcomes(200, REGISTRARS, other_agent=200),
    ),
    "document_detail": (
        "get",
        lambda w: f"/api/custody/documents/{w.document.id}",
        None,
        outcomes(200, REGISTRARS),
    ),
    "document_move": (
        "patch",
        lambda w: f"/api/custody/documents/{w.document.id}",
        lambda w: {"location": "档案柜9"},
        outcomes(200, REGISTRARS),
    ),
    "document_lend": (
        "post",
        lambda w: f"/api/custody/documents/{w.document.id}/lend",
        lambda w: {"borrower_name": "刘工", "purpose": "查阅", "due_on": "2026-07-12"},
        outcomes(201, REGISTRARS),
    ),
    "document_return": (
        "post",
        lambda w: f"/api/custody/documents/{w.lent_document.id}/return",
        lambda w: {},
        outcomes(200, REGISTRARS),
    ),
    "document_scan": (
        "get",
        lambda w: f"/api/custody/documents/{w.document.id}/scan",
        None,
        outcomes(200, REGISTRARS),
    ),
}
CASES = [(name, role) for name in ENDPOINTS for role in ROLES]


@pytest.mark.parametrize("name, role", CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_endpoint_for_role(api, world, name, role):
    method, path, body, expected = ENDPOINTS[name]
    before = custody_snapshot()
    if method == "get":
        response = api.get(role, path(world))
    else:
        response = getattr(api, method)(role, path(world), body(world))
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if expected[role] >= 400:
        body_json = response.json()
        assert body_json["code"] and body_json["message"]
        assert custody_snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_document_register_upload_for_role(api, world, role):
    expected = outcomes(201, REGISTRARS)[role]
    before = custody_snapshot()
    response = api.upload(
        role,
        "/api/custody/documents",
        {
            "community": a(world),
            "category": "outgoing",
            "title": "致业委会函",
            "location": "档案柜3",
            "scan": pdf_file("函.pdf"),
        },
    )
    assert response.status_code == expected, response.content[:300]
    if expected == 201:
        assert response.json()["number"].startswith("A-2026-")
        assert response.json()["has_scan"] is True
    else:
        assert custody_snapshot() == before
