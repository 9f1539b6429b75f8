"""GET /api/owners."""

import pytest

from propdesk.api.tests.helpers import ROLES, snapshot, view_outcomes


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_owners_of_its_communities(api, registry, role):
    before = snapshot()
    response = api.get(role, "/api/owners")
    expected = {**view_outcomes(), "other_agent": 200}[role]
    assert response.status_code == expected, response.content
    if expected == 200:
        names = sorted(o["name"] for o in response.json()["items"])
        assert names == sorted(
            {"admin": ["张三", "李四", "王五"], "other_agent": ["王五"]}.get(role, ["张三", "李四"])
        )
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_filtering_by_another_community_is_refused(api, registry, role):
    response = api.get(role, "/api/owners", {"community": registry.community_a.id})
    assert response.status_code == view_outcomes()[role]


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("张", ["张三"]),
        ("zs", ["张三"]),
        ("zhangsan", ["张三"]),
        ("5678", ["张三"]),
        ("13700001111", ["李四"]),
        ("王", []),
        ("' OR 1=1 --", []),
        ("<script>", []),
    ],
)
def test_it_searches_by_name_pinyin_initials_and_mobile(api, registry, q, names):
    response = api.get("agent", "/api/owners", {"q": q})
    assert response.status_code == 200
    assert [o["name"] for o in response.json()["items"]] == names


def test_mobiles_and_id_numbers_are_masked(api, registry):
    response = api.get("admin", "/api/owners", {"q": "zs"})
    item = response.json()["items"][0]
    assert item["mobile_masked"] == "138****5678"
    assert item["id_number_masked"] == "1101**********002X"
    assert item["house_count"] == 1
    assert "13812345678" not in response.content.decode()
    assert "11010519491231002X" not in response.content.decode()


def test_it_pages(api, registry):
    body = api.get("admin", "/api/owners", {"limit": 1, "offset": 2}).json()
    assert body["count"] == 3
    assert len(body["items"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "a" * 41}, "q"),
        ({"limit": -1}, "limit"),
        ({"community": "x"}, "community"),
    ],
)
def test_it_refuses_bad_filters_naming_the_parameter(api, registry, params, field):
    response = api.get("agent", "/api/owners", params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_a_nul_in_a_filter_is_refused_with_400_naming_it(api, registry):
    response = api.get("agent", "/api/owners", {"q": "张\x00"})
    assert response.status_code == 400
    assert response.json()["field"] == "q" and response.json()["code"] == "bad_characters"
