"""The change history and the access log (core.audit): exact rows, plain JSON values."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from propdesk.core import audit
from propdesk.core.models import AccessLog, AuditEvent
from propdesk.estates.models import House

FROZEN = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(FROZEN, tick=False):
        yield


def _row(event: AuditEvent) -> dict:
    return {
        "community_id": event.community_id,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "house_id": event.house_id,
        "owner_id": event.owner_id,
        "changes": event.changes,
        "note": event.note,
        "at": event.at,
    }


# apply_changes


def test_apply_changes_sets_and_reports_only_the_fields_that_changed(house_a):
    changes = audit.apply_changes(
        house_a, {"floor": 16, "area_m2": Decimal("89.50"), "kind": "commercial"}
    )
    assert changes == {"floor": [15, 16], "kind": ["residential", "commercial"]}
    assert (house_a.floor, house_a.kind) == (16, "commercial")
    house_a.refresh_from_db()
    assert (house_a.floor, house_a.kind) == (15, "residential")  # it does not save


def test_apply_changes_turns_decimals_dates_and_records_into_plain_values(house_a, zhang_san):
    changes = audit.apply_changes(
        house_a,
        {
            "area_m2": Decimal("90.25"),
            "delivered_on": datetime.date(2021, 7, 1),
            "building": house_a.building,  # unchanged record: compared by primary key
        },
    )
    assert changes == {
        "area_m2": ["89.50", "90.25"],
        "delivered_on": ["2021-06-30", "2021-07-01"],
    }


def test_apply_changes_compares_related_records_by_primary_key(personas, house_a, house_b):
    old_unit_id, unit_b = house_a.unit_id, house_b.unit
    changes = audit.apply_changes(house_a, {"unit": unit_b})
    assert changes == {"unit": [old_unit_id, unit_b.id]}
    assert house_a.unit_id == unit_b.id


def test_apply_changes_with_nothing_new_reports_nothing(house_a):
    assert audit.apply_changes(house_a, {"floor": 15, "area_m2": Decimal("89.5")}) == {}
    assert audit.apply_changes(house_a, {}) == {}


# record_change


def test_record_change_writes_one_exact_row(admin, house_a):
    before = AuditEvent.objects.count()
    event = audit.record_change(
        actor=admin,
        instance=house_a,
        action="update",
        changes={"floor": [15, 16], "delivered_on": [datetime.date(2021, 6, 30), None]},
        house_id=house_a.id,
        note="业主来电更正",
    )
    assert AuditEvent.objects.count() == before + 1
    assert _row(AuditEvent.objects.get(pk=event.pk)) == {
        "community_id": house_a.community_id,
        "actor_id": admin.id,
        "action": "update",
        "object_type": "house",
        "object_id": house_a.id,
        "object_repr": "3-2-1502",
        "house_id": house_a.id,
        "owner_id": None,
        "changes": {"floor": [15, 16], "delivered_on": ["2021-06-30", None]},
        "note": "业主来电更正",
        "at": FROZEN,
    }


def test_record_change_without_a_real_actor_records_no_actor(house_a):
    event = audit.record_change(actor=AnonymousUser(), instance=house_a, action="import")
    assert event.actor_id is None
    event = audit.record_change(actor=None, instance=house_a, action="import")
    assert event.actor_id is None


def test_record_change_cuts_long_notes_and_names(admin, house_a):
    event = audit.record_change(
        actor=admin, instance=house_a, action="update", note="备" * 400, object_repr="x" * 300
    )
    event.refresh_from_db()
    assert event.note == "备" * 300
    assert event.object_repr == "x" * 200


def test_record_change_can_name_the_record_without_its_personal_data(admin, house_a):
    event = audit.record_change(
        actor=admin, instance=house_a, action="vehicle_added", object_repr="粤B***45"
    )
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "粤B***45"


def test_a_communitys_own_history_belongs_to_that_community(admin, community_a):
    event = audit.record_change(actor=admin, instance=community_a, action="create")
    assert (event.community_id, event.object_type, event.object_id) == (
        community_a.id,
        "community",
        community_a.id,
    )


def test_history_reads_newest_first(admin, house_a):
    house_ids = AuditEvent.objects.filter(house_id=house_a.id)
    first = audit.record_change(actor=admin, instance=house_a, action="a", house_id=house_a.id)
    second = audit.record_change(actor=admin, instance=house_a, action="b", house_id=house_a.id)
    assert list(house_ids.values_list("id", flat=True)[:2]) == [second.id, first.id]


# record_access


def test_record_access_writes_who_saw_whose_which_field_and_when(agent, zhang_san):
    before = AccessLog.objects.count()
    entry = audit.record_access(actor=agent, subject=zhang_san, field="mobile", reason="回访")
    assert AccessLog.objects.count() == before + 1
    entry = AccessLog.objects.get(pk=entry.pk)
    assert (
        entry.community_id,
        entry.actor_id,
        entry.subject_type,
        entry.subject_id,
        entry.subject_repr,
        entry.field,
        entry.reason,
        entry.at,
    ) == (zhang_san.community_id, agent.id, "owner", zhang_san.id, "张三", "mobile", "回访", FROZEN)


def test_record_access_cuts_a_long_reason(agent, zhang_san):
    entry = audit.record_access(actor=agent, subject=zhang_san, field="mobile", reason="因" * 250)
    assert AccessLog.objects.get(pk=entry.pk).reason == "因" * 200


def test_the_registry_services_leave_a_history_for_every_write(admin, house_a):
    # house_a was built by the fixtures: a building, then a house.
    assert list(
        AuditEvent.objects.order_by("id").values_list("object_type", "action", "house_id")
    ) == [("building", "create", None), ("house", "create", house_a.id)]
    assert House.objects.count() == 1
