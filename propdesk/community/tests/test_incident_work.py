"""Working an incident: ticking steps, broadcasting updates (also at night), linking calls,
notes and photos, closing, prevention items as requests, the report."""

import pytest
import time_machine

from propdesk.community.models import IncidentBroadcast, IncidentEntry, IncidentLink
from propdesk.community.report import incident_pdf, report_summary
from propdesk.community.services import incidents as service
from propdesk.community.tests.conftest import at
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import OutboxMessage
from propdesk.tickets.models import ServiceRequest


def test_any_staff_member_ticks_a_step_and_it_is_on_the_timeline(open_power_cut, staff, clock):
    task = open_power_cut.tasks.order_by("position").first()
    clock.move_to(at("2026-07-10 15:08"))
    done = service.task_done(actor=staff["technician"], task=task, note="供电局抢修车已出发")
    assert (done.done_at, done.done_by, done.note) == (
        at("2026-07-10 15:08"),
        staff["technician"],
        "供电局抢修车已出发",
    )
    entry = IncidentEntry.objects.filter(incident=open_power_cut).last()
    assert (entry.action, entry.data["late"]) == ("step_done", False)
    with pytest.raises(Conflict):
        service.task_done(actor=staff["agent"], task=task)
    undone = service.task_undo(actor=staff["agent"], task=task)
    assert undone.done_at is None


@pytest.mark.parametrize("role", ["cashier", "owner", "other_agent"])
def test_it_refuses_ticking_to_other_roles(open_power_cut, personas, role, nothing_changes):
    task = open_power_cut.tasks.first()
    with nothing_changes(), pytest.raises(PermissionDenied):
        service.task_done(actor=personas[role], task=task)


def test_an_update_is_broadcast_again_to_everyone_once(
    open_power_cut, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.incident_broadcast(
            actor=staff["agent"],
            incident=open_power_cut,
            text="抢修进展顺利，预计晚上8点恢复供电。",
            expected_restore_at=at("2026-07-10 20:00"),
        )
    open_power_cut.refresh_from_db()
    assert open_power_cut.expected_restore_at == at("2026-07-10 20:00")
    second = IncidentBroadcast.objects.filter(incident=open_power_cut).last()
    messages = OutboxMessage.objects.filter(
        dedupe_key__startswith=f"incident:{open_power_cut.id}:b{second.id}:"
    )
    assert messages.count() == 6
    assert second.recipients == 4
    # running the delivery again adds nothing
    IncidentBroadcast.objects.filter(pk=second.pk).update(delivered_at=None, claimed_at=None)
    assert service.broadcast_deliver(second.id) is True
    assert messages.count() == 6


def test_an_emergency_broadcast_ignores_quiet_hours_at_23_00(
    staff, neighbours, building_3, owner_a, django_capture_on_commit_callbacks, settings
):
    """张三 has quiet hours 22:00–08:00 on and SMS on; at 23:00 the broadcast still goes now."""
    from propdesk.notices.services.preferences import contact_preference_save

    contact_preference_save(
        actor=owner_a,
        sms_enabled=True,
        email_enabled=True,
        email="zs@example.com",
        quiet_hours_enabled=True,
        quiet_start="22:00",
        quiet_end="08:00",
    )
    settings.HUEY = {**settings.HUEY}
    with time_machine.travel(at("2026-07-10 23:00"), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            incident = service.incident_open(
                actor=staff["agent"],
                community=building_3.community,
                kind="water_cut",
                severity="major",
                place="3号楼",
                building_ids=[building_3.id],
            )
        mine = OutboxMessage.objects.filter(
            event="incident.broadcast", recipient_user=owner_a
        ).order_by("channel")
        assert [(m.channel, m.status, m.next_attempt_at) for m in mine] == [
            ("email", "sent", at("2026-07-10 23:00")),
            ("in_app", "sent", at("2026-07-10 23:00")),
            ("sms", "sent", at("2026-07-10 23:00")),
        ]
    assert incident.broadcasts.get().recipients == 4


def test_a_drill_refuses_broadcasts(staff, building_3, neighbours, nothing_changes):
    drill = service.incident_open(
        actor=staff["agent"],
        community=building_3.community,
        kind="fire",
        severity="minor",
        place="3号楼",
        building_ids=[building_3.id],
        is_drill=True,
    )
    with nothing_changes(), pytest.raises(Conflict):
        service.incident_broadcast(actor=staff["agent"], incident=drill, text="演练")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "停" * 501}, "text"),
        ({"kind": "opened"}, "kind"),
        ({"kind": "shout"}, "kind"),
        ({"expected_restore_at": at("2026-06-01 10:00")}, "expected_restore_at"),
    ],
)
def test_broadcast_refuses_bad_input(open_power_cut, agent, changes, field, nothing_changes):
    values = {"text": "进展", **changes}
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        service.incident_broadcast(actor=agent, incident=open_power_cut, **values)
    assert refused.value.field == field


@pytest.mark.parametrize("role", ["technician", "guard", "cashier", "owner", "other_agent"])
def test_broadcast_refuses_roles(open_power_cut, personas, role, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        service.incident_broadcast(actor=personas[role], incident=open_power_cut, text="x")


def test_a_second_owners_call_is_linked_and_counted(open_power_cut, staff, neighbours):
    link = service.incident_link(
        actor=staff["agent"],
        incident=open_power_cut,
        house=neighbours["h101"],
        caller_name="李四",
        note="家里停电了，问什么时候来电",
    )
    open_power_cut.refresh_from_db()
    assert open_power_cut.linked_count == 1
    assert (link.house, link.caller_name) == (neighbours["h101"], "李四")
    assert not ServiceRequest.objects.exists()


def test_a_request_is_linked_once(open_power_cut, staff, house_a):
    from propdesk.tickets.services.intake import request_create

    call = request_create(
        actor=staff["agent"],
        kind="repair",
        category="repair_electric",
        urgency="emergency",
        description="停电",
        house=house_a,
    )
    service.incident_link(actor=staff["agent"], incident=open_power_cut, request=call)
    with pytest.raises(Conflict):
        service.incident_link(actor=staff["agent"], incident=open_power_cut, request=call)
    assert IncidentLink.objects.filter(request=call).count() == 1


def test_it_refuses_a_house_outside_the_scope(open_power_cut, staff, neighbours, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        service.incident_link(
            actor=staff["agent"], incident=open_power_cut, house=neighbours["h401"], note="x"
        )
    assert refused.value.code == "outside_scope"


def test_it_refuses_another_communitys_request(
    open_power_cut, admin, agent, house_b, nothing_changes
):
    from propdesk.tickets.services.intake import request_create

    foreign = request_create(
        actor=admin,
        kind="repair",
        category="repair_electric",
        urgency="normal",
        description="x",
        house=house_b,
    )
    with nothing_changes(), pytest.raises(NotFound):
        service.incident_link(actor=agent, incident=open_power_cut, request=foreign)


def test_a_note_with_a_photo_goes_on_the_timeline(open_power_cut, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from propdesk.tickets.tests.conftest import png_bytes

    png = png_bytes()  # a picture Pillow decodes (uploads are decoded, not sniffed)
    entry = service.incident_note(
        actor=staff["technician"],
        incident=open_power_cut,
        note="配电房照片",
        photo=SimpleUploadedFile("p.png", png, content_type="image/png"),
    )
    assert (entry.action, entry.photo_type) == ("photo", "image/png")
    with pytest.raises(ValidationFailed) as refused:
        service.incident_note(
            actor=staff["technician"],
            incident=open_power_cut,
            note="",
            photo=SimpleUploadedFile("p.png", b"<script>", content_type="image/png"),
        )
    assert refused.value.field == "photo"
    with pytest.raises(ValidationFailed):
        service.incident_note(actor=staff["technician"], incident=open_power_cut, note="")


def _close(incident, actor, **kwargs):
    values = {
        "cause": "市政线路故障",
        "measures": "已协调电力公司抢修，启用备用电源",
        "prevention": "安装备用发电机\n每季度检查配电房",
        **kwargs,
    }
    return service.incident_close(actor=actor, incident=incident, **values)


def test_a_supervisor_closes_with_cause_measures_and_prevention(open_power_cut, supervisor, clock):
    clock.move_to(at("2026-07-10 19:05"))
    closed = _close(open_power_cut, supervisor, restored_at=at("2026-07-10 18:50"))
    assert (closed.status, closed.closed_at, closed.restored_at) == (
        "closed",
        at("2026-07-10 19:05"),
        at("2026-07-10 18:50"),
    )
    assert list(closed.follow_ups.values_list("text", flat=True)) == [
        "安装备用发电机",
        "每季度检查配电房",
    ]
    with pytest.raises(Conflict):
        _close(closed, supervisor)
    with pytest.raises(Conflict):
        service.task_done(actor=supervisor, task=closed.tasks.first())


@pytest.mark.parametrize(
    "role", ["agent", "technician", "guard", "cashier", "owner", "other_agent"]
)
def test_only_supervisors_close(open_power_cut, personas, role, nothing_changes):
    with nothing_changes(), pytest.raises(PermissionDenied):
        _close(open_power_cut, personas[role])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cause": ""}, "cause"),
        ({"measures": "  "}, "measures"),
        ({"prevention": "x" * 301}, "prevention"),
        ({"prevention": "\n".join(str(i) for i in range(21))}, "prevention"),
        ({"restored_at": at("2026-07-10 14:00")}, "restored_at"),
        ({"restored_at": at("2026-07-11 14:00")}, "restored_at"),
    ],
)
def test_closing_refuses_bad_input(open_power_cut, supervisor, changes, field, nothing_changes):
    with nothing_changes(), pytest.raises(ValidationFailed) as refused:
        _close(open_power_cut, supervisor, **changes)
    assert refused.value.field == field


def test_a_prevention_item_becomes_a_request_once(open_power_cut, supervisor, departments):
    closed = _close(open_power_cut, supervisor)
    item = closed.follow_ups.first()
    request = service.follow_up_request(actor=supervisor, item=item)
    assert (request.kind.code, request.category.code, request.building_id) == (
        "repair",
        "repair_electric",
        open_power_cut.buildings.get().id,
    )
    assert "安装备用发电机" in request.description
    with pytest.raises(Conflict):
        service.follow_up_request(actor=supervisor, item=item)


def test_the_report_reads_like_seed_003(open_power_cut, supervisor, clock):
    with __import__("django").utils.translation.override("zh-hans"):
        assert report_summary(open_power_cut) == (
            "2026-07-10 15:00，甲小区3号楼发生停电。预计2026-07-10 19:00恢复。"
        )
    _close(open_power_cut, supervisor)
    open_power_cut.refresh_from_db()
    pdf = incident_pdf(open_power_cut)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    text = _pdf_text(pdf)
    assert "甲小区" in text and "事件报告" in text
    assert "已协调电力公司抢修" in text and "安装备用发电机" in text


def _pdf_text(pdf: bytes) -> str:
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is installed by setup")
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def test_the_sweep_queues_a_broadcast_whose_task_was_lost(staff, neighbours, building_3, clock):
    incident = service.incident_open(  # no on-commit callbacks run: the task is "lost"
        actor=staff["agent"],
        community=building_3.community,
        kind="power_cut",
        severity="major",
        place="3号楼",
        building_ids=[building_3.id],
    )
    broadcast = incident.broadcasts.get()
    assert broadcast.delivered_at is None
    assert service.broadcasts_deliver_overdue() == 0  # not overdue yet
    clock.move_to(at("2026-07-10 15:02"))
    assert service.broadcasts_deliver_overdue() == 1
    broadcast.refresh_from_db()
    assert broadcast.recipients == 4
    assert service.broadcasts_deliver_overdue() == 0


def test_a_claimed_broadcast_is_not_queued_twice(staff, neighbours, building_3, clock):
    incident = service.incident_open(
        actor=staff["agent"],
        community=building_3.community,
        kind="power_cut",
        severity="major",
        place="3号楼",
        building_ids=[building_3.id],
    )
    broadcast = incident.broadcasts.get()
    IncidentBroadcast.objects.filter(pk=broadcast.pk).update(claimed_at=at("2026-07-10 15:00"))
    assert service.broadcast_deliver(broadcast.id) is False  # another worker has it
    clock.move_to(at("2026-07-10 15:06"))  # that worker died: the claim expired
    assert service.broadcast_deliver(broadcast.id) is True
    assert service.broadcast_deliver(broadcast.id) is False
    assert OutboxMessage.objects.filter(event="incident.broadcast").count() == 6
