"""POST /api/owners."""

import pytest

from propdesk.api.tests.helpers import (
    CREDIT_CODE,
    ROLES,
    SECOND_ID,
    assert_bad_input,
    assert_refused,
    edit_outcomes,
    snapshot,
)
from propdesk.core.models import AuditEvent
from propdesk.estates.models import Owner


def _body(registry, **changes):
    return {
        "community": registry.community_a.id,
        "kind": "person",
        "name": "王小明",
        "mobile": "+86 139-0000-1234",
        "id_type": "resident_id",
        "id_number": SECOND_ID,
        "note": "新业主",
        **changes,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_front_desk_roles_of_the_community_can_register_an_owner(api, registry, role):
    before = snapshot()
    response = api.post(role, "/api/owners", _body(registry))
    expected = edit_outcomes(201)[role]
    if expected != 201:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mobile_masked"] == "139****1234"
    assert body["id_number_masked"] == "1101**********0016"
    owner = Owner.objects.get(pk=body["id"])
    assert (owner.mobile, owner.id_number, owner.name_initials) == ("13900001234", SECOND_ID, "wxm")
    assert AuditEvent.objects.filter(owner_id=owner.id, action="create").exists()


def test_the_response_never_carries_the_unmasked_values(api, registry):
    text = api.post("agent", "/api/owners", _body(registry)).content.decode()
    assert "13900001234" not in text
    assert SECOND_ID not in text


def test_a_company_registers_with_its_credit_code(api, registry):
    response = api.post(
        "agent",
        "/api/owners",
        _body(
            registry,
            kind="company",
            name="某某科技有限公司",
            id_type="credit_code",
            id_number=CREDIT_CODE,
        ),
    )
    assert response.status_code == 201, response.content


def test_it_refuses_a_duplicate_id_number_with_409(api, registry):
    before = snapshot()
    response = api.post("agent", "/api/owners", _body(registry, id_number="11010519491231002X"))
    assert response.status_code == 409
    assert_bad_input(response, "id_number", before)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"community": "甲"}, "community"),
        ({"community": 10**30}, "community"),
        ({"community": "OTHER"}, "community"),
        ({"kind": "alien"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"name": "<script>alert(1)</script>"}, "name"),
        ({"name": "张\x00三"}, "name"),
        ({"name": "张\n三"}, "name"),
        ({"name": ["张三"]}, "name"),
        ({"mobile": "12345"}, "mobile"),
        ({"mobile": "23812345678"}, "mobile"),
        ({"mobile": "13８12345678"}, "mobile"),
        ({"mobile": "1381234567x"}, "mobile"),
        ({"mobile": "1" * 21}, "mobile"),
        ({"mobile": 13812345678}, "mobile"),
        ({"mobile": "138' OR '1'='1"}, "mobile"),
        ({"id_type": "driving_licence"}, "id_type"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "1" * 31}, "id_number"),
        ({"id_number": "<img>"}, "id_number"),
        ({"id_number": "11010519491231００2X"}, "id_number"),
        ({"kind": "company", "id_type": "resident_id"}, "id_type"),
        ({"id_type": "credit_code"}, "id_type"),
        ({"note": "n" * 301}, "note"),
        ({"note": "\x00"}, "note"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api, registry, changes, field):
    if changes.get("community") == "OTHER":
        changes["community"] = registry.community_b.id
    before = snapshot()
    response = api.post("agent", "/api/owners", _body(registry, **changes))
    assert_bad_input(response, field, before)


@pytest.mark.parametrize("missing", ["community", "name"])
def test_it_requires_the_community_and_the_name(api, registry, missing):
    before = snapshot()
    body = _body(registry)
    del body[missing]
    assert_bad_input(api.post("agent", "/api/owners", body), missing, before)


def test_sql_looking_notes_are_stored_verbatim(api, registry):
    note = "Robert'); DROP TABLE estates_owner;--"
    response = api.post("agent", "/api/owners", _body(registry, note=note))
    assert response.status_code == 201
    assert Owner.objects.get(pk=response.json()["id"]).note == note
    assert Owner.objects.count() == 4
