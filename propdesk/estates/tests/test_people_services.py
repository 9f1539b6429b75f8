"""Residents, entrusted agents, vehicles and parking spaces (estates.services.people; DOMAIN §1)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.estates import services
from propdesk.estates.models import EntrustedAgent, ParkingSpace, Resident, Vehicle

TODAY = datetime.date(2026, 3, 16)
NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
AGENT_ID = "440106199001011235"

# Who may not write to the registry of community A, as the policy says (REGISTRY_EDIT).
EDIT_REFUSED = ["technician", "cashier", "guard", "owner", "other_agent"]


@pytest.fixture(autouse=True)
def _english_and_frozen_clock():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


def _events(**filters) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("id")
        .values_list("actor__username", "action", "object_type", "object_repr", "changes", "note")
    )


def _event_links(action: str) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action=action)
        .order_by("id")
        .values_list("community_id", "house_id", "owner_id")
    )


@pytest.fixture
def tenant_kwargs():
    return {
        "relation": "tenant",
        "name": "赵六",
        "mobile": "13700002222",
        "lease_start": datetime.date(2026, 3, 1),
        "lease_end": datetime.date(2027, 2, 28),
    }


@pytest.fixture
def resident(house_a, admin):
    return services.resident_add(
        actor=admin,
        house=house_a,
        relation="family",
        name="张小三",
        moved_in_on=datetime.date(2024, 9, 1),
    )


def _agent_kwargs(house, owner, poa, **overrides):
    return {
        "house": house,
        "owner": owner,
        "name": "钱七",
        "mobile": "13600003333",
        "id_number": AGENT_ID,
        "scope": "代办装修手续",
        "power_of_attorney": poa,
    } | overrides


@pytest.fixture
def entrusted(house_a, zhang_san, poa_a, admin):
    return services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, poa_a))


@pytest.fixture
def vehicle(house_a, zhang_san, admin):
    return services.vehicle_add(actor=admin, house=house_a, plate="粤B12345", owner=zhang_san)


@pytest.fixture
def space(community_a, admin):
    return services.parking_space_create(
        actor=admin, community=community_a, number="P-001", kind="dedicated"
    )


# resident_add


def test_it_registers_a_family_member(personas, house_a):
    resident = services.resident_add(
        actor=personas["agent"],
        house=house_a,
        relation="family",
        name="张小三",
        mobile="138-0000-9999",
        id_number="11010119800307001 7",
        note="儿子",
    )
    resident = Resident.objects.get(pk=resident.pk)
    assert (
        resident.community_id,
        resident.house_id,
        resident.relation,
        resident.name,
        resident.name_pinyin,
        resident.name_initials,
        resident.mobile,
        resident.mobile_tail,
        resident.id_number,
        resident.lease_start,
        resident.lease_end,
        resident.moved_in_on,
        resident.moved_out_on,
        resident.note,
    ) == (
        house_a.community_id,
        house_a.id,
        "family",
        "张小三",
        "zhangxiaosan",
        "zxs",
        "13800009999",
        "9999",
        "110101198003070017",
        None,
        None,
        TODAY,
        None,
        "儿子",
    )
    assert _events(action="resident_added") == [
        ("agent", "resident_added", "resident", "张小三", {"relation": [None, "family"]}, "")
    ]
    assert _event_links("resident_added") == [(house_a.community_id, house_a.id, None)]


def test_it_registers_a_tenant_with_the_lease(personas, house_a, tenant_kwargs):
    resident = services.resident_add(actor=personas["supervisor"], house=house_a, **tenant_kwargs)
    assert (resident.relation, resident.lease_start, resident.lease_end) == (
        "tenant",
        datetime.date(2026, 3, 1),
        datetime.date(2027, 2, 28),
    )


def test_a_one_day_lease_is_accepted(personas, house_a, tenant_kwargs):
    day = datetime.date(2026, 4, 1)
    tenant_kwargs.update(lease_start=day, lease_end=day)
    resident = services.resident_add(actor=personas["agent"], house=house_a, **tenant_kwargs)
    assert (resident.lease_start, resident.lease_end) == (day, day)


@pytest.mark.parametrize("missing", ["lease_start", "lease_end"])
def test_a_tenant_needs_both_lease_dates(
    personas, house_a, tenant_kwargs, nothing_changes, missing
):
    tenant_kwargs[missing] = None
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.resident_add(actor=personas["agent"], house=house_a, **tenant_kwargs)
    assert refused.value.field == "lease_end"
    assert str(refused.value.message) == "A tenant needs the lease start and end."


def test_it_refuses_a_lease_that_ends_before_it_starts(
    personas, house_a, tenant_kwargs, nothing_changes
):
    tenant_kwargs["lease_end"] = datetime.date(2026, 2, 28)
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.resident_add(actor=personas["agent"], house=house_a, **tenant_kwargs)
    assert refused.value.field == "lease_end"
    assert str(refused.value.message) == "The lease ends before it starts."


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"relation": "lodger"}, "relation", "bad_choice"),
        ({"name": " "}, "name", "required"),
        ({"name": "名" * 101}, "name", "too_long"),
        ({"mobile": "1380000"}, "mobile", "bad_mobile"),
        ({"id_number": "110101198003070015"}, "id_number", "bad_id_checksum"),
        ({"note": "\x00"}, "note", "invalid"),
    ],
)
def test_it_refuses_bad_resident_data(personas, house_a, nothing_changes, fields, field, code):
    values = {"relation": "family", "name": "张小三"} | fields
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.resident_add(actor=personas["agent"], house=house_a, **values)
    assert (refused.value.field, refused.value.code) == (field, code)


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_residents_to_roles_without_edit_rights(
    personas, house_a, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.resident_add(actor=personas[role], house=house_a, relation="family", name="张小三")


# resident_move_out


def test_a_resident_moves_out_and_stays_in_the_archive(personas, resident):
    services.resident_move_out(
        actor=personas["agent"], resident=resident, moved_out_on=datetime.date(2026, 3, 10)
    )
    assert Resident.objects.get(pk=resident.pk).moved_out_on == datetime.date(2026, 3, 10)
    assert _events(action="resident_moved_out") == [
        (
            "agent",
            "resident_moved_out",
            "resident",
            "张小三",
            {"moved_out_on": [None, "2026-03-10"]},
            "",
        )
    ]
    assert _event_links("resident_moved_out") == [(resident.community_id, resident.house_id, None)]


def test_a_resident_moves_out_today_by_default(personas, resident):
    services.resident_move_out(actor=personas["agent"], resident=resident)
    assert Resident.objects.get(pk=resident.pk).moved_out_on == TODAY


def test_it_refuses_a_second_move_out(personas, resident, nothing_changes):
    services.resident_move_out(actor=personas["agent"], resident=resident)
    with nothing_changes(resident), pytest.raises(Conflict) as refused:
        services.resident_move_out(
            actor=personas["agent"], resident=resident, moved_out_on=datetime.date(2026, 3, 17)
        )
    assert refused.value.field == "moved_out_on"


def test_it_refuses_a_move_out_before_the_move_in(personas, resident, nothing_changes):
    with nothing_changes(resident), pytest.raises(ValidationFailed) as refused:
        services.resident_move_out(
            actor=personas["agent"], resident=resident, moved_out_on=datetime.date(2024, 8, 31)
        )
    assert refused.value.field == "moved_out_on"
    assert resident.moved_out_on is None


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_move_outs_to_roles_without_edit_rights(
    personas, resident, nothing_changes, role
):
    with nothing_changes(resident), pytest.raises(PermissionDenied):
        services.resident_move_out(actor=personas[role], resident=resident)


# agent_add / agent_revoke


def test_it_records_an_entrusted_agent_with_the_power_of_attorney(
    personas, house_a, zhang_san, poa_a
):
    agent = services.agent_add(
        actor=personas["agent"],
        **_agent_kwargs(
            house_a,
            zhang_san,
            poa_a,
            mobile="+86 136 0000 3333",
            valid_from=datetime.date(2026, 3, 16),
            valid_until=datetime.date(2026, 9, 30),
        ),
    )
    agent = EntrustedAgent.objects.get(pk=agent.pk)
    assert (
        agent.community_id,
        agent.house_id,
        agent.owner_id,
        agent.name,
        agent.mobile,
        agent.id_number,
        agent.scope,
        agent.valid_from,
        agent.valid_until,
        agent.power_of_attorney_id,
        agent.revoked_at,
    ) == (
        house_a.community_id,
        house_a.id,
        zhang_san.id,
        "钱七",
        "13600003333",
        AGENT_ID,
        "代办装修手续",
        datetime.date(2026, 3, 16),
        datetime.date(2026, 9, 30),
        poa_a.id,
        None,
    )
    assert _events(action="agent_added") == [
        ("agent", "agent_added", "entrustedagent", "钱七", {"principal": [None, "张三"]}, "")
    ]
    assert _event_links("agent_added") == [(house_a.community_id, house_a.id, zhang_san.id)]


def test_an_entrustment_starts_today_without_an_end_by_default(admin, entrusted):
    assert (entrusted.valid_from, entrusted.valid_until) == (TODAY, None)


def test_a_power_of_attorney_in_the_principals_own_archive_is_accepted(
    admin, house_a, zhang_san, pdf
):
    poa = services.document_upload(
        actor=admin,
        community=house_a.community,
        doc_type="power_of_attorney",
        uploaded=pdf(),
        owner=zhang_san,
    )
    agent = services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, poa))
    assert agent.power_of_attorney_id == poa.id


def test_the_principal_must_be_a_current_owner_of_the_house(
    admin, house_a, zhang_san, li_si, poa_a, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, li_si, poa_a))
    assert refused.value.field == "owner"
    assert str(refused.value.message) == "The principal must be a current owner of the house."


def test_a_former_owner_can_no_longer_entrust_anyone(
    admin, house_a, zhang_san, li_si, poa_a, nothing_changes
):
    services.ownership_transfer(actor=admin, house=house_a, new_owners=[li_si])
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, poa_a))
    assert refused.value.field == "owner"


def test_the_principal_must_be_of_the_houses_community(
    admin, house_a, zhang_san, owner_b, poa_a, nothing_changes
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, owner_b, poa_a))
    assert refused.value.field == "owner"


def test_the_document_must_be_a_power_of_attorney(admin, house_a, zhang_san, pdf, nothing_changes):
    id_copy = services.document_upload(
        actor=admin,
        community=house_a.community,
        doc_type="id_copy",
        uploaded=pdf(),
        house=house_a,
        owner=zhang_san,
    )
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, id_copy))
    assert refused.value.field == "power_of_attorney"
    assert str(refused.value.message) == (
        "Attach the power of attorney from this community's archive."
    )


def test_a_power_of_attorney_of_another_community_is_refused(
    admin, house_a, zhang_san, house_b, owner_b, pdf, nothing_changes
):
    poa_b = services.document_upload(
        actor=admin,
        community=house_b.community,
        doc_type="power_of_attorney",
        uploaded=pdf(),
        house=house_b,
    )
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, poa_b))
    assert refused.value.field == "power_of_attorney"


def test_a_power_of_attorney_filed_for_another_house_is_refused(
    admin, house_a, building_a, zhang_san, pdf, nothing_changes
):
    other_house = services.house_create(
        actor=admin, building=building_a, unit_number="2", number="1501", floor=15, area_m2="80"
    )
    other_poa = services.document_upload(
        actor=admin,
        community=house_a.community,
        doc_type="power_of_attorney",
        uploaded=pdf(),
        house=other_house,
    )
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, other_poa))
    assert refused.value.field == "power_of_attorney"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (
            {"valid_from": datetime.date(2026, 4, 1), "valid_until": datetime.date(2026, 3, 31)},
            "valid_until",
        ),
        ({"mobile": ""}, "mobile"),
        ({"mobile": "12345"}, "mobile"),
        ({"id_number": ""}, "id_number"),
        ({"id_number": "440106199001011236"}, "id_number"),
        ({"name": ""}, "name"),
        ({"scope": ""}, "scope"),
        ({"scope": "事" * 201}, "scope"),
    ],
)
def test_it_refuses_bad_agent_data(
    admin, house_a, zhang_san, poa_a, nothing_changes, fields, field
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.agent_add(actor=admin, **_agent_kwargs(house_a, zhang_san, poa_a, **fields))
    assert refused.value.field == field


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_entrustments_to_roles_without_edit_rights(
    personas, house_a, zhang_san, poa_a, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.agent_add(actor=personas[role], **_agent_kwargs(house_a, zhang_san, poa_a))


def test_it_revokes_an_entrustment_and_keeps_it(personas, entrusted):
    services.agent_revoke(actor=personas["agent"], agent=entrusted, reason="业主收回委托")
    assert EntrustedAgent.objects.get(pk=entrusted.pk).revoked_at == NOW
    assert _events(action="agent_revoked") == [
        ("agent", "agent_revoked", "entrustedagent", "钱七", {}, "业主收回委托")
    ]
    assert _event_links("agent_revoked") == [
        (entrusted.community_id, entrusted.house_id, entrusted.owner_id)
    ]


def test_it_refuses_to_revoke_twice(personas, entrusted, nothing_changes):
    services.agent_revoke(actor=personas["agent"], agent=entrusted)
    with nothing_changes(entrusted), pytest.raises(Conflict):
        services.agent_revoke(actor=personas["agent"], agent=entrusted)


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_revocations_to_roles_without_edit_rights(
    personas, entrusted, nothing_changes, role
):
    with nothing_changes(entrusted), pytest.raises(PermissionDenied):
        services.agent_revoke(actor=personas[role], agent=entrusted)


# vehicle_add / vehicle_remove


@pytest.mark.parametrize(
    ("typed", "plate", "new_energy"),
    [
        ("粤B12345", "粤B12345", False),
        ("粤b·12345", "粤B12345", False),
        (" 粤 B-1234 5 ", "粤B12345", False),
        ("京A1234学", "京A1234学", False),
        ("粤BD12345", "粤BD12345", True),
        ("粤bfa1234", "粤BFA1234", True),
        ("粤B12345D", "粤B12345D", True),
    ],
)
def test_it_registers_a_vehicle_with_a_normalised_plate(
    personas, house_a, zhang_san, typed, plate, new_energy
):
    vehicle = services.vehicle_add(
        actor=personas["agent"], house=house_a, plate=typed, owner=zhang_san, description="白色"
    )
    vehicle = Vehicle.objects.get(pk=vehicle.pk)
    assert (
        vehicle.community_id,
        vehicle.house_id,
        vehicle.owner_id,
        vehicle.plate,
        vehicle.is_new_energy,
        vehicle.description,
        vehicle.registered_on,
        vehicle.removed_on,
    ) == (house_a.community_id, house_a.id, zhang_san.id, plate, new_energy, "白色", TODAY, None)


def test_the_history_names_the_plate_masked(personas, house_a, zhang_san):
    services.vehicle_add(actor=personas["agent"], house=house_a, plate="粤B12345", owner=zhang_san)
    assert _events(action="vehicle_added") == [
        ("agent", "vehicle_added", "vehicle", "粤B***45", {"plate": [None, "粤B***45"]}, "")
    ]
    assert _event_links("vehicle_added") == [(house_a.community_id, house_a.id, zhang_san.id)]
    assert "粤B12345" not in str(list(AuditEvent.objects.values_list("object_repr", "changes")))


def test_a_vehicle_may_be_registered_without_an_owner(personas, house_a):
    vehicle = services.vehicle_add(actor=personas["agent"], house=house_a, plate="粤B12345")
    assert vehicle.owner_id is None
    assert _event_links("vehicle_added") == [(house_a.community_id, house_a.id, None)]


@pytest.mark.parametrize("plate", ["", "12345", "粤I12345", "粤B1234", "粤B123456", "XXB12345"])
def test_it_refuses_a_bad_plate(personas, house_a, nothing_changes, plate):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.vehicle_add(actor=personas["agent"], house=house_a, plate=plate)
    assert refused.value.field == "plate"


def test_it_refuses_a_plate_already_registered_in_the_community(
    personas, house_a, vehicle, nothing_changes
):
    with nothing_changes(vehicle), pytest.raises(Conflict) as refused:
        services.vehicle_add(actor=personas["agent"], house=house_a, plate="粤b 12345")
    assert (refused.value.code, refused.value.field) == ("duplicate", "plate")


def test_a_removed_plate_may_be_registered_again(personas, house_a, vehicle):
    services.vehicle_remove(actor=personas["agent"], vehicle=vehicle)
    again = services.vehicle_add(actor=personas["agent"], house=house_a, plate="粤B12345")
    assert Vehicle.objects.filter(plate="粤B12345").count() == 2
    assert again.removed_on is None


def test_the_same_plate_may_be_registered_in_another_community(admin, vehicle, house_b):
    other = services.vehicle_add(actor=admin, house=house_b, plate="粤B12345")
    assert other.community_id == house_b.community_id


def test_it_refuses_an_owner_of_another_community(admin, house_a, owner_b, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.vehicle_add(actor=admin, house=house_a, plate="粤B12345", owner=owner_b)
    assert refused.value.field == "owner"


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_vehicles_to_roles_without_edit_rights(personas, house_a, nothing_changes, role):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.vehicle_add(actor=personas[role], house=house_a, plate="粤B12345")


def test_a_removed_vehicle_stays_in_the_archive(personas, vehicle):
    services.vehicle_remove(actor=personas["agent"], vehicle=vehicle)
    assert Vehicle.objects.get(pk=vehicle.pk).removed_on == TODAY
    assert _events(action="vehicle_removed") == [
        ("agent", "vehicle_removed", "vehicle", "粤B***45", {}, "")
    ]
    assert _event_links("vehicle_removed") == [
        (vehicle.community_id, vehicle.house_id, vehicle.owner_id)
    ]


def test_it_refuses_to_remove_a_vehicle_twice(personas, vehicle, nothing_changes):
    services.vehicle_remove(actor=personas["agent"], vehicle=vehicle)
    with nothing_changes(vehicle), pytest.raises(Conflict):
        services.vehicle_remove(actor=personas["agent"], vehicle=vehicle)


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_vehicle_removal_to_roles_without_edit_rights(
    personas, vehicle, nothing_changes, role
):
    with nothing_changes(vehicle), pytest.raises(PermissionDenied):
        services.vehicle_remove(actor=personas[role], vehicle=vehicle)


# parking_space_create / parking_space_assign


def test_it_creates_a_free_parking_space(personas, community_a):
    space = services.parking_space_create(
        actor=personas["agent"], community=community_a, number="b2-018", kind="open_air"
    )
    space = ParkingSpace.objects.get(pk=space.pk)
    assert (
        space.community_id,
        space.number,
        space.kind,
        space.status,
        space.holder_id,
        space.house_id,
        space.vehicle_id,
    ) == (community_a.id, "B2-018", "open_air", "available", None, None, None)
    assert _events(object_type="parkingspace") == [
        ("agent", "create", "parkingspace", "B2-018", {}, "")
    ]


def test_it_refuses_a_duplicate_space_number_whatever_the_case(personas, space, nothing_changes):
    with nothing_changes(space), pytest.raises(Conflict) as refused:
        services.parking_space_create(
            actor=personas["agent"], community=space.community, number="p-001", kind="shared"
        )
    assert (refused.value.code, refused.value.field) == ("duplicate", "number")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "underground"}, "kind"),
        ({"number": ""}, "number"),
        ({"number": "P" * 21}, "number"),
        ({"number": "P\x00"}, "number"),
    ],
)
def test_it_refuses_bad_space_data(personas, community_a, nothing_changes, fields, field):
    values = {"number": "P-002", "kind": "shared"} | fields
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.parking_space_create(actor=personas["agent"], community=community_a, **values)
    assert refused.value.field == field


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_space_creation_to_roles_without_edit_rights(
    personas, community_a, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.parking_space_create(
            actor=personas[role], community=community_a, number="P-002", kind="shared"
        )


def test_it_lets_a_space_to_an_owner_for_a_house_and_vehicle(
    personas, space, zhang_san, house_a, vehicle
):
    services.parking_space_assign(
        actor=personas["agent"],
        space=space,
        status="let",
        holder=zhang_san,
        house=house_a,
        vehicle=vehicle,
    )
    space = ParkingSpace.objects.get(pk=space.pk)
    assert (space.status, space.holder_id, space.house_id, space.vehicle_id) == (
        "let",
        zhang_san.id,
        house_a.id,
        vehicle.id,
    )
    assert _events(action="parking_assigned") == [
        (
            "agent",
            "parking_assigned",
            "parkingspace",
            "P-001",
            {
                "status": ["available", "let"],
                "holder": [None, zhang_san.id],
                "house": [None, house_a.id],
                "vehicle": [None, vehicle.id],
            },
            "",
        )
    ]
    assert _event_links("parking_assigned") == [(space.community_id, house_a.id, zhang_san.id)]


def test_it_sells_a_space_to_a_holder_alone(personas, space, li_si):
    services.parking_space_assign(actor=personas["agent"], space=space, status="sold", holder=li_si)
    space = ParkingSpace.objects.get(pk=space.pk)
    assert (space.status, space.holder_id, space.house_id, space.vehicle_id) == (
        "sold",
        li_si.id,
        None,
        None,
    )


def test_freeing_a_space_clears_its_holder_and_stays_on_their_timeline(
    personas, space, zhang_san, house_a, vehicle
):
    services.parking_space_assign(
        actor=personas["agent"], space=space, status="let", holder=zhang_san, house=house_a
    )
    services.parking_space_assign(
        actor=personas["agent"], space=space, status="available", holder=zhang_san, house=house_a
    )
    space = ParkingSpace.objects.get(pk=space.pk)
    assert (space.status, space.holder_id, space.house_id, space.vehicle_id) == (
        "available",
        None,
        None,
        None,
    )
    assert _events(action="parking_assigned")[-1][4] == {
        "status": ["let", "available"],
        "holder": [zhang_san.id, None],
        "house": [house_a.id, None],
    }
    assert _event_links("parking_assigned")[-1] == (space.community_id, house_a.id, zhang_san.id)


def test_assigning_the_same_again_writes_no_history(personas, space, li_si, nothing_changes):
    services.parking_space_assign(actor=personas["agent"], space=space, status="sold", holder=li_si)
    with nothing_changes(space):
        services.parking_space_assign(
            actor=personas["agent"], space=space, status="sold", holder=li_si
        )


@pytest.mark.parametrize("status", ["let", "sold"])
def test_a_let_or_sold_space_needs_a_holder(personas, space, house_a, nothing_changes, status):
    with nothing_changes(space), pytest.raises(ValidationFailed) as refused:
        services.parking_space_assign(
            actor=personas["agent"], space=space, status=status, house=house_a
        )
    assert refused.value.field == "holder"
    assert str(refused.value.message) == "A let or sold space needs a holder."


def test_it_refuses_an_unknown_status(personas, space, li_si, nothing_changes):
    with nothing_changes(space), pytest.raises(ValidationFailed) as refused:
        services.parking_space_assign(
            actor=personas["agent"], space=space, status="reserved", holder=li_si
        )
    assert (refused.value.field, refused.value.code) == ("status", "bad_choice")


@pytest.mark.parametrize("field", ["holder", "house", "vehicle"])
def test_it_refuses_a_holder_house_or_vehicle_of_another_community(
    admin, space, li_si, house_b, owner_b, nothing_changes, field
):
    vehicle_b = services.vehicle_add(actor=admin, house=house_b, plate="粤B99999")
    others = {"holder": owner_b, "house": house_b, "vehicle": vehicle_b}
    values = {"holder": li_si} | {field: others[field]}
    with nothing_changes(space), pytest.raises(ValidationFailed) as refused:
        services.parking_space_assign(actor=admin, space=space, status="let", **values)
    assert refused.value.field == field


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_space_assignment_to_roles_without_edit_rights(
    personas, space, li_si, nothing_changes, role
):
    with nothing_changes(space), pytest.raises(PermissionDenied):
        services.parking_space_assign(
            actor=personas[role], space=space, status="sold", holder=li_si
        )
