"""GET /api/search: the front-desk search over the API."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_only_its_communities(api, registry, role):
    before = snapshot()
    response = api.get(role, "/api/search", {"q": "3-2-1502"})
    expected = {"owner": 403, "anonymous": 401}.get(role, 200)
    assert response.status_code == expected, response.content
    if expected == 200:
        codes = [h["house_code"] for h in response.json()]
        assert codes == ([] if role == "other_agent" else ["3-2-1502"])
    assert snapshot() == before


@pytest.mark.parametrize("q", ["zs", "张三", "5678", "粤B12345", "3-2-1502"])
def test_it_finds_zhang_san_every_way_with_the_mobile_masked(api, registry, q):
    response = api.get("agent", "/api/search", {"q": q})
    hits = response.json()
    assert hits, q
    assert "13812345678" not in response.content.decode()


@pytest.mark.parametrize("q", ["' OR 1=1 --", "<script>", "%", "_", "张" * 100])
def test_odd_queries_find_nothing_and_never_fail(api, registry, q):
    response = api.get("agent", "/api/search", {"q": q})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(("q", "status"), [("zs\x00", 400), ("a" * 101, 422)])
def test_it_refuses_control_characters_and_overlong_queries(api, registry, q, status):
    response = api.get("agent", "/api/search", {"q": q})
    assert response.status_code == status
    assert response.json()["field"] == "q"


def test_plates_found_by_prefix_are_masked(api, registry):
    response = api.get("guard", "/api/search", {"q": "粤B"})
    assert [(h["match"], h["label"]) for h in response.json()] == [("vehicle", "粤B***45")]
    assert "粤B12345" not in response.content.decode()
