"""Opening an incident: numbering, the plan's tasks, the staff alert, the first broadcast."""

import pytest

from propdesk.community.models import (
    Incident,
    IncidentBroadcast,
    IncidentEntry,
    IncidentTask,
    PlanStep,
)
from propdesk.community.plans import DEFAULT_PLANS
from propdesk.community.services.incidents import incident_open
from propdesk.community.tests.conftest import at
from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage


def _open(actor, community, **kwargs):
    values = {
        "kind": "power_cut",
        "severity": "major",
        "place": "3号楼",
        "building_ids": [],
        **kwargs,
    }
    return incident_open(actor=actor, community=community, **values)


def test_it_numbers_the_incident_and_starts_the_plan(open_power_cut, departments):
    incident = open_power_cut
    assert incident.number == "A-YJ2026-0001"
    tasks = list(IncidentTask.objects.filter(incident=incident))
    assert [t.title for t in tasks] == [s[0] for s in DEFAULT_PLANS["power_cut"]]
    assert tasks[0].department == departments["engineering"]
    assert tasks[0].due_at == at("2026-07-10 15:10")
    assert tasks[1].due_at == at("2026-07-10 15:05")
    assert all(t.done_at is None for t in tasks)


def test_it_uses_the_communitys_own_plan(staff, building_3, departments, supervisor):
    from propdesk.community.services.plans import plan_save

    plan_save(
        actor=supervisor,
        community=building_3.community,
        kind="power_cut",
        steps=[
            {"title": "先查配电房", "department": departments["engineering"].id, "due_minutes": 3}
        ],
    )
    incident = _open(staff["agent"], building_3.community, building_ids=[building_3.id])
    assert list(incident.tasks.values_list("title", "due_at")) == [
        ("先查配电房", at("2026-07-10 15:03"))
    ]


def test_it_alerts_supervisors_and_the_plans_departments_on_every_channel(open_power_cut, staff):
    staff_messages = OutboxMessage.objects.filter(event="incident.staff")
    got = sorted(staff_messages.values_list("recipient_user__username", "channel", "recipient"))
    assert got == [
        ("agent", "in_app", "agent"),
        ("supervisor", "in_app", "supervisor"),
        ("supervisor", "sms", "13900000003"),
        ("technician", "email", "eng@example.com"),
        ("technician", "in_app", "technician"),
        ("technician", "sms", "13900000001"),
    ]
    assert all(m.urgent for m in staff_messages)
    body = staff_messages.filter(channel="sms").first().body
    assert "3号楼发生停电" in body and "A-YJ2026-0001" in body
    assert open_power_cut.staff_notified == 3  # no step of a power cut is security's


def test_the_duty_roster_narrows_a_department(staff, building_3, neighbours, supervisor):
    from propdesk.accounts.models import Role
    from propdesk.community.services.incidents import duty_shift_add
    from propdesk.conftest import make_user

    other = make_user("engineer2", Role.TECHNICIAN, building_3.community)
    other.department = staff["technician"].department
    other.save(update_fields=["department"])
    duty_shift_add(
        actor=supervisor,
        community=building_3.community,
        user=other,
        starts_at=at("2026-07-10 08:00"),
        ends_at=at("2026-07-10 20:00"),
    )
    _open(staff["agent"], building_3.community, building_ids=[building_3.id])
    told = set(
        OutboxMessage.objects.filter(event="incident.staff").values_list(
            "recipient_user__username", flat=True
        )
    )
    assert "engineer2" in told and "technician" not in told


def test_it_broadcasts_to_every_resident_of_the_scope_once_per_channel(open_power_cut, owner_a):
    messages = OutboxMessage.objects.filter(event="incident.broadcast")
    got = sorted(messages.values_list("channel", "recipient"))
    assert got == [
        ("in_app", "owner"),
        ("in_app", "wangwu"),
        ("sms", "13700000001"),
        ("sms", "13700000002"),
        ("sms", "13700000003"),
        ("sms", "13812345678"),
    ]
    assert all(m.urgent and m.status == "sent" for m in messages)
    assert "预计" in messages.first().body and "2026-07-10 19:00" in messages.first().body
    broadcast = IncidentBroadcast.objects.get(incident=open_power_cut)
    assert broadcast.recipients == 4 and broadcast.delivered_at is not None
    assert not messages.filter(recipient="13700000004").exists()  # building 4


def test_a_drill_is_never_broadcast(
    staff, neighbours, building_3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = _open(
            staff["agent"], building_3.community, building_ids=[building_3.id], is_drill=True
        )
    assert incident.tasks.count() == 6
    assert not IncidentBroadcast.objects.exists()
    assert not OutboxMessage.objects.filter(event="incident.broadcast").exists()
    assert OutboxMessage.objects.filter(event="incident.staff").exists()


def test_the_timeline_starts_with_the_opening(open_power_cut):
    actions = list(
        IncidentEntry.objects.filter(incident=open_power_cut).values_list("action", flat=True)
    )
    assert actions == ["opened", "staff_notified", "broadcast", "broadcast_queued"]


@pytest.mark.parametrize("role", ["cashier", "technician", "owner", "other_agent"])
def test_it_refuses_roles_and_other_communities(personas, role, building_3, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        _open(personas[role], building_3.community, building_ids=[building_3.id])


def test_a_guard_may_open_one(personas, building_3):
    incident = _open(personas["guard"], building_3.community, building_ids=[building_3.id])
    assert incident.opened_by == personas["guard"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "meteor"}, "kind"),
        ({"kind": None}, "kind"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"place": ""}, "place"),
        ({"place": "x" * 201}, "place"),
        ({"place": "3号楼\x00"}, "place"),
        ({"building_ids": []}, "buildings"),
        ({"building_ids": ["abc"]}, "buildings"),
        ({"building_ids": "3"}, "buildings"),
        ({"unit_ids": [999999]}, "units"),
        ({"expected_restore_at": at("2026-07-09 10:00")}, "expected_restore_at"),
        ({"expected_restore_at": at("2027-07-09 10:00")}, "expected_restore_at"),
        ({"expected_restore_at": "tomorrow"}, "expected_restore_at"),
        ({"broadcast_text": "停" * 501}, "broadcast_text"),
    ],
)
def test_it_refuses_bad_input(agent, building_3, changes, field, nothing_changes):
    values = {"building_ids": [building_3.id], **changes}
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _open(agent, building_3.community, **values)
    assert refused.value.field == field


def test_it_refuses_another_communitys_building(agent, building_3, house_b, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _open(agent, building_3.community, building_ids=[house_b.building_id])
    assert refused.value.field == "buildings"


def test_it_refuses_another_communitys_request(agent, community_a, house_b, admin, nothing_changes):
    from propdesk.tickets.services.intake import request_create

    foreign = request_create(
        actor=admin,
        kind="repair",
        category="repair_electric",
        urgency="emergency",
        description="停电",
        house=house_b,
    )
    before = Incident.objects.count()
    with pytest.raises(NotFound) as refused:
        _open(agent, community_a, whole_community=True, source_request=foreign)
    assert refused.value.field == "source_request"
    assert Incident.objects.count() == before


def test_opened_from_a_request_it_links_the_request(agent, house_a, building_3):
    from propdesk.tickets.services.intake import request_create

    call = request_create(
        actor=agent,
        kind="repair",
        category="repair_electric",
        urgency="emergency",
        description="整栋楼停电了",
        house=house_a,
    )
    incident = _open(agent, building_3.community, whole_community=True, source_request=call)
    assert incident.source_request == call
    assert incident.linked_count == 1
    assert incident.links.get().request == call
    assert not PlanStep.objects.exists()  # the defaults were used, nothing saved
