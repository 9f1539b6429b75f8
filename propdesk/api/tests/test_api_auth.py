"""Authentication of the API: bearer tokens, the console session with CSRF, anonymous callers."""

import hashlib
import json

import pytest
from django.test import Client

from propdesk.accounts import services as token_services
from propdesk.accounts.models import ApiToken
from propdesk.api.tests.helpers import snapshot
from propdesk.core.models import AuditEvent
from propdesk.estates.models import House


@pytest.fixture
def token_for(personas, admin):
    def make(role: str) -> str:
        _token, key = token_services.api_token_create(
            actor=admin, user=personas[role], name=f"{role} integration"
        )
        return key

    return make


def _house_body(registry, number="1601"):
    return json.dumps(
        {
            "building": registry.building.id,
            "unit": "2",
            "number": number,
            "floor": 16,
            "area_m2": "90",
        }
    )


def test_a_valid_token_acts_as_its_user(registry, token_for):
    key = token_for("agent")
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = client.get("/api/houses", **auth)
    assert listed.status_code == 200
    assert [h["code"] for h in listed.json()["items"]] == ["3-2-1502"]
    created = client.post(
        "/api/houses", _house_body(registry), content_type="application/json", **auth
    )
    assert created.status_code == 201, created.content
    event = AuditEvent.objects.get(house_id=created.json()["id"], action="create")
    assert event.actor.username == "agent"


def test_a_token_has_no_more_rights_than_its_user(registry, token_for):
    key = token_for("technician")
    before = snapshot()
    response = Client().post(
        "/api/houses",
        _house_body(registry),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 403
    after = snapshot()
    after.pop("accounts.ApiToken"), before.pop("accounts.ApiToken")  # only last_used_at moved
    assert after == before


def test_a_token_of_another_community_sees_nothing_of_community_a(registry, token_for):
    key = token_for("other_agent")
    response = Client().get(f"/api/houses/{registry.house.id}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404


def test_the_last_use_is_recorded(registry, token_for):
    key = token_for("agent")
    Client().get("/api/communities", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused(registry, token_for, admin):
    key = token_for("agent")
    token_services.api_token_revoke(actor=admin, token=ApiToken.objects.get())
    response = Client().get("/api/houses", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_token_of_a_deactivated_user_is_refused(registry, token_for, personas):
    key = token_for("agent")
    personas["agent"].is_active = False
    personas["agent"].save(update_fields=["is_active"])
    assert Client().get("/api/houses", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pdk_" + "A" * 43,
        "Bearer",
        "Bearer ",
        "Bearer abc",
        "Bearer pdk_short",
        "Bearer pdk_" + "a" * 500,
        "Bearer pdk_" + "张" * 43,
        "Bearer pdk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' OR '1'='1",
        "Bearer pdk_aaaaaaaaaaaaaaaaaaaaaa\x00aaaaaaaaaaaa",
        "Basic YWdlbnQ6cHctYWdlbnQ=",
        "Token pdk_" + "A" * 43,
        "pdk_" + "A" * 43,
    ],
)
def test_unknown_and_malformed_tokens_are_refused_with_401(registry, token_for, header):
    token_for("agent")
    before = snapshot()
    response = Client().post(
        "/api/houses",
        _house_body(registry),
        content_type="application/json",
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert snapshot() == before


def test_a_bad_token_is_refused_even_alongside_a_valid_session(registry, personas):
    client = Client()
    client.force_login(personas["agent"])
    response = client.get("/api/houses", HTTP_AUTHORIZATION="Bearer pdk_" + "B" * 43)
    assert response.status_code == 401


def test_the_key_is_stored_only_as_its_hash(registry, token_for):
    key = token_for("agent")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.key_prefix == key[:12]
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert key not in stored
    assert key[12:] not in stored


# --- session -----------------------------------------------------------------------------


def test_a_session_post_without_the_csrf_token_is_refused(registry, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["agent"])
    before = snapshot()
    response = client.post("/api/houses", _house_body(registry), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert snapshot() == before


@pytest.mark.parametrize("method", ["patch", "post"])
def test_every_unsafe_method_needs_the_csrf_token(registry, personas, method):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["agent"])
    url = (
        f"/api/houses/{registry.house.id}"
        if method == "patch"
        else f"/api/houses/{registry.house.id}/status"
    )
    body = json.dumps({"floor": 3} if method == "patch" else {"status": "vacant"})
    before = snapshot()
    response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code == 403
    assert snapshot() == before


def test_a_session_post_with_the_csrf_token_is_accepted(registry, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["agent"])
    client.get("/search/")  # the console page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/houses",
        _house_body(registry),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201, response.content
    assert House.objects.filter(code="3-2-1601").exists()


def test_a_wrong_csrf_token_is_refused(registry, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["agent"])
    client.get("/search/")
    response = client.post(
        "/api/houses",
        _house_body(registry),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert response.status_code == 403


def test_a_session_get_needs_no_csrf_token(registry, personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["agent"])
    assert client.get("/api/houses").status_code == 200


def test_anonymous_callers_get_401_not_a_csrf_complaint(registry):
    response = Client(enforce_csrf_checks=True).post(
        "/api/houses", _house_body(registry), content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": response.json()["message"],
        "field": None,
    }


def test_a_token_needs_no_csrf_token(registry, token_for):
    key = token_for("agent")
    response = Client(enforce_csrf_checks=True).post(
        "/api/houses",
        _house_body(registry),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201


def test_an_oversized_body_is_a_400_not_a_500(registry, personas, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client()
    client.force_login(personas["agent"])
    body = json.dumps(
        {
            "building": registry.building.id,
            "unit": "2",
            "number": "1",
            "floor": 1,
            "area_m2": "9",
            "x": "y" * 5000,
        }
    )
    before = snapshot()
    response = client.post("/api/houses", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert snapshot() == before
