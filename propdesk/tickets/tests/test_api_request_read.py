"""Reading requests over the API: queues, one request, taxonomy, caller lookup, duplicates and
photos — by role, for another community, anonymously, and with bad parameters."""

import pytest

from propdesk.tickets import services
from propdesk.tickets.tests.api_helpers import (
    ROLES,
    STAFF,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)
from propdesk.tickets.tests.conftest import new_request, photo, snapshot


@pytest.fixture
def api(desk):
    return Api(desk)


@pytest.fixture
def filed(desk, make_request):
    request = make_request(photos=[photo()])
    other = new_request(desk.other_agent, desk.house_b, description="车库顶漏水")
    return request, other


@pytest.mark.parametrize("role", ROLES)
def test_who_may_list_requests(api, desk, filed, role):
    expected = outcomes(200, STAFF | {"other_agent"})
    response = api.get(role, "/api/requests/")
    assert_status(response, expected[role])
    if response.status_code == 200:
        numbers = [item["number"] for item in response.json()["items"]]
        mine, theirs = filed
        assert numbers == {
            "other_agent": [theirs.number],
            "admin": [theirs.number, mine.number],
        }.get(role, [mine.number])


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_one_request(api, desk, filed, role):
    request, _other = filed
    response = api.get(role, f"/api/requests/{request.id}")
    assert_status(response, outcomes(200, STAFF)[role])
    if response.status_code == 200:
        data = response.json()
        assert data["number"] == request.number
        assert [e["action"] for e in data["timeline"]] == ["created"]
        assert len(data["photos"]) == 1
        assert data["owner_status"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_taxonomy(api, desk, role):
    response = api.get(role, "/api/requests/taxonomy")
    assert_status(response, outcomes(200, STAFF | {"other_agent"})[role])
    if response.status_code == 200:
        data = response.json()
        assert [k["code"] for k in data["kinds"]] == [
            "complaint",
            "repair",
            "inquiry",
            "suggestion",
            "help",
            "praise",
        ]
        assert len(data["categories"]) == 13


def test_the_queues_page_with_a_cursor(api, desk, make_request):
    for n in range(5):
        make_request(description=f"第{n}次漏水报修")
    first = api.get("agent", "/api/requests/", {"queue": "unassigned", "limit": 2}).json()
    assert (len(first["items"]), first["count"], first["count_capped"]) == (2, 5, False)
    second = api.get(
        "agent",
        "/api/requests/",
        {"queue": "unassigned", "limit": 2, "cursor": first["next_cursor"]},
    ).json()
    third = api.get(
        "agent",
        "/api/requests/",
        {"queue": "unassigned", "limit": 2, "cursor": second["next_cursor"]},
    ).json()
    numbers = [i["number"] for page in (first, second, third) for i in page["items"]]
    assert numbers == [f"A202600000{n}" for n in range(1, 6)]
    assert third["next_cursor"] is None


def test_a_queue_page_lists_each_request_as_its_detail_does(api, desk, make_request):
    """The queue reads plain values and the detail reads objects: the same fields either way,
    for a dispatched request and for a fresh one."""
    waiting = make_request(description="楼道灯不亮", caller_mobile="13900001111")
    dispatched = make_request()
    services.request_dispatch(
        actor=desk.supervisor,
        request=dispatched,
        department=desk.technician.department,
        assignee=desk.technician,
    )
    items = api.get("admin", "/api/requests/", {"queue": "all"}).json()["items"]
    assert [item["number"] for item in items][:2] == [dispatched.number, waiting.number]
    for item in items[:2]:
        detail = api.get("admin", f"/api/requests/{item['id']}").json()
        assert item == {name: detail[name] for name in item}
    assert items[0]["assignee_name"] == desk.technician.display_name
    assert items[0]["department"] == "engineering"
    assert items[1]["caller_mobile_masked"] == "139****1111"


def test_a_full_text_search(api, desk, filed):
    request, _other = filed
    data = api.get("agent", "/api/requests/", {"q": "天花板"}).json()
    assert [i["number"] for i in data["items"]] == [request.number]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"queue": "everything"}, "queue"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "%%%"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"status": "lost"}, "status"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"q": "漏"}, "q"),
        ({"community": 999999}, "community"),
    ],
)
def test_bad_list_parameters_name_the_field(api, desk, filed, params, field):
    before = snapshot()
    response = api.get("agent", "/api/requests/", params)
    assert_bad_input(response, field, before, snapshot)


def test_another_communitys_request_is_not_found(api, desk, filed):
    _mine, theirs = filed
    response = api.get("agent", f"/api/requests/{theirs.id}")
    assert_status(response, 404)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_look_up_a_caller(api, desk, filed, role):
    response = api.get(role, "/api/requests/lookup", {"q": "13812345678"})
    expected = outcomes(200, STAFF | {"other_agent"})
    assert_status(response, expected[role])
    if response.status_code == 200:
        houses = response.json()
        if role in ("other_agent",):
            assert houses == []
        else:
            assert [h["house_code"] for h in houses] == ["3-2-1502"]
            assert [r["number"] for r in houses[0]["open_requests"]] == [filed[0].number]


def test_duplicates_of_a_house_and_category(api, desk, filed):
    request, _other = filed
    data = api.get(
        "agent", "/api/requests/duplicates", {"house": desk.house.id, "category": "repair_water"}
    ).json()
    assert [r["number"] for r in data] == [request.number]
    assert (
        api.get(
            "agent", "/api/requests/duplicates", {"house": desk.house.id, "category": "noise"}
        ).json()
        == []
    )
    assert_status(api.get("agent", "/api/requests/duplicates", {"house": desk.house_b.id}), 404)
    before = snapshot()
    assert_bad_input(
        api.get("agent", "/api/requests/duplicates", {"house": desk.house.id, "category": "nope"}),
        "category",
        before,
        snapshot,
    )


def test_a_photo_is_downloaded_only_by_those_who_see_the_request(api, desk, filed):
    request, _other = filed
    photo_id = request.photos.get().id
    url = f"/api/requests/{request.id}/photos/{photo_id}"
    response = api.get("technician", url)
    assert_status(response, 200)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert_status(api.get("other_agent", url), 404)
    assert_status(api.get("owner_user", url), 403)
    assert_status(api.get("anonymous", url), 401)
    assert_status(api.get("agent", f"/api/requests/{request.id}/photos/999999"), 404)


def test_the_detail_lists_the_actions_allowed_for_the_caller(api, desk, make_request):
    request = make_request()
    services.request_dispatch(actor=desk.agent, request=request, assignee=desk.technician)
    url = f"/api/requests/{request.id}"
    assert [a["action"] for a in api.get("technician", url).json()["actions"]] == ["start"]
    assert [a["action"] for a in api.get("agent", url).json()["actions"]] == [
        "reassign",
        "start",
        "cancel",
    ]
    assert api.get("guard", url).json()["actions"] == []


def test_a_queue_page_is_what_its_schema_says_and_reads_as_the_request_does(api, desk, filed):
    """The page is written from plain values without the schema's validation: it must still be
    a valid RequestPage, each row equal to the request read on its own (the object path)."""
    from django.utils import translation

    from propdesk.tickets.models import ServiceRequest
    from propdesk.tickets.schemas import RequestOut, RequestPage, request_data

    request, _other = filed
    ServiceRequest.objects.filter(pk=request.pk).update(assignee=desk.technician)
    for path in ("/api/requests/", "/api/requests/?queue=mine", "/api/requests/?q=漏水"):
        response = api.get("admin", path)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json; charset=utf-8"
        page = RequestPage.model_validate(response.json())
        assert page.count == len(page.items) and not page.count_capped
    response = api.get("agent", "/api/requests/")
    [item] = response.json()["items"]
    with translation.override("zh-hans"):
        loaded = ServiceRequest.objects.select_related(
            "community", "house", "kind", "category", "urgency", "department", "assignee"
        ).get(pk=request.pk)
        expected = RequestOut.model_validate(request_data(loaded, None)).model_dump(mode="json")
    item["sla_state"] = expected["sla_state"]  # each read against its own clock
    assert RequestOut.model_validate(item).model_dump(mode="json") == expected
    assert item["assignee_name"] == desk.technician.display_name
    assert "漏" in response.content.decode()  # UTF-8, not \\u escapes
