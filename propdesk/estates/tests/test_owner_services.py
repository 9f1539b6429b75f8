"""Owners, co-owners and transfers (estates.services.owners; DOMAIN.md §1)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.estates import services
from propdesk.estates.models import Owner, Ownership, OwnershipTransfer

TODAY = datetime.date(2026, 3, 16)
NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
ZHANG_ID = "11010519491231002X"  # 张三's, from the shared fixtures
ID_2 = "440106199001011235"
ID_3 = "110101198003070017"
CREDIT_CODE = "91440300MA5F000007"

# Who may not write to the registry of community A, as the policy says (REGISTRY_EDIT);
# the same roles may not transfer houses (OWNERSHIP_TRANSFER).
EDIT_REFUSED = ["technician", "cashier", "guard", "owner", "other_agent"]


@pytest.fixture(autouse=True)
def _english_and_frozen_clock():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


def _owner_row(owner) -> tuple:
    owner = Owner.objects.get(pk=owner.pk)
    return (
        owner.kind,
        owner.name,
        owner.name_pinyin,
        owner.name_initials,
        owner.mobile,
        owner.mobile_tail,
        owner.id_type,
        owner.id_number,
        owner.note,
    )


def _events(**filters) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("id")
        .values_list("actor__username", "action", "object_type", "changes", "note")
    )


def _ownerships(house) -> list[tuple]:
    return list(
        Ownership.objects.filter(house=house)
        .order_by("id")
        .values_list(
            "owner__name",
            "is_primary",
            "start_on",
            "end_on",
            "started_by_transfer_id",
            "ended_by_transfer_id",
        )
    )


def _create(actor, community, **fields):
    return services.owner_create(actor=actor, community=community, **({"name": "李四"} | fields))


# owner_create


def test_it_registers_a_person_with_normalised_identity_data(personas, community_a):
    owner = _create(
        personas["agent"],
        community_a,
        name=" 李四 ",
        mobile="+86 139-0000-1111",
        id_number="44010619900101123 5",
        note="老人独居",
    )
    assert _owner_row(owner) == (
        "person",
        "李四",
        "lisi",
        "ls",
        "13900001111",
        "1111",
        "resident_id",
        ID_2,
        "老人独居",
    )
    assert Owner.objects.get(pk=owner.pk).community_id == community_a.id
    assert _events(owner_id=owner.id) == [("agent", "create", "owner", {}, "")]


def test_a_lower_case_check_letter_is_stored_upper_case(personas, community_a):
    owner = _create(personas["agent"], community_a, id_number="11010519491231002x")
    assert owner.id_number == ZHANG_ID


def test_an_owner_without_mobile_or_id_number_may_be_registered(personas, community_a):
    owner = _create(personas["agent"], community_a)
    assert _owner_row(owner) == ("person", "李四", "lisi", "ls", "", "", "resident_id", "", "")


def test_surnames_get_their_surname_reading_in_the_search_keys(personas, community_a):
    owner = _create(personas["agent"], community_a, name="单雄信")
    assert (owner.name_pinyin, owner.name_initials) == ("shanxiongxin", "sxx")


def test_it_registers_a_company_by_its_credit_code(personas, community_a):
    owner = _create(
        personas["supervisor"],
        community_a,
        kind="company",
        name="乐居科技有限公司",
        id_type="credit_code",
        id_number=CREDIT_CODE.lower(),
    )
    # A company name is not a person's: 乐 reads le, not the surname yue.
    assert _owner_row(owner) == (
        "company",
        "乐居科技有限公司",
        "lejukejiyouxiangongsi",
        "ljkjyxgs",
        "",
        "",
        "credit_code",
        CREDIT_CODE,
        "",
    )


def test_passport_numbers_are_compacted(personas, community_a):
    owner = _create(personas["agent"], community_a, id_type="passport", id_number="e 1234 5678")
    assert (owner.id_type, owner.id_number) == ("passport", "E12345678")


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "company", "id_type": "resident_id"}, "id_type", "invalid"),
        ({"kind": "company", "id_type": "passport"}, "id_type", "invalid"),
        ({"kind": "person", "id_type": "credit_code"}, "id_type", "invalid"),
        ({"id_number": "110105194912310021"}, "id_number", "bad_id_checksum"),
        ({"id_number": "12345"}, "id_number", "bad_id_number"),
        ({"id_number": "110105194913310021"}, "id_number", "bad_id_number"),
        (
            {"kind": "company", "id_type": "credit_code", "id_number": "91440300MA5F000008"},
            "id_number",
            "bad_credit_checksum",
        ),
        (
            {"kind": "company", "id_type": "credit_code", "id_number": "9144"},
            "id_number",
            "bad_credit_code",
        ),
        ({"id_type": "passport", "id_number": "E1"}, "id_number", "bad_id_number"),
        ({"id_type": "driving_licence"}, "id_type", "bad_choice"),
        ({"kind": "robot"}, "kind", "bad_choice"),
        ({"mobile": "12345"}, "mobile", "bad_mobile"),
        ({"mobile": "23812345678"}, "mobile", "bad_mobile"),
        ({"mobile": "138123456789"}, "mobile", "bad_mobile"),
        ({"mobile": "1" * 21}, "mobile", "too_long"),
        ({"name": ""}, "name", "required"),
        ({"name": "李" * 101}, "name", "too_long"),
        ({"name": "李\x00四"}, "name", "invalid"),
        ({"note": "注" * 301}, "note", "too_long"),
        ({"id_number": "1" * 31}, "id_number", "too_long"),
    ],
)
def test_it_refuses_bad_identity_data(personas, community_a, nothing_changes, fields, field, code):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _create(personas["agent"], community_a, **fields)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_the_checksum_error_says_what_is_wrong(personas, community_a):
    with pytest.raises(ValidationFailed) as refused:
        _create(personas["agent"], community_a, id_number="110105194912310021")
    assert str(refused.value.message) == "The resident ID number's check digit is wrong."


def test_it_refuses_an_id_number_already_in_the_communitys_archive(
    personas, zhang_san, nothing_changes
):
    with nothing_changes(zhang_san), pytest.raises(Conflict) as refused:
        _create(personas["agent"], zhang_san.community, id_number=ZHANG_ID.lower())
    assert (refused.value.code, refused.value.field) == ("duplicate", "id_number")


def test_the_same_person_may_be_an_owner_in_another_community(admin, zhang_san, community_b):
    owner = _create(admin, community_b, name="张三", id_number=ZHANG_ID)
    assert Owner.objects.filter(id_number=ZHANG_ID).count() == 2
    assert owner.community_id == community_b.id


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_owner_registration_to_roles_without_edit_rights(
    personas, community_a, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        _create(personas[role], community_a)


# owner_update


def test_it_renames_an_owner_and_refreshes_the_search_keys(personas, zhang_san):
    services.owner_update(actor=personas["agent"], owner=zhang_san, name="张珊")
    assert _owner_row(zhang_san)[:4] == ("person", "张珊", "zhangshan", "zs")
    assert _events(action="update") == [
        ("agent", "update", "owner", {"name": ["张三", "张珊"]}, "")
    ]
    event = AuditEvent.objects.get(action="update")
    assert (event.owner_id, event.object_id, event.object_repr) == (
        zhang_san.id,
        zhang_san.id,
        "张珊",
    )


def test_the_history_says_the_mobile_changed_but_not_to_what(personas, zhang_san):
    services.owner_update(actor=personas["agent"], owner=zhang_san, mobile="139 8765 4321")
    assert _owner_row(zhang_san)[4:6] == ("13987654321", "4321")
    assert _events(action="update") == [
        ("agent", "update", "owner", {"mobile": ["***", "***"]}, "")
    ]
    stored = str(AuditEvent.objects.values_list("changes", "object_repr", "note"))
    assert "13812345678" not in stored and "13987654321" not in stored
    assert "5678" not in stored and "4321" not in stored


def test_the_history_says_the_id_number_changed_but_not_to_what(personas, zhang_san):
    services.owner_update(actor=personas["agent"], owner=zhang_san, id_number=ID_3)
    assert _owner_row(zhang_san)[7] == ID_3
    assert _events(action="update") == [
        ("agent", "update", "owner", {"id_number": ["***", "***"]}, "")
    ]
    stored = str(list(AuditEvent.objects.values_list("changes", "object_repr", "note")))
    assert ZHANG_ID not in stored and ID_3 not in stored


def test_several_changes_are_one_history_row(personas, zhang_san):
    services.owner_update(
        actor=personas["agent"],
        owner=zhang_san,
        name="张珊",
        mobile="13987654321",
        note="已更新",
    )
    assert _events(action="update") == [
        (
            "agent",
            "update",
            "owner",
            {"name": ["张三", "张珊"], "mobile": ["***", "***"], "note": ["", "已更新"]},
            "",
        )
    ]


def test_a_mobile_can_be_cleared(personas, zhang_san):
    services.owner_update(actor=personas["agent"], owner=zhang_san, mobile="")
    assert _owner_row(zhang_san)[4:6] == ("", "")


def test_an_update_that_changes_nothing_writes_no_history(personas, zhang_san, nothing_changes):
    with nothing_changes(zhang_san):
        services.owner_update(
            actor=personas["agent"], owner=zhang_san, name="张三", mobile="+8613812345678"
        )
        services.owner_update(actor=personas["agent"], owner=zhang_san, mobile=None)


def test_it_refuses_an_id_number_of_another_owner(personas, zhang_san, nothing_changes):
    li = _create(personas["agent"], zhang_san.community, id_number=ID_2)
    with nothing_changes(zhang_san, li), pytest.raises(Conflict) as refused:
        services.owner_update(actor=personas["agent"], owner=li, id_number=ZHANG_ID)
    assert (refused.value.code, refused.value.field) == ("duplicate", "id_number")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mobile": "123"}, "mobile"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"kind": "company"}, "id_type"),
        ({"name": ""}, "name"),
    ],
)
def test_it_refuses_bad_updates_and_keeps_the_owner(
    personas, zhang_san, nothing_changes, fields, field
):
    with nothing_changes(zhang_san), pytest.raises(ValidationFailed) as refused:
        services.owner_update(actor=personas["agent"], owner=zhang_san, **fields)
    assert refused.value.field == field


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_owner_updates_to_roles_without_edit_rights(
    personas, zhang_san, nothing_changes, role
):
    with nothing_changes(zhang_san), pytest.raises(PermissionDenied):
        services.owner_update(actor=personas[role], owner=zhang_san, name="张珊")


# ownership_add


def test_the_first_owner_of_a_house_is_its_primary_owner(personas, house_a, li_si):
    ownership = services.ownership_add(actor=personas["agent"], house=house_a, owner=li_si)
    assert _ownerships(house_a) == [("李四", True, TODAY, None, None, None)]
    assert ownership.community_id == house_a.community_id
    assert _events(action="owner_added") == [
        ("agent", "owner_added", "ownership", {"owner": [None, "李四"]}, "")
    ]
    event = AuditEvent.objects.get(action="owner_added")
    assert (event.house_id, event.owner_id, event.object_id) == (
        house_a.id,
        li_si.id,
        ownership.id,
    )


def test_a_further_owner_is_a_co_owner(personas, house_a, zhang_san, li_si):
    services.ownership_add(
        actor=personas["agent"], house=house_a, owner=li_si, start_on=datetime.date(2022, 1, 1)
    )
    assert _ownerships(house_a) == [
        ("张三", True, datetime.date(2021, 7, 1), None, None, None),
        ("李四", False, datetime.date(2022, 1, 1), None, None, None),
    ]


def test_a_new_primary_owner_makes_the_old_one_a_co_owner(personas, house_a, zhang_san, li_si):
    services.ownership_add(actor=personas["agent"], house=house_a, owner=li_si, is_primary=True)
    assert [(name, primary) for name, primary, *_ in _ownerships(house_a)] == [
        ("张三", False),
        ("李四", True),
    ]


def test_it_refuses_a_person_who_already_owns_the_house(
    personas, house_a, zhang_san, nothing_changes
):
    with nothing_changes(house_a, zhang_san), pytest.raises(Conflict) as refused:
        services.ownership_add(actor=personas["agent"], house=house_a, owner=zhang_san)
    assert (refused.value.code, refused.value.field) == ("duplicate", "owner")


def test_it_refuses_an_owner_of_another_community(admin, house_a, owner_b, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        services.ownership_add(actor=admin, house=house_a, owner=owner_b)
    assert refused.value.field == "owner"
    assert str(refused.value.message) == "The owner and the house belong to different communities."


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_adding_owners_to_roles_without_edit_rights(
    personas, house_a, li_si, nothing_changes, role
):
    with nothing_changes(), pytest.raises(PermissionDenied):
        services.ownership_add(actor=personas[role], house=house_a, owner=li_si)


# ownership_transfer


def test_a_transfer_ends_the_old_ownership_and_starts_the_new_one(
    personas, house_a, zhang_san, li_si
):
    transfer = services.ownership_transfer(
        actor=personas["agent"],
        house=house_a,
        new_owners=[li_si],
        effective_on=datetime.date(2026, 3, 1),
        reason="二手房买卖",
    )
    transfer.refresh_from_db()
    assert (
        transfer.community_id,
        transfer.house_id,
        transfer.effective_on,
        transfer.reason,
        transfer.recorded_by_id,
        transfer.recorded_at,
    ) == (
        house_a.community_id,
        house_a.id,
        datetime.date(2026, 3, 1),
        "二手房买卖",
        personas["agent"].id,
        NOW,
    )
    assert _ownerships(house_a) == [
        ("张三", True, datetime.date(2021, 7, 1), datetime.date(2026, 3, 1), None, transfer.id),
        ("李四", True, datetime.date(2026, 3, 1), None, transfer.id, None),
    ]
    assert _events(action="transfer") == [
        ("agent", "transfer", "house", {"owners": [["张三"], ["李四"]]}, "二手房买卖")
    ]
    assert AuditEvent.objects.get(action="transfer").house_id == house_a.id


def test_a_transfer_takes_effect_today_by_default(personas, house_a, zhang_san, li_si):
    transfer = services.ownership_transfer(
        actor=personas["agent"], house=house_a, new_owners=[li_si]
    )
    assert transfer.effective_on == TODAY
    assert [row[2:4] for row in _ownerships(house_a)] == [
        (datetime.date(2021, 7, 1), TODAY),
        (TODAY, None),
    ]


def test_the_first_new_owner_is_primary_and_the_others_co_owners(
    personas, house_a, zhang_san, li_si
):
    wang = _create(personas["agent"], house_a.community, name="王五")
    services.ownership_transfer(actor=personas["agent"], house=house_a, new_owners=[wang, li_si])
    assert [(name, primary, end) for name, primary, _start, end, *_ in _ownerships(house_a)] == [
        ("张三", True, TODAY),
        ("王五", True, None),
        ("李四", False, None),
    ]


def test_every_co_owner_ends_with_the_transfer(personas, house_a, zhang_san, li_si):
    services.ownership_add(actor=personas["agent"], house=house_a, owner=li_si)
    wang = _create(personas["agent"], house_a.community, name="王五")
    transfer = services.ownership_transfer(
        actor=personas["agent"], house=house_a, new_owners=[wang]
    )
    assert [(name, end, ended) for name, _p, _s, end, _st, ended in _ownerships(house_a)] == [
        ("张三", TODAY, transfer.id),
        ("李四", TODAY, transfer.id),
        ("王五", None, None),
    ]
    assert _events(action="transfer")[0][3] == {"owners": [["张三", "李四"], ["王五"]]}


def test_successive_transfers_keep_the_whole_history(personas, house_a, zhang_san, li_si):
    wang = _create(personas["agent"], house_a.community, name="王五")
    first = services.ownership_transfer(
        actor=personas["agent"],
        house=house_a,
        new_owners=[li_si],
        effective_on=datetime.date(2024, 5, 1),
    )
    second = services.ownership_transfer(actor=personas["agent"], house=house_a, new_owners=[wang])
    assert _ownerships(house_a) == [
        ("张三", True, datetime.date(2021, 7, 1), datetime.date(2024, 5, 1), None, first.id),
        ("李四", True, datetime.date(2024, 5, 1), TODAY, first.id, second.id),
        ("王五", True, TODAY, None, second.id, None),
    ]
    assert OwnershipTransfer.objects.filter(house=house_a).count() == 2
    assert Owner.objects.filter(name__in=["张三", "李四", "王五"]).count() == 3


def test_a_house_without_owners_can_be_handed_to_its_first_owner(personas, house_a, li_si):
    transfer = services.ownership_transfer(
        actor=personas["agent"], house=house_a, new_owners=[li_si]
    )
    assert _ownerships(house_a) == [("李四", True, TODAY, None, transfer.id, None)]
    assert _events(action="transfer")[0][3] == {"owners": [[], ["李四"]]}


def test_it_refuses_a_transfer_to_the_current_owners(personas, house_a, zhang_san, nothing_changes):
    with nothing_changes(house_a), pytest.raises(Conflict) as refused:
        services.ownership_transfer(actor=personas["agent"], house=house_a, new_owners=[zhang_san])
    assert refused.value.field == "new_owners"


def test_it_refuses_a_date_before_the_current_ownership_began(
    personas, house_a, zhang_san, li_si, nothing_changes
):
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.ownership_transfer(
            actor=personas["agent"],
            house=house_a,
            new_owners=[li_si],
            effective_on=datetime.date(2021, 6, 30),
        )
    assert refused.value.field == "effective_on"
    assert str(refused.value.message) == (
        "The transfer cannot take effect before the current ownership began."
    )


def test_a_transfer_on_the_day_the_ownership_began_is_accepted(personas, house_a, zhang_san, li_si):
    services.ownership_transfer(
        actor=personas["agent"],
        house=house_a,
        new_owners=[li_si],
        effective_on=datetime.date(2021, 7, 1),
    )
    assert _ownerships(house_a)[0][3] == datetime.date(2021, 7, 1)


@pytest.mark.parametrize(
    ("new_owners", "field"),
    [("none", "new_owners"), ("twice", "new_owners"), ("other_community", "owner")],
)
def test_it_refuses_a_bad_list_of_new_owners(
    personas, house_a, zhang_san, li_si, owner_b, nothing_changes, new_owners, field
):
    owners = {"none": [], "twice": [li_si, li_si], "other_community": [li_si, owner_b]}
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.ownership_transfer(
            actor=personas["admin"], house=house_a, new_owners=owners[new_owners]
        )
    assert refused.value.field == field


def test_it_refuses_a_long_reason(personas, house_a, zhang_san, li_si, nothing_changes):
    with nothing_changes(house_a), pytest.raises(ValidationFailed) as refused:
        services.ownership_transfer(
            actor=personas["agent"], house=house_a, new_owners=[li_si], reason="因" * 201
        )
    assert (refused.value.field, refused.value.code) == ("reason", "too_long")


@pytest.mark.parametrize("role", EDIT_REFUSED)
def test_it_refuses_transfers_to_roles_without_the_transfer_right(
    personas, house_a, zhang_san, li_si, nothing_changes, role
):
    with nothing_changes(house_a), pytest.raises(PermissionDenied):
        services.ownership_transfer(actor=personas[role], house=house_a, new_owners=[li_si])


def test_it_refuses_a_transfer_dated_in_the_future(admin, house_a, zhang_san):
    import datetime as _dt

    from django.utils import timezone

    from propdesk.core.errors import ValidationFailed
    from propdesk.estates.models import Ownership

    buyer = services.owner_create(actor=admin, community=house_a.community, name="李雷")
    with pytest.raises(ValidationFailed) as refused:
        services.ownership_transfer(
            actor=admin,
            house=house_a,
            new_owners=[buyer],
            effective_on=timezone.localdate() + _dt.timedelta(days=1),
        )
    assert (refused.value.code, refused.value.field) == ("future_transfer", "effective_on")
    assert list(
        Ownership.objects.filter(house=house_a, end_on__isnull=True).values_list(
            "owner__name", flat=True
        )
    ) == ["张三"]
