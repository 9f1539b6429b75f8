"""With the database down the API answers JSON 503 `unavailable` and console pages a plain 503
page (never an HTML 500); once the database answers again, the same requests succeed."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory

from propdesk.accounts.services import api_token_create
from propdesk.core.unavailable import server_error

pytestmark = pytest.mark.django_db


def _database_down(error=OperationalError):
    """Every new cursor fails as when the server is gone or refuses connections."""
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=error("connection to server at 127.0.0.1, port 5432 failed"),
    )


@pytest.fixture
def token(admin):
    _row, key = api_token_create(actor=admin, user=admin, name="monitor")
    return key


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_the_api_answers_json_503_while_the_database_is_down_and_recovers(token, error):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
    with _database_down(error):
        response = client.get("/api/communities")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unavailable"
    assert response.json()["message"]
    assert response["Retry-After"] == "30"
    assert client.get("/api/communities").status_code == 200


def test_an_api_session_request_answers_json_503_too(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    with _database_down():
        response = client.get("/api/communities")
    assert (response.status_code, response.json()["code"]) == (503, "unavailable")


def test_a_console_page_answers_a_plain_503_page_and_recovers(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    with _database_down():
        response = client.get("/requests/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "暂时无法服务" in response.content.decode()
    assert client.get("/requests/").status_code == 200


def test_outside_a_view_the_error_handler_answers_503_not_500():
    """Raised in a middleware (e.g. saving the session), the site's handler500 sees it."""
    factory = RequestFactory()
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        api = server_error(factory.get("/api/communities"))
        page = server_error(factory.get("/requests/"))
    assert (api.status_code, api["Content-Type"]) == (503, "application/json")
    assert page.status_code == 503 and "暂时无法服务" in page.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(factory.get("/requests/")).status_code == 500


def test_the_site_uses_that_handler():
    from propdesk import urls

    assert urls.handler500 == "propdesk.core.unavailable.server_error"
