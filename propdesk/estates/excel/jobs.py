"""Roster imports as background jobs: a big file takes minutes, so the worker commits it and the
page shows its progress.

The job's state lives in the worker queue's key-value storage (the huey SQLite file or Redis), not
in the main database: the import holds one long transaction there, and progress written beside it
must neither wait for that transaction nor vanish with it. A worker claims a job with an atomic
write-if-absent of its claim key there, so a job handed to two workers is imported once.
"""

import json
import uuid
from dataclasses import asdict, dataclass, field

from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

from propdesk.core.errors import AppError, NotFound

KEY = "propdesk:roster-job:{}"
CLAIM_KEY = "propdesk:roster-job-claim:{}"


@dataclass
class RosterJob:
    id: str
    user_id: int
    community_id: int
    file_name: str
    status: str = "queued"  # queued | running | done | failed
    done: int = 0
    total: int = 0
    counts: dict = field(default_factory=dict)
    message: str = ""
    problems: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in {"done", "failed"}


def job_save(job: RosterJob) -> None:
    HUEY.storage.put_data(KEY.format(job.id), json.dumps(asdict(job)).encode())


def job_load(*, user, job_id: str) -> RosterJob:
    """The job if it is this user's; NotFound otherwise (ids are random, never guessable)."""
    try:
        uuid.UUID(job_id)
    except ValueError as exc:
        raise NotFound() from exc
    raw = HUEY.storage.peek_data(KEY.format(job_id))
    if raw is EmptyData:
        raise NotFound()
    job = RosterJob(**json.loads(raw))
    if job.user_id != user.pk:
        raise NotFound()
    return job


def job_start(*, user, community, pending) -> RosterJob:
    """Queue the commit of a previewed upload; the page follows it with `job_load`."""
    from propdesk.estates.tasks import roster_import_run

    job = RosterJob(
        id=str(uuid.uuid4()),
        user_id=user.pk,
        community_id=community.id,
        file_name=pending.original_name,
    )
    job_save(job)
    roster_import_run(job.id, pending.token, pending.original_name)
    return job


def job_run(*, job_id: str, token: str, file_name: str) -> RosterJob:
    """The worker's side: commit the kept file, all or nothing, reporting progress as it goes."""
    from propdesk.accounts.models import User
    from propdesk.core.permissions import Perm
    from propdesk.estates import selectors
    from propdesk.estates.excel.pending import PendingUpload
    from propdesk.estates.excel.roster_import import roster_commit, roster_preview

    raw = HUEY.storage.peek_data(KEY.format(job_id))
    if raw is EmptyData:  # the queue storage was flushed: nothing to report to
        PendingUpload(token=token, community_id=0, original_name=file_name).delete()
        return RosterJob(id=job_id, user_id=0, community_id=0, file_name=file_name, status="failed")
    job = RosterJob(**json.loads(raw))
    if job.finished:  # a retried task after a crash: the first run decided
        return job
    # The claim: one atomic write-if-absent in the queue storage (HSETNX on Redis, INSERT on
    # SQLite), so of two workers handed the same job one imports it and the other returns.
    if not HUEY.storage.put_if_empty(CLAIM_KEY.format(job_id), b"1"):
        return job
    pending = PendingUpload(token=token, community_id=job.community_id, original_name=file_name)
    job.status = "running"
    job_save(job)

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        job_save(job)

    try:
        user = User.objects.get(pk=job.user_id)
        community = selectors.community_for_user(user, job.community_id, Perm.REGISTRY_IMPORT)
        with pending.open() as upload:
            result = roster_commit(
                actor=user,
                community=community,
                uploaded=upload,
                filename=file_name,
                progress=progress,
            )
    except AppError as exc:
        job.status, job.message = "failed", str(exc.message)
        if exc.code == "bad_rows":
            with pending.open() as upload:
                preview = roster_preview(actor=user, community=community, uploaded=upload)
            job.problems = [
                {"row": p.row, "column": str(p.column_label), "message": str(p.message)}
                for p in preview.problems
            ]
    else:
        job.status, job.counts, job.done = "done", result.counts, job.total or len(result.houses)
    finally:
        pending.delete()
    job_save(job)
    return job
