"""Fixtures for the accounts tests: callers per persona and a token made by the administrator."""

import pytest

from propdesk.accounts import services
from propdesk.api.tests.helpers import ApiCaller


@pytest.fixture
def api(personas):
    return ApiCaller(personas)


@pytest.fixture
def token(personas, admin):
    """An active token of the agent; `token.raw_key` is the key its creator was shown."""
    created, key = services.api_token_create(actor=admin, user=personas["agent"], name="门禁系统")
    created.raw_key = key
    return created
