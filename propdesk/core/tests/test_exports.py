"""Exports written by the worker: asked for, claimed once, written with progress, handed only to
the user who asked, failed with a message the user can read, swept when lost, stuck or old."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from propdesk.core import exports
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.exports import Exporter, export_run, export_start, exports_sweep
from propdesk.core.models import ExportJob
from propdesk.core.permissions import Perm, require

Status = ExportJob.Status


def _check(actor, params):
    require(actor, Perm.REQUEST_REPORTS)
    rows = params.get("rows")
    if not isinstance(rows, int) or not 0 <= rows <= 1000:
        raise ValidationFailed("Give 0 to 1,000 rows.", field="rows")
    return {"rows": rows}, f"{rows} rows"


def _write(actor, params, progress):
    for n in range(params["rows"]):
        progress(n + 1, params["rows"])
    return "rows.csv", "\n".join(str(n) for n in range(params["rows"])).encode()


def _broken(actor, params, progress):
    raise RuntimeError("disk full")


def _refusing(actor, params, progress):
    raise PermissionDenied("No longer yours.")


@pytest.fixture(autouse=True)
def exporters(monkeypatch):
    registry = {
        "test.rows": Exporter("test.rows", _check, _write),
        "test.broken": Exporter("test.broken", _check, _broken),
        "test.refusing": Exporter("test.refusing", _check, _refusing),
    }
    monkeypatch.setattr(exports, "EXPORTERS", registry)
    return registry


def _queued(user, kind="test.rows", rows=3) -> ExportJob:
    """A job asked for, its task not yet run (as when the worker is busy)."""
    return export_start(actor=user, kind=kind, params={"rows": rows})


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- asking -----------------------------------------------------------------------------------


def test_asking_queues_a_job_that_the_worker_writes_after_commit(
    personas, django_capture_on_commit_callbacks
):
    supervisor = personas["supervisor"]
    with django_capture_on_commit_callbacks(execute=True):
        job = _queued(supervisor, rows=5)
        assert ExportJob.objects.get(pk=job.pk).status == Status.QUEUED
    job.refresh_from_db()
    assert (job.status, job.title, job.filename, job.size) == (Status.DONE, "5 rows", "rows.csv", 9)
    assert job.params == {"rows": 5}
    assert job.percent == 100
    assert job.started_at is not None and job.finished_at is not None
    with default_storage.open(job.path) as handle:
        assert handle.read() == b"0\n1\n2\n3\n4"
    assert job.path.startswith("exports/") and "rows" not in job.path  # a random name


def test_an_unknown_kind_is_refused_naming_the_field(personas):
    with pytest.raises(ValidationFailed) as caught:
        export_start(actor=personas["supervisor"], kind="nope", params={})
    assert caught.value.field == "kind" and caught.value.code == "unknown_export"
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("rows", [None, "3", -1, 10**9, [1], "<script>"])
def test_bad_parameters_are_refused_by_the_exporter_and_nothing_is_queued(personas, rows):
    with pytest.raises(ValidationFailed) as caught:
        export_start(actor=personas["supervisor"], kind="test.rows", params={"rows": rows})
    assert caught.value.field == "rows"
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard", "owner"])
def test_a_user_without_the_right_cannot_ask(personas, role):
    with pytest.raises(PermissionDenied):
        _queued(personas[role])
    assert not ExportJob.objects.exists()


def test_at_most_three_unfinished_exports_per_user(personas):
    supervisor = personas["supervisor"]
    for _n in range(exports.MAX_UNFINISHED):
        _queued(supervisor)
    with pytest.raises(Conflict) as caught:
        _queued(supervisor)
    assert caught.value.code == "too_many_exports"
    assert ExportJob.objects.count() == exports.MAX_UNFINISHED
    _queued(personas["admin"])  # somebody else still may


def test_the_language_of_the_page_is_the_language_of_the_file(personas):
    with translation.override("zh-hans"):
        job = _queued(personas["supervisor"], kind="test.broken")
    assert job.language == "zh-hans"
    assert export_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == "文件未能写成。请稍后再试。"


# --- the worker -------------------------------------------------------------------------------


def test_a_job_is_written_once_even_when_its_task_runs_twice(personas):
    job = _queued(personas["supervisor"])
    assert export_run(job.pk) == "done"
    first = ExportJob.objects.get(pk=job.pk).path
    assert export_run(job.pk) == "skipped"
    assert ExportJob.objects.get(pk=job.pk).path == first


def test_one_export_is_written_at_a_time_and_the_next_waits_its_turn(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    later = []
    monkeypatch.setattr(exports, "_run_later", later.append)
    first = _queued(personas["supervisor"])
    second = _queued(personas["admin"])
    ExportJob.objects.filter(pk=first.pk).update(status=Status.RUNNING, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert export_run(second.pk) == "waiting"
    assert later == [second.pk]  # tried again in a few seconds
    assert ExportJob.objects.get(pk=second.pk).status == Status.QUEUED
    # A writer dead for longer than STUCK_AFTER holds nobody up.
    ExportJob.objects.filter(pk=first.pk).update(
        started_at=timezone.now() - exports.STUCK_AFTER - datetime.timedelta(seconds=1)
    )
    assert export_run(second.pk) == "done"


def test_a_job_already_taken_is_not_scheduled_again(personas, monkeypatch):
    later = []
    monkeypatch.setattr(exports, "_run_later", later.append)
    job = _queued(personas["supervisor"])
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    assert export_run(job.pk) == "skipped"
    assert later == []


def test_progress_is_written_while_the_file_is_written(personas, monkeypatch):
    job = _queued(personas["supervisor"], rows=4)
    seen = []

    def watching(actor, params, progress):
        progress(2, 4)
        seen.append(ExportJob.objects.values_list("status", "done", "total").get(pk=job.pk))
        return "x.csv", b"x"

    monkeypatch.setitem(exports.EXPORTERS, "test.rows", Exporter("test.rows", _check, watching))
    export_run(job.pk)
    assert seen == [(Status.RUNNING, 2, 4)]


def test_a_crash_fails_the_job_with_a_message_for_the_user(personas):
    job = _queued(personas["supervisor"], kind="test.broken")
    assert export_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "文件未能写成。请稍后再试。"
    assert "disk full" not in job.error
    assert not job.path


def test_a_refusal_while_writing_is_the_users_message(personas):
    job = _queued(personas["supervisor"], kind="test.refusing")
    export_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "No longer yours.")


def test_a_user_who_lost_the_right_meanwhile_gets_no_file(personas):
    supervisor = personas["supervisor"]
    job = _queued(supervisor)
    supervisor.role = "agent"
    supervisor.save()
    export_run(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and not job.path


def test_a_deactivated_account_gets_no_file(personas):
    supervisor = personas["supervisor"]
    job = _queued(supervisor)
    supervisor.is_active = False
    supervisor.save()
    export_run(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "申请该文件的账号已停用。"


# --- the sweep --------------------------------------------------------------------------------


def test_the_sweep_queues_again_a_job_whose_task_was_lost(personas):
    job = _queued(personas["supervisor"])
    assert exports_sweep()["requeued"] == 0  # too fresh: its task may be on its way
    later = timezone.now() + exports.REQUEUE_AFTER + datetime.timedelta(seconds=1)
    assert exports_sweep(now=later)["requeued"] == 1
    job.refresh_from_db()
    assert job.status == Status.DONE  # the test worker runs tasks at once


def test_the_sweep_fails_a_job_whose_worker_died(personas):
    job = _queued(personas["supervisor"])
    ExportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    later = timezone.now() + exports.STUCK_AFTER + datetime.timedelta(seconds=1)
    assert exports_sweep(now=timezone.now())["failed"] == 0
    assert exports_sweep(now=later)["failed"] == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.FAILED, "后台任务在写文件时中断，请重新导出。")


def test_the_sweep_deletes_week_old_jobs_and_their_files(personas):
    old = _queued(personas["supervisor"])
    export_run(old.pk)
    old.refresh_from_db()
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - exports.KEEP_FOR - datetime.timedelta(hours=1)
    )
    fresh = _queued(personas["supervisor"])
    export_run(fresh.pk)
    assert exports_sweep()["deleted"] == 1
    assert not default_storage.exists(old.path)
    assert list(ExportJob.objects.values_list("id", flat=True)) == [fresh.pk]


# --- reading and pages ------------------------------------------------------------------------


def test_only_the_user_who_asked_sees_the_job_and_its_file(personas):
    job = _queued(personas["supervisor"])
    export_run(job.pk)
    assert exports.export_for_user(personas["supervisor"], job.pk) == job
    for other in ("admin", "agent"):
        with pytest.raises(NotFound):
            exports.export_for_user(personas[other], job.pk)
        with pytest.raises(NotFound):
            exports.export_open(personas[other], job.pk)


def test_a_file_not_ready_or_deleted_is_not_handed_out(personas):
    job = _queued(personas["supervisor"])
    with pytest.raises(Conflict):
        exports.export_open(personas["supervisor"], job.pk)
    export_run(job.pk)
    job.refresh_from_db()
    default_storage.delete(job.path)
    with pytest.raises(NotFound):
        exports.export_open(personas["supervisor"], job.pk)


def test_the_pages_of_an_export(personas):
    supervisor = personas["supervisor"]
    waiting = _queued(supervisor, rows=2)
    done = _queued(supervisor, rows=3)
    export_run(done.pk)
    client = client_for(supervisor)

    listing = client.get(reverse("export_list"))
    assert listing.status_code == 200
    assert [j.id for j in listing.context["jobs"]] == [done.id, waiting.id]
    assert reverse("export_download", args=[done.id]).encode() in listing.content

    page = client.get(reverse("export_detail", args=[waiting.id]))
    assert page.status_code == 200 and b"<html" in page.content
    assert b'data-status="queued"' in page.content and b'hx-trigger="every 1s"' in page.content
    partial = client.get(reverse("export_detail", args=[done.id]), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'data-status="done"' in partial.content
    assert b"hx-trigger" not in partial.content  # finished: polling stops

    download = client.get(reverse("export_download", args=[done.id]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="rows.csv"'
    assert b"".join(download.streaming_content) == b"0\n1\n2"
    early = client.get(reverse("export_download", args=[waiting.id]))
    assert early.status_code == 302
    assert early["Location"] == reverse("export_detail", args=[waiting.id])


def test_an_empty_list_says_so(personas):
    response = client_for(personas["agent"]).get(reverse("export_list"))
    assert response.status_code == 200 and b'data-testid="export-empty"' in response.content


def test_a_failed_export_shows_its_message(personas):
    job = _queued(personas["supervisor"], kind="test.broken")
    export_run(job.pk)
    page = client_for(personas["supervisor"]).get(reverse("export_detail", args=[job.id]))
    assert b'data-testid="export-error"' in page.content
    assert "文件未能写成。".encode() in page.content


def test_other_users_owners_and_strangers_are_kept_out(personas):
    job = _queued(personas["supervisor"])
    export_run(job.pk)
    for url in (
        reverse("export_detail", args=[job.id]),
        reverse("export_download", args=[job.id]),
    ):
        assert client_for(personas["admin"]).get(url).status_code == 404
        assert client_for(personas["owner"]).get(url).status_code == 403
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(personas["owner"]).get(reverse("export_list")).status_code == 403
    assert (
        client_for(personas["admin"]).get(reverse("export_detail", args=[10**12])).status_code
        == 404
    )


def test_waiting_is_a_task_scheduled_in_the_queue(personas):
    from huey.contrib.djhuey import HUEY

    job = _queued(personas["supervisor"])
    before = HUEY.scheduled_count()
    exports._run_later(job.pk)
    assert HUEY.scheduled_count() == before + 1
    HUEY.flush()
