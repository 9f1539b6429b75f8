"""Importing a call-detail CSV: a dry run lists bad rows, the import writes all or nothing, and
calls already recorded are skipped."""

import pytest

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.quality.models import Call, CallState
from propdesk.quality.services.cdr_import import calls_import
from propdesk.quality.tests.conftest import csv_file

pytestmark = pytest.mark.django_db

GOOD = (
    "P1,inbound,4008001000,13812345678,8001,2026-07-09 09:00:00,2026-07-09 09:00:02,"
    "2026-07-09 09:03:02,agent,\n"
    "P2,呼入,4008001000,13900001111,,2026-07-09 09:10:00,,2026-07-09 09:10:25,caller,\n"
    "P3,outbound,4008001000,13900001111,8001,2026-07-09 09:20:00,2026-07-09 09:20:09,"
    "2026-07-09 09:21:00,agent,2\n"
)


def test_a_dry_run_writes_nothing(supervisor, line_a, extension, nothing_changes):
    with nothing_changes():
        report = calls_import(actor=supervisor, upload=csv_file(GOOD), dry_run=True)
    assert (report.rows, report.new, report.error_count, report.written) == (3, 3, 0, False)


def test_the_import_records_every_call(supervisor, line_a, extension, zhang_san):
    report = calls_import(actor=supervisor, upload=csv_file(GOOD), dry_run=False)
    assert report.written and report.new == 3
    answered, abandoned, outbound = (Call.objects.get(pbx_call_id=p) for p in ("P1", "P2", "P3"))
    assert (answered.state, answered.wait_seconds, answered.talk_seconds) == ("answered", 2, 180)
    assert answered.owner == zhang_san and answered.agent == extension.user
    assert abandoned.state == CallState.ABANDONED
    assert outbound.rings == 2
    # The outbound call reached the number that had rung off: it left the call-back queue.
    abandoned.refresh_from_db()
    assert abandoned.called_back_at is not None


def test_importing_twice_records_each_call_once(supervisor, line_a):
    calls_import(actor=supervisor, upload=csv_file(GOOD), dry_run=False)
    report = calls_import(actor=supervisor, upload=csv_file(GOOD), dry_run=False)
    assert (report.new, report.duplicates) == (0, 3)
    assert Call.objects.count() == 3


def test_gb18030_files_and_chinese_headers_are_read(supervisor, line_a):
    header = "通话编号,方向,热线号码,来电号码,分机,振铃时间,接听时间,挂机时间,挂机原因\n"
    rows = "G1,呼入,4008001000,13812345678,,2026-07-09 09:00:00,,2026-07-09 09:00:30,超时\n"
    report = calls_import(
        actor=supervisor,
        upload=csv_file(rows, header=header, encoding="gb18030"),
        dry_run=False,
    )
    assert report.written
    assert Call.objects.get().state == CallState.MISSED


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",inbound,4008001000,1381,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,", "call_id"),
        ("B1,inbound,4008009999,1381,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,", "line"),
        ("B1,inbound,4008002000,1381,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,", "line"),
        ("B1,sideways,4008001000,1381,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,", "direction"),
        ("B1,inbound,4008001000,<x>,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,", "number"),
        ("B1,inbound,4008001000,1381,,yesterday,,2026-07-09 09:00:30,,", "ring_at"),
        ("B1,inbound,4008001000,1381,,2026-07-11 09:00:00,,2026-07-11 09:00:30,,", "ring_at"),
        ("B1,inbound,4008001000,1381,,2026-07-09 09:00:00,2026-07-09 08:00:00,,,", "answered_at"),
        ("B1,inbound,4008001000,1381,,2026-07-09 09:00:00,,2026-07-09 08:00:00,,", "ended_at"),
        ("B1,inbound,4008001000,1381,,2026-07-09 09:00:00,,,,", "ended_at"),
        ("B1,inbound,4008001000,1381,,2026-07-09 09:00:00,,2026-07-09 09:00:30,,x", "rings"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(
    supervisor, line_a, line_b, nothing_changes, row, field
):
    with nothing_changes():
        report = calls_import(actor=supervisor, upload=csv_file(GOOD + row + "\n"), dry_run=False)
    assert not report.written
    assert report.error_count == 1
    assert (report.errors[0].row, report.errors[0].field) == (5, field)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02binary", b"number,agent\n1381,8001\n", b"\xff\xfe\xfa\xfb" * 10],
)
def test_a_file_that_is_not_a_call_detail_csv_is_refused(
    supervisor, line_a, nothing_changes, content
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls_import(actor=supervisor, upload=SimpleUploadedFile("x.csv", content), dry_run=False)
    assert error.value.field == "file"


def test_an_oversized_file_is_refused(supervisor, line_a, nothing_changes):
    big = csv_file("x" * (5 * 1024 * 1024 + 10))
    with nothing_changes(), pytest.raises(ValidationFailed) as error:
        calls_import(actor=supervisor, upload=big, dry_run=True)
    assert error.value.field == "file"


@pytest.mark.parametrize("role", ["agent", "technician", "owner", "other_agent"])
def test_only_supervisors_import(personas, line_a, nothing_changes, role):
    with nothing_changes(), pytest.raises(PermissionDenied):
        calls_import(actor=personas[role], upload=csv_file(GOOD), dry_run=False)
