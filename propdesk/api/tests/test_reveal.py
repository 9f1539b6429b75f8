"""POST /api/reveal: the one way to read masked personal data, always written to the access log."""

import pytest

from propdesk.api.tests.helpers import ROLES, assert_bad_input, assert_refused, snapshot
from propdesk.core.models import AccessLog

# Which roles may reveal which field (core.permissions), for a record of community A.
REVEAL = {
    "mobile": {"agent", "supervisor", "technician", "cashier", "admin"},
    "id_number": {"agent", "supervisor", "admin"},
    "plate": {"agent", "supervisor", "guard", "admin"},
}
CASES = [
    ("owner", "owner", "mobile", "13812345678"),
    ("owner", "owner", "id_number", "11010519491231002X"),
    ("resident", "resident", "mobile", "13911112222"),
    ("resident", "resident", "id_number", "110105198001010016"),
    ("agent", "agent", "mobile", "13600003333"),
    ("agent", "agent", "id_number", "110105198001010016"),
    ("vehicle", "vehicle", "plate", "粤B12345"),
]


def _expected(role: str, field: str) -> int:
    if role == "anonymous":
        return 401
    if role == "owner":
        return 403
    if role == "other_agent":
        return 404
    return 200 if role in REVEAL[field] else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("subject", "attr", "field", "value"), CASES)
def test_each_role_may_reveal_only_what_its_role_allows(
    api, registry, role, subject, attr, field, value
):
    record = getattr(registry, attr)
    before = snapshot()
    response = api.post(
        role, "/api/reveal", {"subject": subject, "id": record.id, "field": field, "reason": "回电"}
    )
    expected = _expected(role, field)
    if expected != 200:
        assert_refused(response, expected, before)
        return
    assert response.status_code == 200, response.content
    assert response.json() == {"subject": subject, "id": record.id, "field": field, "value": value}
    assert response["Cache-Control"] == "no-store"
    entry = AccessLog.objects.get()
    assert (entry.actor.username, entry.subject_id, entry.field, entry.reason) == (
        role,
        record.id,
        field,
        "回电",
    )
    assert entry.community_id == registry.community_a.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "owner", "id": "OWNER", "field": "plate"}, "field"),
        ({"subject": "vehicle", "id": "VEHICLE", "field": "mobile"}, "field"),
        ({"subject": "owner", "id": "OWNER", "field": "password"}, "field"),
        ({"subject": "user", "id": 1, "field": "mobile"}, "subject"),
        ({"subject": "owner", "id": "x", "field": "mobile"}, "id"),
        ({"subject": "owner", "id": 424242, "field": "mobile"}, "id"),
        ({"subject": "owner", "id": 10**30, "field": "mobile"}, "id"),
        ({"subject": "owner", "field": "mobile"}, "id"),
        ({"subject": "owner", "id": "OWNER", "field": "mobile", "reason": "r" * 201}, "reason"),
        ({"subject": "owner", "id": "OWNER", "field": "mobile", "reason": "\x00"}, "reason"),
    ],
)
def test_it_refuses_bad_input_without_writing_the_log(api, registry, body, field):
    ids = {"OWNER": registry.owner.id, "VEHICLE": registry.vehicle.id}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = snapshot()
    assert_bad_input(api.post("agent", "/api/reveal", body), field, before)


def test_a_record_of_another_community_is_not_found(api, registry):
    before = snapshot()
    response = api.post(
        "agent", "/api/reveal", {"subject": "owner", "id": registry.owner_b.id, "field": "mobile"}
    )
    assert_refused(response, 404, before)


def test_every_reveal_is_logged_again(api, registry):
    body = {"subject": "owner", "id": registry.owner.id, "field": "mobile"}
    api.post("agent", "/api/reveal", body)
    api.post("agent", "/api/reveal", body)
    assert AccessLog.objects.count() == 2
