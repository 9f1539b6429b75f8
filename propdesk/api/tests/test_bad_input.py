"""NUL characters at the API: refused with 400 naming the field, never a database error.

PostgreSQL refuses NUL in text, so before this a NUL in `q` (inspections, keys and every other
search) ended in a 500 there. Every operation with a text query parameter is tried, with a
supervisor (who may search) and an owner.
"""

import json

import pytest

from propdesk.api.urls import api as ninja_api


def _text_query_operations() -> list[tuple[str, str]]:
    """(path, parameter) for every GET operation's string query parameters."""
    schema = ninja_api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        if "{" in path or "get" not in methods:
            continue
        for parameter in methods["get"].get("parameters", []):
            if parameter["in"] != "query":
                continue
            kinds = {parameter["schema"].get("type")} | {
                s.get("type") for s in parameter["schema"].get("anyOf", [])
            }
            if "string" in kinds and not parameter["schema"].get("format"):
                found.append((path, parameter["name"]))
    return found


TEXT_QUERIES = _text_query_operations()


def test_every_search_box_of_the_api_is_covered():
    assert ("/api/custody/keys", "q") in TEXT_QUERIES
    assert ("/api/frontdesk/inspections", "q") in TEXT_QUERIES
    assert len([p for p, name in TEXT_QUERIES if name == "q"]) >= 8


@pytest.mark.parametrize(("path", "name"), TEXT_QUERIES)
@pytest.mark.parametrize("role", ["supervisor", "owner"])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(api, registry, path, name, role):
    response = api.get(role, path, {name: "3-2\x00"})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == name
    assert response.json()["code"] == "bad_characters"


def test_a_nul_in_a_json_body_is_a_400_naming_the_field(api, registry):
    before = registry.owner.name
    response = api.patch("agent", f"/api/owners/{registry.owner.id}", {"name": "张\x00三"})
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == "name"
    registry.owner.refresh_from_db()
    assert registry.owner.name == before


def test_a_nul_in_a_nested_json_value_names_its_place(api, registry):
    response = api.client("agent").post(
        "/api/requests/",
        json.dumps({"house": registry.house.id, "contacts": [{"name": "a\x00"}]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "contacts.0.name"


def test_a_nul_in_a_path_is_refused(api, registry):
    response = api.get("agent", "/api/houses/1%00")
    assert response.status_code == 400
