"""Two workers handed the same export at once write one file (PostgreSQL; SQLite runs one writing
transaction at a time). The claim is one UPDATE testing the status on the job's row, and the
count of exports being written is taken under an advisory lock, so workers on several machines
never write more than MAX_RUNNING at once. Effects are counted at the edge: the exporter's
writes and the files in storage."""

import threading

import pytest
from django.core.files.storage import default_storage

from propdesk.core import exports
from propdesk.core.exports import Exporter, export_run
from propdesk.core.models import ExportJob
from propdesk.core.tests.concurrency import require_postgresql, run_together

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
Status = ExportJob.Status
JOBS = 10


@pytest.fixture(autouse=True)
def writes(monkeypatch):
    require_postgresql()
    written = []
    lock = threading.Lock()

    def write(actor, params, progress):
        with lock:
            written.append(params["n"])
        return f"list-{params['n']}.csv", b"house,owner\n"

    exporter = Exporter("test.count", lambda actor, params: (params, "list"), write)
    monkeypatch.setattr(exports, "EXPORTERS", {"test.count": exporter})
    monkeypatch.setattr(exports, "_run_later", lambda job_id: None)
    return written


def _files() -> set[str]:
    if not default_storage.exists(exports.DIRECTORY):
        return set()
    return set(default_storage.listdir(exports.DIRECTORY)[1])


def _jobs(user, count: int) -> list[int]:
    return [
        ExportJob.objects.create(
            kind="test.count", params={"n": n}, title="list", created_by=user
        ).pk
        for n in range(count)
    ]


def test_two_workers_handed_the_same_jobs_write_each_file_once(personas, writes, monkeypatch):
    monkeypatch.setattr(exports, "MAX_RUNNING", JOBS)
    before = _files()
    job_ids = _jobs(personas["supervisor"], JOBS)

    outcomes = run_together(2, lambda _i: [export_run(job_id) for job_id in job_ids])

    assert [o.get("error") for o in outcomes] == [None, None]
    for job_id, first, second in zip(job_ids, *[o["value"] for o in outcomes], strict=True):
        assert sorted([first, second]) == ["done", "skipped"], job_id
    assert sorted(writes) == list(range(JOBS))
    new_files = _files() - before
    assert len(new_files) == JOBS
    jobs = ExportJob.objects.filter(pk__in=job_ids)
    assert {job.status for job in jobs} == {Status.DONE}
    assert {job.path.rsplit("/", 1)[-1] for job in jobs} == new_files


def test_two_workers_never_write_more_than_max_running_at_once(personas, writes):
    assert exports.MAX_RUNNING == 1
    job_ids = _jobs(personas["supervisor"], 2)
    for _round in range(10):
        ExportJob.objects.filter(pk__in=job_ids).update(status=Status.QUEUED, started_at=None)
        claims = run_together(
            2, lambda i: exports._claim(job_ids[i], exports.timezone.now()), timeout=30
        )
        assert sorted(o["value"] for o in claims) == ["claimed", "waiting"]
        assert ExportJob.objects.filter(status=Status.RUNNING).count() == 1
