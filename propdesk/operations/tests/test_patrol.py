"""Patrol inspections: rounds scheduled from plans, points checked by QR code or typed code,
findings becoming patrol requests, missed and late points counted, and the month's figures."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from propdesk.core.errors import AppError
from propdesk.operations import error_codes, selectors
from propdesk.operations.models import PatrolCheck, PatrolPhoto, PatrolRound, RoundStatus
from propdesk.operations.services import patrol
from propdesk.operations.tests.conftest import at

pytestmark = pytest.mark.django_db


def photo(name="light.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def refusal(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


def nothing_written(before: tuple) -> bool:
    return before == (PatrolCheck.objects.count(), PatrolPhoto.objects.count())


def counts() -> tuple:
    return (PatrolCheck.objects.count(), PatrolPhoto.objects.count())


def test_the_scheduler_creates_each_round_once(night):
    patrol_round, points, _other, plan = night
    assert patrol_round.due_at == at("2026-07-08 22:00")
    assert patrol_round.due_by == at("2026-07-09 00:00")
    assert (patrol_round.points_due, patrol_round.assignee.username) == (4, "guard")
    with time_machine.travel(at("2026-07-08 21:30"), tick=False):
        assert patrol.rounds_schedule() == 0
    with time_machine.travel(at("2026-07-09 21:00"), tick=False):
        assert patrol.rounds_schedule() == 1
    assert PatrolRound.objects.count() == 2


def test_a_weekly_plan_is_due_every_seventh_day(night):
    *_, plan = night
    plan.every_days = 7
    days = plan.due_days(datetime.date(2026, 7, 2), datetime.date(2026, 7, 31))
    assert days == [datetime.date(2026, 7, d) for d in (8, 15, 22, 29)]


def test_a_night_patrol_scans_three_points_skips_one_and_reports_a_broken_light(personas, night):
    patrol_round, points, _other, _plan = night
    guard = personas["guard"]
    with time_machine.travel(at("2026-07-08 22:05"), tick=False):
        patrol.check_record(actor=guard, patrol_round=patrol_round, code=points[0].qr_text())
        patrol.check_record(
            actor=guard,
            patrol_round=patrol_round,
            code="GARAGE-1",  # typed, in capitals
            failed=[1],
            note="入口灯不亮",
            category="repair_electric",
            photos=[photo()],
        )
        patrol.point_skip(
            actor=guard, patrol_round=patrol_round, code="pump-room", reason="泵房门锁坏了进不去"
        )
    with time_machine.travel(at("2026-07-09 00:10"), tick=False):
        patrol.check_record(actor=guard, patrol_round=patrol_round, code="roof-3")
        done = patrol.round_finish(actor=guard, patrol_round=patrol_round)
    assert (done.status, done.points_due, done.points_checked, done.points_missed) == (
        RoundStatus.DONE,
        4,
        3,
        1,
    )
    assert done.points_late == 1 and done.walked_by == guard
    checks = list(PatrolCheck.objects.order_by("sequence"))
    assert [c.outcome for c in checks] == ["ok", "finding", "skipped", "ok"]
    finding = checks[1]
    assert finding.answers == {"门窗关闭": True, "照明正常": False}
    request = finding.request
    assert request.channel == "patrol" and request.category.code == "repair_electric"
    assert "地库入口" in request.description and "入口灯不亮" in request.description
    assert request.location == "3栋地库" and request.photos.count() == 1
    assert PatrolPhoto.objects.get().patrol_check == finding
    assert PatrolCheck.objects.filter(request__isnull=False).count() == 1


def test_another_communitys_qr_code_is_refused_and_nothing_is_written(personas, night):
    patrol_round, _points, other, _plan = night
    before = counts()
    error = refusal(
        lambda: patrol.check_record(
            actor=personas["guard"], patrol_round=patrol_round, code=other.qr_text()
        )
    )
    assert (error.code, error.field) == (error_codes.POINT_OTHER_COMMUNITY, "code")
    assert nothing_written(before)


@pytest.mark.parametrize(
    "code, expected",
    [
        ("", "required"),
        ("nowhere", error_codes.POINT_NOT_ON_ROUTE),
        ("gate-n\x00", "invalid"),
        ("<script>alert(1)</script>", error_codes.POINT_NOT_ON_ROUTE),
        ("gate-n'; DROP TABLE operations_patrolcheck; --", error_codes.POINT_NOT_ON_ROUTE),
        ("x" * 200, "too_long"),
    ],
)
def test_bad_codes_are_refused_naming_the_field(personas, night, code, expected):
    patrol_round, *_ = night
    before = counts()
    error = refusal(
        lambda: patrol.check_record(actor=personas["guard"], patrol_round=patrol_round, code=code)
    )
    assert (error.code, error.field) == (expected, "code")
    assert nothing_written(before)


def test_a_replayed_check_is_refused(personas, night):
    patrol_round, *_ = night
    patrol.check_record(actor=personas["guard"], patrol_round=patrol_round, code="gate-n")
    before = counts()
    error = refusal(
        lambda: patrol.check_record(
            actor=personas["guard"], patrol_round=patrol_round, code="gate-n"
        )
    )
    assert error.code == error_codes.POINT_ALREADY_CHECKED and nothing_written(before)


def test_bad_answers_notes_and_photos_are_refused(personas, night):
    patrol_round, *_ = night
    guard = personas["guard"]
    before = counts()
    for kwargs, code, field in [
        ({"failed": [5]}, error_codes.BAD_ANSWERS, "failed"),
        ({"failed": ["1"]}, error_codes.BAD_ANSWERS, "failed"),
        ({"failed": [0]}, error_codes.FINDING_NEEDS_NOTE, "note"),
        ({"finding": True, "note": "x", "category": "fees"}, "invalid", "category"),
        (
            {"photos": [SimpleUploadedFile("a.jpg", b"<html>", content_type="image/jpeg")]},
            "not_an_image",
            "photos",
        ),
    ]:
        error = refusal(
            lambda kwargs=kwargs: patrol.check_record(
                actor=guard, patrol_round=patrol_round, code="gate-n", **kwargs
            )
        )
        assert (error.code, error.field) == (code, field)
    assert nothing_written(before)
    from propdesk.tickets.models import ServiceRequest

    assert not ServiceRequest.objects.exists()


def test_only_the_assigned_patroller_or_a_supervisor_walks_the_round(personas, night):
    patrol_round, *_ = night
    before = counts()
    for role in ("technician", "agent", "cashier", "owner", "other_agent"):
        error = refusal(
            lambda role=role: patrol.check_record(
                actor=personas[role], patrol_round=patrol_round, code="gate-n"
            )
        )
        assert error.status == 403
    assert nothing_written(before)
    patrol.check_record(actor=personas["supervisor"], patrol_round=patrol_round, code="gate-n")


def test_the_sweep_closes_overdue_rounds_once_and_counts_missed_points(personas, night):
    patrol_round, *_ = night
    with time_machine.travel(at("2026-07-08 23:00"), tick=False):
        patrol.check_record(actor=personas["guard"], patrol_round=patrol_round, code="gate-n")
    with time_machine.travel(at("2026-07-09 21:00"), tick=False):
        patrol.rounds_schedule()
    with time_machine.travel(at("2026-07-10 01:00"), tick=False):
        assert patrol.rounds_sweep() == 2
        assert patrol.rounds_sweep() == 0
    first, second = PatrolRound.objects.order_by("due_at")
    assert (first.status, first.points_checked, first.points_missed) == ("done", 1, 3)
    assert (second.status, second.points_checked, second.points_missed) == ("missed", 0, 4)
    error = refusal(
        lambda: patrol.check_record(actor=personas["guard"], patrol_round=first, code="roof-3")
    )
    assert error.code == error_codes.ROUND_CLOSED


def test_the_months_figures_per_route_person_and_month(personas, night):
    patrol_round, *_ = night
    with time_machine.travel(at("2026-07-08 22:10"), tick=False):
        for code in ("gate-n", "garage-1", "pump-room"):
            patrol.check_record(actor=personas["guard"], patrol_round=patrol_round, code=code)
        patrol.round_finish(actor=personas["guard"], patrol_round=patrol_round)
    with time_machine.travel(at("2026-07-09 21:00"), tick=False):
        patrol.rounds_schedule()
    with time_machine.travel(at("2026-07-10 01:00"), tick=False):
        patrol.rounds_sweep()
    figures = selectors.patrol_figures(personas["agent"], month=datetime.date(2026, 7, 1))
    assert figures["total"]["due"] == 8 and figures["total"]["checked"] == 3
    assert figures["total"]["rate"] == 37.5 and figures["total"]["missed_rounds"] == 1
    assert [(r["name"], r["rate"]) for r in figures["routes"]] == [("夜间安保巡逻", 37.5)]
    guard = personas["guard"]
    assert [(r["name"], r["rate"], r["missed_rounds"]) for r in figures["people"]] == [
        (guard.display_name, 37.5, 1)
    ]
    assert figures["months"][-1]["rate"] == 37.5 and figures["months"][0]["rate"] is None
    assert (
        selectors.patrol_figures(personas["other_agent"], month=datetime.date(2026, 7, 1))["total"][
            "rounds"
        ]
        == 0
    )


def test_routes_refuse_unknown_repeated_and_foreign_points(personas, night, community_a):
    supervisor = personas["supervisor"]
    for codes, code in [
        ([], error_codes.ROUTE_EMPTY),
        (["gate-n", "gate-n"], error_codes.POINT_REPEATED),
        (["gate-n", "nowhere"], error_codes.POINT_OTHER_COMMUNITY),
    ]:
        error = refusal(
            lambda codes=codes: patrol.route_create(
                actor=supervisor, community=community_a, name="R", point_codes=codes
            )
        )
        assert (error.code, error.field) == (code, "points")
    error = refusal(
        lambda: patrol.route_create(
            actor=personas["guard"], community=community_a, name="R", point_codes=["gate-n"]
        )
    )
    assert error.status == 403


def test_a_plan_refuses_a_bad_frequency_and_a_patroller_of_another_community(personas, night):
    _round, _points, _other, plan = night
    for kwargs, code, field in [
        ({"every_days": 0}, error_codes.BAD_FREQUENCY, "every_days"),
        ({"every_days": "daily"}, error_codes.BAD_FREQUENCY, "every_days"),
        ({"window_minutes": 100000}, error_codes.BAD_FREQUENCY, "window_minutes"),
        ({"assignee": personas["other_agent"]}, error_codes.BAD_PATROLLER, "assignee"),
        ({"assignee": personas["cashier"]}, error_codes.BAD_PATROLLER, "assignee"),
    ]:
        values = {
            "name": "P",
            "every_days": 7,
            "starts_on": datetime.date(2026, 7, 1),
            "start_time": datetime.time(9, 0),
            "window_minutes": 60,
            **kwargs,
        }
        error = refusal(
            lambda values=values: patrol.plan_create(
                actor=personas["supervisor"], route=plan.route, **values
            )
        )
        assert (error.code, error.field) == (code, field)
