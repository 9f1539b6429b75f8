"""The OpenAPI document at /api/docs and /api/openapi.json."""

import pytest
from django.test import Client

PATHS = [
    "/api/communities",
    "/api/communities/{community_id}",
    "/api/buildings",
    "/api/houses",
    "/api/houses/{house_id}",
    "/api/houses/{house_id}/status",
    "/api/houses/{house_id}/transfer",
    "/api/houses/{house_id}/owners",
    "/api/houses/{house_id}/residents",
    "/api/houses/{house_id}/agents",
    "/api/houses/{house_id}/vehicles",
    "/api/houses/{house_id}/documents",
    "/api/owners",
    "/api/owners/{owner_id}",
    "/api/owners/{owner_id}/documents",
    "/api/residents/{resident_id}/move-out",
    "/api/agents/{agent_id}/revoke",
    "/api/vehicles/{vehicle_id}/remove",
    "/api/parking-spaces",
    "/api/parking-spaces/{space_id}/assign",
    "/api/documents",
    "/api/documents/{document_id}/file",
    "/api/reveal",
    "/api/access-log",
    "/api/search",
    "/api/tokens",
    "/api/tokens/{token_id}/revoke",
]


@pytest.fixture(scope="module")
def schema():
    return Client().get("/api/openapi.json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


@pytest.mark.django_db
def test_the_docs_page_is_served():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_document_lists_every_registry_and_token_path(schema):
    assert set(PATHS) <= set(schema["paths"])


# Anonymous by design: an owner signs in, a payment provider calls back (with its signature).
PUBLIC = {
    ("post", "/api/portal/auth/code"),
    ("post", "/api/portal/auth/verify"),
    ("post", "/api/portal/auth/password"),
    ("post", "/api/portal/payments/callback/{provider}"),
    ("post", "/api/calls/events"),
}


def test_every_operation_declares_its_error_responses(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        if (method, path) in PUBLIC:
            assert "400" in codes or "422" in codes, (method, path, codes)
            continue
        assert {"401", "403", "404", "422"} <= codes, (method, path, codes)
        if method in {"post", "patch"}:
            assert {"400", "409"} <= codes, (method, path, codes)


def test_every_operation_has_a_summary_and_needs_authentication(schema):
    for path, method, operation in _operations(schema):
        assert operation.get("summary"), (method, path)
        assert bool(operation.get("security")) is ((method, path) not in PUBLIC), (method, path)


def test_personal_data_appears_only_masked_in_response_schemas(schema):
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Out") or name == "RevealOut":
            continue
        properties = set(component.get("properties", {}))
        assert not properties & {"mobile", "id_number", "plate"}, name


def test_error_bodies_are_documented(schema):
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "field"}


def test_the_download_is_documented_as_a_file(schema):
    responses = schema["paths"]["/api/documents/{document_id}/file"]["get"]["responses"]
    assert {"application/pdf", "image/jpeg", "image/png"} <= set(responses["200"]["content"])
