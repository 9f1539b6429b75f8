"""Spreadsheets the worker prepares (ExportJob): asked for on a page, written in the background with
its progress shown, then handed to the user who asked and to nobody else.

An app declares what it can export with `exporter_register(Exporter(...))` in its `ready()`:

- `check(actor, params) -> (params, title)` refuses a user without the right, or bad parameters
  (PermissionDenied; ValidationFailed naming the field), and returns the clean parameters and the
  title the user sees. It runs when the export is asked for and again in the worker, so a user who
  lost the right in between gets no file.
- `write(actor, params, progress) -> (filename, content)` builds the file, as bytes or as an open
  binary file (a temporary file for a large sheet; it is closed once stored).
  `progress(done, total)` may be called for every row: it writes to the database at most a few
  times a second.

A user has at most `MAX_UNFINISHED` exports waiting at once, and the worker writes at most
`MAX_RUNNING` at a time: a company's house list takes a minute, and the worker's other threads
must stay free for the SLA sweep and the outbox. Files are kept for `KEEP_FOR` and
then deleted with their jobs by `exports_sweep`, which also puts back in the queue a job whose task
was lost and fails one whose worker died while writing, so that its user can ask again.
"""

import dataclasses
import datetime
import logging
import secrets
import time
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from propdesk.core import error_codes
from propdesk.core.errors import AppError, Conflict, NotFound, ValidationFailed
from propdesk.core.models import ExportJob

logger = logging.getLogger("propdesk.exports")

Status = ExportJob.Status
DIRECTORY = "exports"
MAX_UNFINISHED = 3
KEEP_FOR = datetime.timedelta(days=7)
REQUEUE_AFTER = datetime.timedelta(minutes=5)
STUCK_AFTER = datetime.timedelta(minutes=30)
PROGRESS_EVERY = 0.5  # seconds between two progress writes
MAX_RUNNING = 1  # exports written at once, whoever asked
WAIT_SECONDS = 10  # before a job that found the writers busy tries again


@dataclasses.dataclass(frozen=True)
class Exporter:
    kind: str
    check: Callable[[object, dict], tuple[dict, str]]
    write: Callable[[object, dict, Callable[[int, int | None], None]], tuple[str, bytes | IO]]


EXPORTERS: dict[str, Exporter] = {}


def exporter_register(exporter: Exporter) -> None:
    EXPORTERS[exporter.kind] = exporter


def _exporter(kind: str) -> Exporter:
    exporter = EXPORTERS.get(kind)
    if exporter is None:
        raise ValidationFailed(
            _("This export is not offered."), code=error_codes.UNKNOWN_EXPORT, field="kind"
        )
    return exporter


def export_start(*, actor, kind: str, params: dict) -> ExportJob:
    """Ask the worker for a file; the job comes back queued (or done, in an immediate worker)."""
    exporter = _exporter(kind)
    params, title = exporter.check(actor, dict(params))
    with transaction.atomic():
        unfinished = ExportJob.objects.filter(
            created_by=actor, status__in=(Status.QUEUED, Status.RUNNING)
        ).count()
        if unfinished >= MAX_UNFINISHED:
            raise Conflict(
                _("You have %(n)s exports being prepared already: wait for one to finish.")
                % {"n": unfinished},
                code=error_codes.TOO_MANY_EXPORTS,
            )
        job = ExportJob.objects.create(
            kind=kind,
            params=params,
            title=title[:200],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            created_by=actor,
        )
        transaction.on_commit(lambda: _run_soon(job.pk))
    return job


def _run_soon(job_id: int) -> None:
    from propdesk.core.tasks import export_run_task

    try:
        export_run_task(job_id)
    except Exception:  # the sweep puts it back in the queue
        logger.exception("could not hand export %s to the worker", job_id)


class _Progress:
    """`progress(done, total)` for an exporter: a row count written now and then, not every row."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        values = {"done": done} if total is None else {"done": done, "total": total}
        ExportJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(**values)


def _claim(job_id: int, now) -> str:
    """queued → running, unless another worker has it or `MAX_RUNNING` exports are being written
    (the worker's other threads stay free for the SLA sweep and the outbox)."""
    with transaction.atomic():
        _one_claim_at_a_time()
        running = ExportJob.objects.filter(
            status=Status.RUNNING, started_at__gte=now - STUCK_AFTER
        ).count()
        if running >= MAX_RUNNING:
            if ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).exists():
                transaction.on_commit(lambda: _run_later(job_id))
                return "waiting"
            return "skipped"
        claimed = ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=now
        )
    return "claimed" if claimed else "skipped"


CLAIM_LOCK = 0x70643031  # the PostgreSQL advisory lock held while an export is claimed


def _one_claim_at_a_time() -> None:
    """Claims count the running jobs then take one: on PostgreSQL a transaction-scoped advisory
    lock makes the two one step, so workers on several machines never write more than
    `MAX_RUNNING` at once (SQLite's IMMEDIATE transactions already run one at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIM_LOCK])


def _run_later(job_id: int) -> None:
    from propdesk.core.tasks import export_run_task

    try:
        export_run_task.schedule((job_id,), delay=WAIT_SECONDS)
    except Exception:  # the sweep puts it back in the queue
        logger.exception("could not schedule export %s again", job_id)


def export_run(job_id: int) -> str:
    """The worker: write the file of one queued job. A job already claimed is left alone; one
    that finds `MAX_RUNNING` others being written waits its turn."""
    now = timezone.now()
    claim = _claim(job_id, now)
    if claim != "claimed":
        return claim
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            if not job.created_by.is_active:
                raise NotFound(_("The account that asked for this file is no longer active."))
            exporter = _exporter(job.kind)
            params, _title = exporter.check(job.created_by, job.params)
            filename, content = exporter.write(job.created_by, params, _Progress(job.pk))
        except AppError as exc:
            _fail(job.pk, str(exc.message))
            return "failed"
        except Exception:
            logger.exception("export %s (%s) failed", job.pk, job.kind)
            _fail(job.pk, _("The file could not be written. Ask for it again later."))
            return "failed"
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    name = f"{DIRECTORY}/{secrets.token_urlsafe(24)}.{suffix}"
    if isinstance(content, bytes):
        path = default_storage.save(name, ContentFile(content))
    else:
        with content:
            path = default_storage.save(name, File(content))
    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        path=path,
        filename=filename[:200],
        size=default_storage.size(path),
        done=Coalesce("total", "done"),
        finished_at=timezone.now(),
    )
    return "done"


def _fail(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=Status.FAILED, error=message[:300], finished_at=timezone.now()
    )


def export_for_user(user, job_id) -> ExportJob:
    """One of the user's own exports; anybody else's is not found."""
    job = ExportJob.objects.filter(pk=job_id, created_by=user).first() if job_id else None
    if job is None:
        raise NotFound(_("No such export."))
    return job


def exports_of(user, *, limit: int = 30) -> list[ExportJob]:
    """The user's exports, newest first (they are kept for a week)."""
    return list(ExportJob.objects.filter(created_by=user).order_by("-created_at", "-id")[:limit])


def export_open(user, job_id):
    """The file of one of the user's finished exports, opened for reading, and its name."""
    job = export_for_user(user, job_id)
    if job.status != Status.DONE or not job.path:
        raise Conflict(_("This file is not ready."), code=error_codes.EXPORT_NOT_READY)
    try:
        return default_storage.open(job.path, "rb"), job.filename
    except FileNotFoundError as exc:
        raise NotFound(_("This file has been deleted; ask for it again.")) from exc


def exports_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Every few minutes: queue again the jobs whose task was lost, fail those whose worker died,
    and delete the jobs (and files) older than `KEEP_FOR`."""
    now = now or timezone.now()
    lost = list(
        ExportJob.objects.filter(
            status=Status.QUEUED, created_at__lt=now - REQUEUE_AFTER
        ).values_list("id", flat=True)[:100]
    )
    for job_id in lost:
        _run_soon(job_id)
    stuck = ExportJob.objects.filter(
        status=Status.RUNNING, started_at__lt=now - STUCK_AFTER
    ).update(
        status=Status.FAILED,
        error=_("The worker stopped while writing this file. Ask for it again."),
        finished_at=now,
    )
    old = ExportJob.objects.filter(created_at__lt=now - KEEP_FOR)
    deleted = 0
    for job_id, path in old.values_list("id", "path")[:1000]:
        if path:
            default_storage.delete(path)
        ExportJob.objects.filter(pk=job_id).delete()
        deleted += 1
    return {"requeued": len(lost), "failed": stuck, "deleted": deleted}
