"""Revealing masked personal data and the access log (estates.services.privacy; DOMAIN.md §1).

Only the roles the policy names may reveal a field; each reveal writes one access-log row (who,
whose, which field, when); a refusal writes nothing.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from propdesk.accounts.models import Role, User
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.masking import mask_id_number, mask_mobile, mask_plate
from propdesk.core.models import AccessLog
from propdesk.estates import services

NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
ZHANG_MOBILE = "13812345678"
ZHANG_ID = "11010519491231002X"
PLATE = "粤B12345"

# field → the roles that may reveal it, as the policy says.
MAY_REVEAL = {
    "mobile": {"agent", "supervisor", "technician", "cashier", "admin"},
    "id_number": {"agent", "supervisor", "admin"},
    "plate": {"agent", "supervisor", "guard", "admin"},
}
ROLE_FIELD = [(role, field) for role in sorted(Role.values) for field in sorted(MAY_REVEAL)]


@pytest.fixture(autouse=True)
def _english_and_frozen_clock():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def vehicle(house_a, zhang_san, admin):
    return services.vehicle_add(actor=admin, house=house_a, plate=PLATE, owner=zhang_san)


@pytest.fixture
def resident(house_a, admin):
    return services.resident_add(
        actor=admin,
        house=house_a,
        relation="tenant",
        name="赵六",
        mobile="13700002222",
        id_number="110101198003070017",
        lease_start=datetime.date(2026, 1, 1),
        lease_end=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def entrusted(house_a, zhang_san, poa_a, admin):
    return services.agent_add(
        actor=admin,
        house=house_a,
        owner=zhang_san,
        name="钱七",
        mobile="13600003333",
        id_number="440106199001011235",
        scope="代办装修手续",
        power_of_attorney=poa_a,
    )


def _log() -> list[tuple]:
    return list(
        AccessLog.objects.order_by("id").values_list(
            "community_id",
            "actor__username",
            "subject_type",
            "subject_id",
            "subject_repr",
            "field",
            "reason",
            "at",
        )
    )


# personal_data_reveal


@pytest.mark.parametrize(("role", "field"), ROLE_FIELD)
def test_each_role_reveals_exactly_the_fields_the_policy_allows(
    personas, zhang_san, vehicle, nothing_changes, role, field
):
    actor = personas[role]
    subject, value = {
        "mobile": (zhang_san, ZHANG_MOBILE),
        "id_number": (zhang_san, ZHANG_ID),
        "plate": (vehicle, PLATE),
    }[field]
    if role in MAY_REVEAL[field]:
        revealed = services.personal_data_reveal(
            actor=actor, subject=subject, field=field, reason="回访"
        )
        assert revealed == value
        assert _log() == [
            (
                subject.community_id,
                role,
                subject._meta.model_name,
                subject.id,
                str(subject),
                field,
                "回访",
                NOW,
            )
        ]
    else:
        with nothing_changes(), pytest.raises(PermissionDenied) as refused:
            services.personal_data_reveal(actor=actor, subject=subject, field=field)
        assert refused.value.code == "reveal_forbidden"
        assert str(refused.value.message) == "Your role may not see this personal data."
        assert _log() == []


def test_every_reveal_is_its_own_log_row(personas, zhang_san):
    services.personal_data_reveal(actor=personas["agent"], subject=zhang_san, field="mobile")
    services.personal_data_reveal(actor=personas["agent"], subject=zhang_san, field="mobile")
    services.personal_data_reveal(actor=personas["cashier"], subject=zhang_san, field="mobile")
    assert [(who, field) for _c, who, _t, _i, _r, field, _re, _at in _log()] == [
        ("agent", "mobile"),
        ("agent", "mobile"),
        ("cashier", "mobile"),
    ]


def test_residents_and_entrusted_agents_are_revealed_and_logged(personas, resident, entrusted):
    agent = personas["agent"]
    assert services.personal_data_reveal(actor=agent, subject=resident, field="mobile") == (
        "13700002222"
    )
    assert services.personal_data_reveal(actor=agent, subject=resident, field="id_number") == (
        "110101198003070017"
    )
    assert services.personal_data_reveal(actor=agent, subject=entrusted, field="mobile") == (
        "13600003333"
    )
    assert services.personal_data_reveal(actor=agent, subject=entrusted, field="id_number") == (
        "440106199001011235"
    )
    assert [(t, i, r, f) for _c, _w, t, i, r, f, _re, _at in _log()] == [
        ("resident", resident.id, "赵六", "mobile"),
        ("resident", resident.id, "赵六", "id_number"),
        ("entrustedagent", entrusted.id, "钱七", "mobile"),
        ("entrustedagent", entrusted.id, "钱七", "id_number"),
    ]


def test_a_guard_may_not_see_a_residents_mobile(personas, resident, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.personal_data_reveal(actor=personas["guard"], subject=resident, field="mobile")


@pytest.mark.parametrize("field", ["mobile", "id_number"])
def test_staff_of_another_community_are_refused(personas, zhang_san, nothing_changes, field):
    with nothing_changes(), pytest.raises(PermissionDenied) as refused:
        services.personal_data_reveal(actor=personas["other_agent"], subject=zhang_san, field=field)
    assert refused.value.code == "reveal_forbidden"


def test_staff_of_another_community_may_not_see_its_plates(personas, vehicle, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.personal_data_reveal(actor=personas["other_agent"], subject=vehicle, field="plate")


def test_an_administrator_reveals_in_every_community(personas, house_b, admin):
    owner = services.owner_create(
        actor=admin, community=house_b.community, name="王五", mobile="13500004444"
    )
    assert services.personal_data_reveal(actor=admin, subject=owner, field="mobile") == (
        "13500004444"
    )
    assert _log()[0][:2] == (house_b.community_id, "admin")


def test_an_inactive_user_is_refused(personas, zhang_san, nothing_changes):
    gone = personas["agent"]
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.personal_data_reveal(actor=gone, subject=zhang_san, field="mobile")


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ("owner", "name"),
        ("owner", "note"),
        ("owner", "plate"),
        ("owner", "mobile_tail"),
        ("owner", "__class__"),
        ("vehicle", "mobile"),
        ("vehicle", "description"),
        ("house", "code"),
    ],
)
def test_a_field_outside_the_list_cannot_be_revealed(
    personas, zhang_san, vehicle, house_a, nothing_changes, subject, field
):
    record = {"owner": zhang_san, "vehicle": vehicle, "house": house_a}[subject]
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.personal_data_reveal(actor=personas["admin"], subject=record, field=field)
    assert (refused.value.code, refused.value.field) == ("bad_field", "field")


@pytest.mark.parametrize(("reason", "code"), [("因\x00", "invalid"), ("因" * 201, "too_long")])
def test_it_refuses_a_bad_reason(personas, zhang_san, nothing_changes, reason, code):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.personal_data_reveal(
            actor=personas["agent"], subject=zhang_san, field="mobile", reason=reason
        )
    assert (refused.value.field, refused.value.code) == ("reason", code)


# What the masked values keep


@pytest.mark.parametrize(
    ("mask", "value", "masked"),
    [
        (mask_mobile, ZHANG_MOBILE, "138****5678"),
        (mask_mobile, "12345", "*****"),
        (mask_id_number, ZHANG_ID, "1101**********002X"),
        (mask_id_number, "E12345", "******"),
        (mask_id_number, "12345678", "********"),
        (mask_id_number, "E12345678", "E1*****78"),
        (mask_id_number, "91440300MA5F000007", "9144**********0007"),
        (mask_plate, PLATE, "粤B***45"),
        (mask_plate, "粤BD12345", "粤B****45"),
        (mask_plate, "粤B1", "***"),
        (mask_plate, None, ""),
    ],
)
def test_masked_values_never_show_a_short_value_whole(mask, value, masked):
    assert mask(value) == masked


# The reveal endpoint of the console: POST /reveal/<subject>/<id>/<field>/


def _reveal_url(subject, record, field):
    return reverse("reveal", args=[subject, record.id, field])


def test_an_agent_reveals_a_mobile_in_place_and_it_is_logged(client, personas, zhang_san):
    client.force_login(personas["agent"])
    response = client.post(_reveal_url("owner", zhang_san, "mobile"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert ZHANG_MOBILE in response.content.decode()
    assert _log() == [
        (zhang_san.community_id, "agent", "owner", zhang_san.id, "张三", "mobile", "", NOW)
    ]


def test_a_guard_reveals_a_plate_through_the_endpoint(client, personas, vehicle):
    client.force_login(personas["guard"])
    response = client.post(_reveal_url("vehicle", vehicle, "plate"))
    assert response.status_code == 200
    assert PLATE in response.content.decode()
    assert [(who, field) for _c, who, _t, _i, _r, field, _re, _at in _log()] == [("guard", "plate")]


def test_the_endpoint_reveals_an_entrusted_agents_mobile(client, personas, entrusted):
    client.force_login(personas["supervisor"])
    response = client.post(_reveal_url("agent", entrusted, "mobile"))
    assert response.status_code == 200
    assert "13600003333" in response.content.decode()
    assert _log()[0][1:6] == ("supervisor", "entrustedagent", entrusted.id, "钱七", "mobile")


def test_the_endpoint_refuses_get(client, personas, zhang_san):
    client.force_login(personas["agent"])
    response = client.get(_reveal_url("owner", zhang_san, "mobile"))
    assert response.status_code == 405
    assert ZHANG_MOBILE not in response.content.decode()
    assert _log() == []


@pytest.mark.parametrize(("role", "field"), [("guard", "mobile"), ("technician", "id_number")])
def test_the_endpoint_refuses_a_role_without_the_right(client, personas, zhang_san, role, field):
    client.force_login(personas[role])
    response = client.post(_reveal_url("owner", zhang_san, field))
    assert response.status_code == 403
    body = response.content.decode()
    assert ZHANG_MOBILE not in body and ZHANG_ID not in body
    assert _log() == []


def test_the_endpoint_hides_another_communitys_owner(client, personas, zhang_san):
    client.force_login(personas["other_agent"])
    response = client.post(_reveal_url("owner", zhang_san, "mobile"))
    assert response.status_code == 404
    assert ZHANG_MOBILE not in response.content.decode()
    assert _log() == []


def test_the_endpoint_refuses_owner_accounts(client, personas, zhang_san):
    client.force_login(personas["owner"])
    response = client.post(_reveal_url("owner", zhang_san, "mobile"))
    assert response.status_code == 403
    assert _log() == []


def test_the_endpoint_sends_anonymous_users_to_login(client, zhang_san):
    response = client.post(_reveal_url("owner", zhang_san, "mobile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert _log() == []


def test_the_endpoint_refuses_a_field_outside_the_list(client, personas, zhang_san):
    client.force_login(personas["agent"])
    response = client.post(_reveal_url("owner", zhang_san, "name"))
    assert response.status_code == 400
    assert _log() == []


def test_the_endpoint_knows_no_other_subjects(client, personas, house_a):
    client.force_login(personas["admin"])
    response = client.post(_reveal_url("house", house_a, "code"))
    assert response.status_code == 404
    assert _log() == []


def test_the_endpoint_answers_404_for_a_missing_record(client, personas, zhang_san):
    client.force_login(personas["agent"])
    response = client.post(reverse("reveal", args=["owner", zhang_san.id + 999, "mobile"]))
    assert response.status_code == 404
    assert _log() == []


def test_a_superuser_reveals_through_the_endpoint_and_is_logged(client, zhang_san):
    root = User.objects.create_superuser("root", password="pw", role=Role.AGENT)
    client.force_login(root)
    response = client.post(_reveal_url("owner", zhang_san, "id_number"))
    assert response.status_code == 200
    assert _log()[0][1] == "root"
