"""Detail answers carry their record's history as people read it: labels and names, not codes
and ids (`history`, from core.audit.describe_events), for houses, owners and front-desk work."""

import re

import pytest
from django.utils import translation

from propdesk.frontdesk.tests.conftest import (  # noqa: F401 - fixtures
    clock,
    li_si,
    new_house,
    schedule_a,
    wang_wu,
)

pytestmark = pytest.mark.django_db

RAW_ID = re.compile(r"(→|:)\s*\d+\s*$")


def _readable(entries):
    assert entries, "no history"
    for entry in entries:
        assert entry["display"] and entry["action_label"], entry
        assert not RAW_ID.search(entry["display"]), entry["display"]
        assert re.search(r"[\u4e00-\u9fff]", entry["action_label"]), entry


def test_a_house_and_its_owner_come_with_their_history(api, registry, personas):
    with translation.override("zh-hans"):
        house = api.get("agent", f"/api/houses/{registry.house.id}").json()
        owner = api.get("agent", f"/api/owners/{registry.owner.id}").json()
    _readable(house["history"])
    _readable(owner["history"])
    assert {e["actor"] for e in house["history"]} <= {personas["admin"].display_name, None}
    # Newest first.
    stamps = [e["at"] for e in house["history"]]
    assert stamps == sorted(stamps, reverse=True)


def test_another_communitys_house_history_is_not_found(api, registry):
    assert api.get("other_agent", f"/api/houses/{registry.house.id}").status_code == 404


def test_a_move_in_comes_with_its_history(api, new_house, li_si, wang_wu):  # noqa: F811
    response = api.post(
        "agent",
        "/api/frontdesk/move-ins",
        {"house": new_house.id, "owner": li_si.id, "applicant_kind": "agent", "agent": wang_wu.id},
    )
    assert response.status_code == 201, response.content
    started = response.json()
    item = started["documents"][0]
    ticked = api.post(
        "agent",
        f"/api/frontdesk/move-ins/{started['id']}/items",
        {"group": item["group"], "code": item["code"]},
    )
    assert ticked.status_code == 200, ticked.content
    with translation.override("zh-hans"):
        body = api.get("agent", f"/api/frontdesk/move-ins/{started['id']}").json()
    _readable(body["history"])
    assert len(body["history"]) >= 1
