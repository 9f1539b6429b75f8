"""Busy pages read a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from propdesk.custody.services.keys import key_lend, key_register
from propdesk.custody.services.passes import release_pass_apply
from propdesk.custody.tests.conftest import TODAY

PAGES = ["custody_keys", "custody_passes", "custody_documents", "custody_home"]


def _queries(client, name) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name)).status_code == 200
    return len(captured.captured_queries)


def _more(agent, world, n):
    from propdesk.custody.services.register import document_register

    for i in range(n):
        key = key_register(
            actor=agent,
            community=world.community,
            kind="cabinet",
            label=f"柜-{n}-{i}",
            location="A",
        )
        key_lend(actor=agent, key=key, purpose="staff", staff=agent, witness=world.witness)
        release_pass_apply(
            actor=agent, house=world.house, applicant=world.owner, items="x", release_on=TODAY
        )
        document_register(
            actor=agent, community=world.community, category="other", title=f"文件{i}", location="B"
        )


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_do_not_grow_with_rows(world, personas, name):
    from propdesk.custody.tests.conftest import agent_two

    world.witness = agent_two(personas["agent"])
    client = Client()
    client.force_login(personas["agent"])
    _more(personas["agent"], world, 2)
    few = _queries(client, name)
    _more(personas["agent"], world, 8)
    assert _queries(client, name) == few
