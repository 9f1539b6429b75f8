"""The assistant's tests reuse the service-request fixtures (the desk, a frozen clock)."""

import pytest

from propdesk.tickets.tests.conftest import (  # noqa: F401 - fixtures
    departments,
    desk,
    frozen,
    make_request,
    new_request,
)


@pytest.fixture
def request_factory_pair(desk):  # noqa: F811 - the desk fixture imported above
    """A request in community A (the desk's) and one in community B."""
    mine = new_request(desk.agent, desk.house)
    foreign = new_request(desk.other_agent, desk.house_b)
    return mine, foreign
