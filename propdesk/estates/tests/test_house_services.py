"""Communities, buildings, units and houses (estates.services.houses; DOMAIN.md §1)."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.estates import services
from propdesk.estates.models import Building, Community, House, HouseStatusChange, Unit

TODAY = datetime.date(2026, 3, 16)
NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

# Who may not write to the registry of community A, as the policy says (REGISTRY_EDIT).
EDIT_REFUSED = ["technician", "cashier", "guard", "owner", "other_agent"]
# Only administrators create communities (STAFF_MANAGE).
COMMUNITY_REFUSED = ["agent", "supervisor", "technician", "cashier", "guard", "owner"]


@pytest.fixture(autouse=True)
def _english_and_frozen_clock():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


def _events(**filters) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("id")
        .values_list("actor__username", "action", "object_type", "changes", "note")
    )


def _status_history(house) -> list[tuple]:
    return list(
        HouseStatusChange.objects.filter(house=house)
        .order_by("id")
        .values_list("from_status", "to_status", "effective_on", "changed_by__username", "note")
    )


def _make_house(actor, building, **overrides):
    values = {"unit_number": "1", "number": "101", "floor": 1, "area_m2": "60"}
    return services.house_create(actor=actor, building=building, **(values | overrides))


# community_create


def test_it_creates_a_community(admin, company):
    community = services.community_create(
        actor=admin,
        company=company,
        code="XF",
        name="幸福小区",
        address="广州市天河区幸福路1号",
        archive_prefix="XF",
    )
    community.refresh_from_db()
    assert (
        community.company_id,
        community.code,
        community.name,
        community.address,
        community.archive_prefix,
        community.created_at,
    ) == (company.id, "XF", "幸福小区", "广州市天河区幸福路1号", "XF", NOW)
    assert list(
        AuditEvent.objects.filter(object_type="community").values_list(
            "community_id", "object_id", "action", "actor_id", "object_repr"
        )
    ) == [(community.id, community.id, "create", admin.id, "幸福小区")]


def test_the_archive_prefix_defaults_to_the_letters_and_digits_of_the_code(admin, company):
    community = services.community_create(actor=admin, company=company, code="hy-01", name="华苑")
    assert community.archive_prefix == "HY01"


def test_the_archive_prefix_is_upper_case(admin, company):
    community = services.community_create(
        actor=admin, company=company, code="J", name="锦华", archive_prefix="jh"
    )
    assert community.archive_prefix == "JH"


@pytest.mark.parametrize("prefix", ["../x", "A/B", "A B", "A\\B", "X.Y", "锦华"])
def test_it_refuses_an_archive_prefix_that_is_not_letters_and_digits(
    admin, company, nothing_changes, prefix
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.community_create(
            actor=admin, company=company, code="J", name="锦华", archive_prefix=prefix
        )
    assert (refused.value.code, refused.value.field) == ("bad_prefix", "archive_prefix")


def test_a_code_without_letters_or_digits_needs_an_explicit_prefix(admin, company, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.community_create(actor=admin, company=company, code="锦华", name="锦华")
    assert refused.value.field == "archive_prefix"


def test_it_refuses_a_duplicate_community_code(admin, company, community_a, nothing_changes):
    with nothing_changes(community_a), pytest.raises(Conflict) as refused:
        services.community_create(actor=admin, company=company, code="A", name="另一个")
    assert (refused.value.code, refused.value.field) == ("duplicate", "code")
    assert str(refused.value.message) == "A community with this code exists."


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": ""}, "name", "required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "名" * 121}, "name", "too_long"),
        ({"name": "甲\x00"}, "name", "invalid"),
        ({"code": ""}, "code", "required"),
        ({"code": "C" * 21}, "code", "too_long"),
        ({"address": "路" * 201}, "address", "too_long"),
    ],
)
def test_it_refuses_bad_community_text(admin, company, nothing_changes, fields, field, code):
    values = {"code": "C", "name": "丙小区"} | fields
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.community_create(actor=admin, company=company, **values)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_hostile_text_is_stored_as_typed_for_the_templates_to_escape(admin, company):
    community = services.community_create(
        actor=admin, company=company, code="X", name="<script>alert(1)</script>'; --"
    )
    assert Community.objects.get(pk=community.pk).name == "<script>alert(1)</script>'; --"


@pytest.mark.parametrize("role", COMMUNITY_REFUSED)
def test_only_an_administrator_creates_communities(personas, company, nothing_changes, role):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.community_create(actor=personas[role], company=company, code="C", name="丙")


# building_create


def test_it_creates_a_building(personas, community_a):
    building = services.building_create(
        actor=personas["agent"], community=community_a, number="b3", name="B3栋", floors=33
    )
    building.refresh_from_db()
    assert (building.community_id, building.number, building.name, building.floors) == (
        community_a.id,
        "B3",
        "B3栋",
        33,
    )
    assert _events(object_type="building", object_id=building.id) == [
        ("agent", "create", "building", {}, "")
    ]
    assert AuditEvent.objects.get(object_type="building", object_id=building.id).community_id == (
        community_a.id
    )


def test_a_supervisor_creates_buildings_too(personas, community_a):
    building = services.building_create(
        actor=personas["supervisor"], community=community_a, number="7"
    )
    assert (building.number, building.floors, building.name) == ("7", None, "")


def test_it_refuses_a_duplicate_building_number_whatever_the_case(
    personas, community_a, nothing_changes
):
    services.building_create(actor=personas["agent"], community=community_a, number="B3")
    with nothing_changes(), pytest.raises(Conflict) as refused:
        services.building_create(actor=personas["agent"], community=community_a, number="b3")
    assert (refused.value.code, refused.value.field) == ("duplicate", "number")
    assert str(refused.value.message) == "Building B3 already exists."


def test_the_same_building_number_may_exist_in_another_community(admin, building_a, community_b):
    building = services.building_create(actor=admin, community=community_b, number="3")
    assert Building.objects.filter(number="3").count() == 2
    assert building.community_id == community_b.id


@pytest.mark.parametrize("floors", [0, 201, -1, "abc", "3.5", [3]])
def test_it_refuses_bad_floor_counts(personas, community_a, nothing_changes, floors):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.building_create(
            actor=personas["agent"], community=community_a, number="9", floors=floors
        )
    assert refused.value.field == "floors"


@pytest.mark.parametrize(("floors", "stored"), [(1, 1), (200, 200), ("18", 18), (None, None)])
def test_it_accepts_floor_counts_from_1_to_200(personas, community_a, floors, stored):
    building = services.building_create(
        actor=personas["agent"], community=community_a, number="9", floors=floors
    )
    assert Building.objects.get(pk=building.pk).floors == stored


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("3-2", "bad_number"),
        ("3/2", "bad_number"),
        ("3 2", "bad_number"),
        ("3#", "bad_number"),
        ("<b>3</b>", "bad_number"),
        ("3\n2", "bad_number"),
        ("3\t2", "bad_number"),
        ("3'--", "bad_number"),
        ("3\x00", "invalid"),
        ("1" * 21, "too_long"),
        ("", "required"),
    ],
)
def test_it_refuses_building_numbers_that_are_not_letters_and_digits(
    personas, community_a, nothing_changes, number, code
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.building_create(actor=personas["agent"], community=community_a, number=number)
    assert (refused.value.field, refused.value.code) == ("number", code)


def test_building_numbers_may_be_chinese(personas, community_a):
    building = services.building_create(
        actor=personas["agent"], community=community_a, number="A座"
    )
    assert building.number == "A座"


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_building_creation_to_roles_without_edit_rights(
    personas, community_a, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.building_create(actor=personas[role], community=community_a, number="9")


# house_create


def test_it_creates_a_house_with_its_unit_and_first_status(personas, building_a):
    house = services.house_create(
        actor=personas["agent"],
        building=building_a,
        unit_number="2",
        number="1502",
        floor=15,
        area_m2="89.5",
        kind="residential",
        status="occupied",
        delivered_on=datetime.date(2021, 6, 30),
    )
    house = House.objects.select_related("unit").get(pk=house.pk)
    assert (
        house.community_id,
        house.building_id,
        house.unit.number,
        house.unit.community_id,
        house.number,
        house.code,
        house.floor,
        house.area_m2,
        house.kind,
        house.status,
        house.delivered_on,
        house.created_at,
    ) == (
        building_a.community_id,
        building_a.id,
        "2",
        building_a.community_id,
        "1502",
        "3-2-1502",
        15,
        Decimal("89.50"),
        "residential",
        "occupied",
        datetime.date(2021, 6, 30),
        NOW,
    )
    assert _status_history(house) == [
        ("", "occupied", datetime.date(2021, 6, 30), "agent", "Registered")
    ]
    assert _events(object_type="house") == [("agent", "create", "house", {}, "")]
    assert AuditEvent.objects.get(object_type="house").house_id == house.id


def test_a_new_house_is_unsold_residential_and_registered_today_by_default(admin, building_a):
    house = _make_house(admin, building_a)
    assert (house.kind, house.status, house.delivered_on) == ("residential", "unsold", None)
    assert _status_history(house) == [("", "unsold", TODAY, "admin", "Registered")]


def test_the_house_code_is_building_unit_room_in_capitals(admin, building_a):
    house = _make_house(admin, building_a, unit_number="a", number="b101")
    assert house.code == "3-A-B101"


def test_a_unit_is_created_once_and_shared_by_its_houses(admin, building_a):
    first = _make_house(admin, building_a, unit_number="2", number="101")
    second = _make_house(admin, building_a, unit_number="2", number="102")
    other = _make_house(admin, building_a, unit_number="3", number="101")
    assert first.unit_id == second.unit_id != other.unit_id
    assert sorted(Unit.objects.filter(building=building_a).values_list("number", flat=True)) == [
        "2",
        "3",
    ]


def test_it_refuses_a_duplicate_house_naming_the_room_number(
    personas, house_a, building_a, nothing_changes
):
    with nothing_changes(house_a), pytest.raises(Conflict) as refused:
        _make_house(personas["agent"], building_a, unit_number="2", number="1502")
    assert (refused.value.code, refused.value.field) == ("duplicate", "number")
    assert str(refused.value.message) == "House 3-2-1502 already exists."


def test_the_same_room_number_in_another_unit_is_another_house(admin, house_a, building_a):
    house = _make_house(admin, building_a, unit_number="1", number="1502")
    assert house.code == "3-1-1502"


@pytest.mark.parametrize("floor", ["abc", None, 201, -11, "", "1.5"])
def test_it_refuses_a_bad_floor(admin, building_a, nothing_changes, floor):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _make_house(admin, building_a, floor=floor)
    assert refused.value.field == "floor"


@pytest.mark.parametrize("floor", [-10, 0, 200, "12"])
def test_floors_from_minus_10_to_200_are_accepted(admin, building_a, floor):
    assert _make_house(admin, building_a, floor=floor).floor == int(floor)


@pytest.mark.parametrize(
    "area", ["0", "-1", "abc", "", "100000.01", "12.345", "NaN", "Infinity", None]
)
def test_it_refuses_a_bad_area(admin, building_a, nothing_changes, area):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _make_house(admin, building_a, area_m2=area)
    assert (refused.value.field, refused.value.code) == ("area_m2", "bad_area")


@pytest.mark.parametrize(
    ("area", "stored"),
    [("0.01", Decimal("0.01")), ("100000", Decimal("100000.00")), (" 89.5 ", Decimal("89.50"))],
)
def test_areas_are_kept_with_two_decimals(admin, building_a, area, stored):
    house = _make_house(admin, building_a, area_m2=area)
    assert House.objects.get(pk=house.pk).area_m2 == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "villa"), ("kind", ""), ("status", "sold"), ("status", "OCCUPIED")],
)
def test_it_refuses_an_unknown_kind_or_status(admin, building_a, nothing_changes, field, value):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _make_house(admin, building_a, **{field: value})
    assert (refused.value.field, refused.value.code) == (field, "bad_choice")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("unit_number", "2-1", "bad_number"),
        ("unit_number", "", "required"),
        ("unit_number", "2\x00", "invalid"),
        ("number", "15/02", "bad_number"),
        ("number", "<img src=x>", "bad_number"),
        ("number", "1" * 21, "too_long"),
        ("number", "\x00", "invalid"),
    ],
)
def test_it_refuses_hostile_or_oversized_unit_and_room_numbers(
    admin, building_a, nothing_changes, field, value, code
):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _make_house(admin, building_a, **{field: value})
    assert (refused.value.field, refused.value.code) == (
        "unit" if field == "unit_number" else "number",
        code,
    )


def test_a_refused_house_leaves_no_new_unit_behind(admin, building_a, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed):
        _make_house(admin, building_a, unit_number="8", floor="top")
    assert Unit.objects.filter(number="8").exists() is False


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_house_creation_to_roles_without_edit_rights(
    personas, building_a, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        _make_house(personas[role], building_a)


# house_update


def test_it_corrects_floor_and_area_with_a_history_row(personas, house_a):
    services.house_update(actor=personas["agent"], house=house_a, floor=16, area_m2="90")
    house_a.refresh_from_db()
    assert (house_a.floor, house_a.area_m2) == (16, Decimal("90.00"))
    assert _events(action="update") == [
        ("agent", "update", "house", {"floor": [15, 16], "area_m2": ["89.50", "90.00"]}, "")
    ]
    event = AuditEvent.objects.get(action="update")
    assert (event.house_id, event.object_id, event.community_id, event.at) == (
        house_a.id,
        house_a.id,
        house_a.community_id,
        NOW,
    )


def test_it_corrects_kind_and_delivery_date_with_a_history_row(personas, house_a):
    services.house_update(
        actor=personas["supervisor"],
        house=house_a,
        kind="commercial",
        delivered_on=datetime.date(2021, 7, 1),
    )
    house_a.refresh_from_db()
    assert (house_a.kind, house_a.delivered_on) == ("commercial", datetime.date(2021, 7, 1))
    assert _events(action="update") == [
        (
            "supervisor",
            "update",
            "house",
            {"kind": ["residential", "commercial"], "delivered_on": ["2021-06-30", "2021-07-01"]},
            "",
        )
    ]


def test_only_the_fields_that_changed_are_in_the_history(personas, house_a):
    services.house_update(
        actor=personas["agent"], house=house_a, floor=15, area_m2="89.5", kind="commercial"
    )
    assert _events(action="update") == [
        ("agent", "update", "house", {"kind": ["residential", "commercial"]}, "")
    ]


def test_an_update_that_changes_nothing_writes_no_history(personas, house_a, nothing_changes):
    with nothing_changes(house_a):
        services.house_update(actor=personas["agent"], house=house_a, floor=15, area_m2="89.50")
        services.house_update(actor=personas["agent"], house=house_a)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"floor": 300}, "floor"),
        ({"floor": "x"}, "floor"),
        ({"area_m2": "0"}, "area_m2"),
        ({"area_m2": "1.234"}, "area_m2"),
        ({"kind": "villa"}, "kind"),
        ({"floor": 16, "area_m2": "-5"}, "area_m2"),
    ],
)
def test_it_refuses_bad_corrections_and_keeps_the_house(
    personas, house_a, nothing_changes, fields, field
):
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.house_update(actor=personas["agent"], house=house_a, **fields)
    assert refused.value.field == field
    assert (house_a.floor, house_a.area_m2) == (15, Decimal("89.50"))


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_house_updates_to_roles_without_edit_rights(
    personas, house_a, nothing_changes, role
):
    with nothing_changes(house_a), pytest.raises(PermissionDenied):
        services.house_update(actor=personas[role], house=house_a, floor=16)


# house_change_status


def test_it_changes_the_status_with_a_history_row(personas, house_a):
    services.house_change_status(
        actor=personas["agent"],
        house=house_a,
        status="decorating",
        effective_on=datetime.date(2026, 3, 20),
        note="业主申请装修",
    )
    house_a.refresh_from_db()
    assert house_a.status == "decorating"
    assert _status_history(house_a) == [
        ("", "occupied", datetime.date(2021, 6, 30), "admin", "Registered"),
        ("occupied", "decorating", datetime.date(2026, 3, 20), "agent", "业主申请装修"),
    ]
    assert _events(action="status") == [
        ("agent", "status", "house", {"status": ["occupied", "decorating"]}, "业主申请装修")
    ]
    assert AuditEvent.objects.get(action="status").house_id == house_a.id


def test_the_status_change_takes_effect_today_by_default(personas, house_a):
    services.house_change_status(actor=personas["agent"], house=house_a, status="vacant")
    assert _status_history(house_a)[-1] == ("occupied", "vacant", TODAY, "agent", "")


def test_every_status_change_stays_in_the_history(personas, house_a):
    for status in ("vacant", "decorating", "occupied"):
        services.house_change_status(actor=personas["agent"], house=house_a, status=status)
    assert [row[:2] for row in _status_history(house_a)] == [
        ("", "occupied"),
        ("occupied", "vacant"),
        ("vacant", "decorating"),
        ("decorating", "occupied"),
    ]


def test_it_refuses_the_status_the_house_already_has(personas, house_a, nothing_changes):
    with nothing_changes(house_a), pytest.raises(Conflict) as refused:
        services.house_change_status(actor=personas["agent"], house=house_a, status="occupied")
    assert (refused.value.code, refused.value.field) == ("same_status", "status")


def test_it_refuses_a_date_more_than_a_year_ahead(personas, house_a, nothing_changes):
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.house_change_status(
            actor=personas["agent"],
            house=house_a,
            status="vacant",
            effective_on=TODAY + datetime.timedelta(days=367),
        )
    assert refused.value.field == "effective_on"
    assert str(refused.value.message) == "The date is too far in the future."


def test_a_date_one_year_ahead_is_accepted(personas, house_a):
    services.house_change_status(
        actor=personas["agent"],
        house=house_a,
        status="vacant",
        effective_on=TODAY + datetime.timedelta(days=366),
    )
    assert _status_history(house_a)[-1][2] == datetime.date(2027, 3, 17)


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"status": "sold"}, "status"), ({"status": "vacant", "note": "注" * 201}, "note")],
)
def test_it_refuses_an_unknown_status_or_a_long_note(
    personas, house_a, nothing_changes, fields, field
):
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.house_change_status(actor=personas["agent"], house=house_a, **fields)
    assert refused.value.field == field


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_status_changes_to_roles_without_edit_rights(
    personas, house_a, nothing_changes, role
):
    with nothing_changes(house_a), pytest.raises(PermissionDenied):
        services.house_change_status(actor=personas[role], house=house_a, status="vacant")


def test_it_refuses_a_status_date_before_the_last_change(personas, house_a, nothing_changes):
    services.house_change_status(
        actor=personas["agent"], house=house_a, status="vacant", effective_on=TODAY
    )
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.house_change_status(
            actor=personas["agent"],
            house=house_a,
            status="decorating",
            effective_on=TODAY - datetime.timedelta(days=1),
        )
    assert (refused.value.code, refused.value.field) == ("before_last_change", "effective_on")
