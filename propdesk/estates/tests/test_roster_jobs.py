"""Roster imports run as worker jobs that report their progress."""

from propdesk.estates.excel import jobs
from propdesk.estates.excel.pending import pending_load, pending_save
from propdesk.estates.excel.roster_import import roster_commit
from propdesk.estates.models import House
from propdesk.estates.tests.test_roster_import import house_row, xlsx


def _rows(n: int) -> list[dict]:
    return [
        house_row(room=f"{n_floor + 1}{n_room + 1:02d}", floor=n_floor + 1)
        for n_floor in range(n // 4)
        for n_room in range(4)
    ]


def test_commit_reports_progress_every_fifty_houses(personas, community_a):
    calls = []
    roster_commit(
        actor=personas["supervisor"],
        community=community_a,
        uploaded=xlsx(_rows(120)),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(50, 120), (100, 120), (120, 120)]
    assert House.objects.filter(community=community_a).count() == 120


def test_a_job_commits_and_records_its_result(personas, community_a):
    supervisor = personas["supervisor"]
    ticket = pending_save(user=supervisor, community_id=community_a.id, uploaded=xlsx(_rows(8)))
    pending = pending_load(user=supervisor, ticket=ticket)
    job = jobs.job_start(user=supervisor, community=community_a, pending=pending)
    finished = jobs.job_load(user=supervisor, job_id=job.id)
    assert (finished.status, finished.counts["houses"], finished.done, finished.total) == (
        "done",
        8,
        8,
        8,
    )
    assert House.objects.filter(community=community_a).count() == 8


def test_a_job_run_twice_does_not_import_twice(personas, community_a):
    supervisor = personas["supervisor"]
    ticket = pending_save(user=supervisor, community_id=community_a.id, uploaded=xlsx(_rows(4)))
    pending = pending_load(user=supervisor, ticket=ticket)
    job = jobs.job_start(user=supervisor, community=community_a, pending=pending)
    again = jobs.job_run(job_id=job.id, token=pending.token, file_name=pending.original_name)
    assert again.status == "done"
    assert House.objects.filter(community=community_a).count() == 4
