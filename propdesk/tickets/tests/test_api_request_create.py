"""POST /api/requests/: recording a request over the API, by role, and bad input."""

import pytest

from propdesk.tickets.models import ServiceRequest
from propdesk.tickets.tests.api_helpers import (
    ROLES,
    STAFF,
    Api,
    assert_bad_input,
    assert_status,
    outcomes,
)
from propdesk.tickets.tests.conftest import snapshot

URL = "/api/requests/"


@pytest.fixture
def api(desk):
    return Api(desk)


def body(desk, **values):
    fields = {
        "house": desk.house.id,
        "kind": "repair",
        "category": "repair_water",
        "urgency": "normal",
        "description": "厨房水槽下水管漏水",
        "caller_name": "张三",
        "caller_mobile": "13812345678",
    }
    fields.update(values)
    return {k: v for k, v in fields.items() if v is not None}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_a_request(api, desk, role):
    expected = outcomes(201, STAFF)
    before = snapshot()
    response = api.post(role, URL, body(desk))
    assert_status(response, expected[role])
    if expected[role] == 201:
        assert response.json()["number"] == "A2026000001"
        assert ServiceRequest.objects.get().created_by == getattr(desk, role)
    else:
        assert snapshot() == before


def test_it_returns_the_request_with_deadlines_and_masked_contact(api, desk):
    response = api.post("agent", URL, body(desk))
    assert_status(response, 201)
    data = response.json()
    assert {k: data[k] for k in ("number", "status", "channel", "department", "house_code")} == {
        "number": "A2026000001",
        "status": "new",
        "channel": "api",
        "department": "engineering",
        "house_code": "3-2-1502",
    }
    assert (data["due_at"], data["promised_at"]) == ("2026-03-16T03:30:00Z", "2026-03-19T01:30:00Z")
    assert data["caller_mobile_masked"] == "138****5678"
    assert "13812345678" not in response.content.decode()
    assert data["possible_duplicates"] == []


def test_it_names_a_likely_duplicate(api, desk):
    first = api.post("agent", URL, body(desk)).json()
    second = api.post("agent", URL, body(desk, description="还是漏水")).json()
    assert second["possible_duplicates"] == [first["number"]]


def test_a_common_area_request_names_a_building(api, desk):
    response = api.post(
        "guard",
        URL,
        body(
            desk, house=None, building=desk.house.building_id, location="地库入口", channel="patrol"
        ),
    )
    assert_status(response, 201)
    assert (response.json()["house"], response.json()["building"]) == (
        None,
        desk.house.building_id,
    )


BAD = [
    ({"house": None}, "house"),
    ({"category": "nonsense"}, "category"),
    ({"category": "Repair Water!"}, "category"),
    ({"kind": "gossip"}, "kind"),
    ({"urgency": "someday"}, "urgency"),
    ({"description": None}, "description"),
    ({"description": ""}, "description"),
    ({"description": "x" * 2001}, "description"),
    ({"description": "bad\x00byte"}, "description"),
    ({"caller_mobile": "12345"}, "caller_mobile"),
    ({"caller_mobile": "call me"}, "caller_mobile"),
    ({"channel": "fax"}, "channel"),
    ({"house": "abc"}, "house"),
    ({"house": 0}, "house"),
    ({"house": 999999}, "house"),
    ({"building": 999999, "house": None}, "building"),
    ({"caller_owner": 999999}, "caller_owner"),
    ({"preferred_visit_at": "2026-03-20T10:00:00"}, "preferred_visit_at"),
    ({"preferred_visit_at": "2026-03-01T10:00:00+08:00"}, "preferred_visit_at"),
    ({"preferred_visit_at": "soon"}, "preferred_visit_at"),
]


@pytest.mark.parametrize(("values", "field"), BAD)
def test_bad_input_is_refused_naming_the_field(api, desk, values, field):
    before = snapshot()
    response = api.post("agent", URL, body(desk, **values))
    assert_bad_input(response, field, before, snapshot)


def test_another_communitys_house_is_not_found(api, desk):
    before = snapshot()
    response = api.post("agent", URL, body(desk, house=desk.house_b.id))
    assert_status(response, 404)
    assert response.json()["field"] == "house"
    assert snapshot() == before


def test_a_body_that_is_not_json_is_refused(api, desk):
    before = snapshot()
    response = api.client("agent").post(URL, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert snapshot() == before


# The statements of one create over the API with a bearer token (bench/README-requests.md): the
# house, the repeats, the number, five inserts (the request, its clocks, departments, search words
# and `created` event) and the transaction's two (a savepoint and its release here, BEGIN and
# COMMIT in production). The token and the user's communities are remembered by the process
# (accounts.token_cache), the owners are told by the worker. Pinned so that it does not creep
# back (23 before issue 20).
CREATE_STATEMENTS = 10


def test_a_create_runs_a_fixed_number_of_statements(desk, django_assert_num_queries):
    from django.test import Client

    from propdesk.accounts.models import ApiToken, hash_token

    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=desk.agent,
        name="intake",
        key_prefix=key[:12],
        key_hash=hash_token(key),
        created_by=desk.admin,
    )
    client = Client(headers={"Authorization": f"Bearer {key}"})
    post = lambda: client.post(URL, body(desk), content_type="application/json")  # noqa: E731
    assert_status(post(), 201)  # the token's first use records it; the configuration is cached

    with django_assert_num_queries(CREATE_STATEMENTS):
        assert_status(post(), 201)


def test_the_transaction_holds_the_writes_alone(desk):
    # The house is read before the transaction; inside it only the repeats, the number and the
    # five inserts (on SQLite its BEGIN takes the database's one write lock: issue 20).
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from propdesk.accounts.models import ApiToken, hash_token

    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=desk.agent,
        name="intake",
        key_prefix=key[:12],
        key_hash=hash_token(key),
        created_by=desk.admin,
    )
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert_status(client.post(URL, body(desk), content_type="application/json"), 201)
    with CaptureQueriesContext(connection) as captured:
        assert_status(client.post(URL, body(desk), content_type="application/json"), 201)
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    assert statements == [
        "SELECT",  # the house and its community
        "SAVEPOINT",
        "SELECT",  # the repeats and open duplicates
        "UPDATE",  # the number
        *["INSERT"] * 5,  # the request, its clocks, departments, search words, `created` event
        "RELEASE",
    ]


def test_the_rows_a_create_inserts_have_no_save_hooks_to_skip():
    # A create's rows are inserted by statements built once (core.rows.insert_rows), not
    # through save(): that holds only while none of these models reacts to saving.
    from django.db.models import Model
    from django.db.models.signals import post_save, pre_save

    from propdesk.tickets.models import RequestDepartment, RequestEvent, RequestToken, SlaClock

    for model in (ServiceRequest, SlaClock, RequestDepartment, RequestToken, RequestEvent):
        assert model.save is Model.save, model
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model), model


def test_a_house_id_beyond_any_row_is_refused_naming_the_field(api, desk):
    before = snapshot()
    response = api.post("agent", URL, body(desk, house=2**63))
    assert_bad_input(response, "house", before, snapshot)


def test_a_company_wide_administrator_records_in_any_community(api, desk):
    response = api.post("admin", URL, body(desk, house=desk.house_b.id))
    assert_status(response, 201)
    assert response.json()["house"] == desk.house_b.id


def test_the_answer_is_the_requests_own_detail(api, desk):
    # The answer is built without validating the values again (RequestCreatedOut.model_construct):
    # it must say what reading the request back says.
    from propdesk.tickets.schemas import RequestOut

    created = api.post("agent", URL, body(desk)).json()
    detail = api.get("agent", f"{URL}{created['id']}").json()
    assert {k: created[k] for k in RequestOut.model_fields} == {
        k: detail[k] for k in RequestOut.model_fields
    }
    assert created["possible_duplicates"] == []
