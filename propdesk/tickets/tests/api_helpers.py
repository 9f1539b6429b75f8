"""Calling the service-request API as each persona, and what each role may do."""

import json

from django.test import Client

ROLES = [
    "agent",
    "supervisor",
    "technician",
    "cashier",
    "guard",
    "admin",
    "owner_user",
    "other_agent",
    "anonymous",
]


def outcomes(ok: int, allowed: set[str], *, other: int = 404) -> dict[str, int]:
    """Status per role: `ok` for the allowed roles, 403 for the others in community A, `other`
    for staff of community B (the request is not theirs to see), 401 without credentials."""
    result = {role: (ok if role in allowed else 403) for role in ROLES}
    result["other_agent"] = ok if "other_agent" in allowed else other
    result["anonymous"] = 401
    return result


STAFF = {"agent", "supervisor", "technician", "cashier", "guard", "admin"}
DESK = {"agent", "supervisor", "admin"}
WORKERS = DESK | {"technician"}
SUPERVISION = {"supervisor", "admin"}


class Api:
    def __init__(self, desk):
        self.desk = desk

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(getattr(self.desk, role))
        return client

    def get(self, role: str, path: str, params: dict | None = None):
        return self.client(role).get(path, params or {})

    def post(self, role: str, path: str, body=None):
        return self.client(role).post(
            path, json.dumps({} if body is None else body), content_type="application/json"
        )

    def patch(self, role: str, path: str, body=None):
        return self.client(role).patch(
            path, json.dumps({} if body is None else body), content_type="application/json"
        )

    def upload(self, role: str, path: str, data: dict):
        return self.client(role).post(path, data)


def assert_status(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.content[:500])
    if status >= 400:
        body = response.json()
        assert body["code"] and body["message"], body


def assert_bad_input(response, field: str, before: dict, snapshot) -> None:
    """A 4xx naming `field`, never a 500, and nothing written."""
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert body["message"], body
    fields = {body.get("field"), *(e["field"] for e in body.get("errors", []))}
    assert field in fields, body
    assert snapshot() == before
