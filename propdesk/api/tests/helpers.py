"""Helpers the API tests share: personas as callers, expected outcomes per role, snapshots."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

ROLES = [
    "agent",
    "supervisor",
    "technician",
    "cashier",
    "guard",
    "admin",
    "owner",
    "other_agent",
    "anonymous",
]
SECOND_ID = "110105198001010016"  # a valid resident ID other than conftest.VALID_ID
CREDIT_CODE = "91110000600037341L"
PDF = b"%PDF-1.4\n%test document\n"


def view_outcomes(ok: int = 200) -> dict:
    """Who may read the registry of community A."""
    return {
        "agent": ok,
        "supervisor": ok,
        "technician": ok,
        "cashier": ok,
        "guard": ok,
        "admin": ok,
        "owner": 403,
        "other_agent": 404,
        "anonymous": 401,
    }


def edit_outcomes(ok: int = 200) -> dict:
    """Who may change the registry of community A (and upload to or read its archive)."""
    return {
        "agent": ok,
        "supervisor": ok,
        "technician": 403,
        "cashier": 403,
        "guard": 403,
        "admin": ok,
        "owner": 403,
        "other_agent": 404,
        "anonymous": 401,
    }


def snapshot() -> dict:
    """Every row that an API write could touch, in a comparable form."""
    from django.apps import apps

    from propdesk.accounts.models import ApiToken
    from propdesk.core.models import AccessLog, AuditEvent, NumberSequence

    models = [
        *apps.get_app_config("estates").get_models(),
        AuditEvent,
        AccessLog,
        NumberSequence,
        ApiToken,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


class ApiCaller:
    """Sends API requests as one of the personas, or anonymously."""

    def __init__(self, personas):
        self.personas = personas

    def client(self, role: str, **kwargs) -> Client:
        client = Client(**kwargs)
        if role != "anonymous":
            client.force_login(self.personas[role])
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

    def raw(self, role: str, method: str, path: str, data: bytes | str, content_type: str):
        return getattr(self.client(role), method)(path, data, content_type=content_type)

    def upload(self, role: str, path: str, data: dict):
        return self.client(role).post(path, data)


def pdf_file(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assert_refused(response, status: int, before: dict) -> None:
    """The request got `status` with an error body, and the database is exactly as before."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] and body["message"]
    assert snapshot() == before


def assert_bad_input(response, field: str, before: dict) -> None:
    """A 4xx whose message names `field`, never a 500, and nothing written."""
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert body["message"], body
    fields = {body["field"], *(e["field"] for e in body.get("errors", []))}
    assert field in fields, body
    assert snapshot() == before
