"""A roster import handed to two workers at once imports the file once (PostgreSQL): the job is
claimed by an atomic write-if-absent in the queue storage before anything is read. Counted at
the edge: houses written, imports committed and the job's final state."""

import pytest

from propdesk.core.tests.concurrency import require_postgresql, run_together
from propdesk.estates.excel import jobs, roster_import
from propdesk.estates.excel.pending import pending_load, pending_save
from propdesk.estates.models import House
from propdesk.estates.tests.test_roster_import import house_row, xlsx

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
HOUSES = 40


def test_two_workers_handed_one_import_commit_it_once(personas, community_a, monkeypatch):
    require_postgresql()
    supervisor = personas["supervisor"]
    rows = [house_row(room=f"{f + 1}{r + 1:02d}", floor=f + 1) for f in range(10) for r in range(4)]
    ticket = pending_save(user=supervisor, community_id=community_a.id, uploaded=xlsx(rows))
    pending = pending_load(user=supervisor, ticket=ticket)
    job = jobs.RosterJob(
        id="6f1c2d1e-0000-4000-8000-000000000001",
        user_id=supervisor.pk,
        community_id=community_a.id,
        file_name=pending.original_name,
    )
    jobs.job_save(job)
    commits = []
    real_commit = roster_import.roster_commit

    def counting_commit(**kwargs):
        commits.append(1)
        return real_commit(**kwargs)

    monkeypatch.setattr(roster_import, "roster_commit", counting_commit)

    outcomes = run_together(
        2,
        lambda _i: (
            jobs.job_run(job_id=job.id, token=pending.token, file_name=pending.original_name).status
        ),
    )

    assert [o.get("error") for o in outcomes] == [None, None]
    assert len(commits) == 1
    assert House.objects.filter(community=community_a).count() == HOUSES
    finished = jobs.job_load(user=supervisor, job_id=job.id)
    assert (finished.status, finished.counts["houses"]) == ("done", HOUSES)
