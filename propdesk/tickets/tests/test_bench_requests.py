"""bench/requests.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The figures come from a million seeded requests (bench/README-requests.md); this only proves the
script still seeds, serves the project with gunicorn, creates requests through the API, pages the
queues, and reports.
"""

from propdesk.core.tests.bench_smoke import run_tiny

KINDS = {
    "mine",
    "department",
    "unassigned",
    "due_soon",
    "overdue",
    "follow_up",
    "all",
    "search_leak",
    "search_two_words",
}


def test_the_bench_runs_in_tiny_mode(tmp_path):
    result, report = run_tiny(
        "requests.py",
        *("--repetitions", "2", "--duration", "1", "--rounds", "1"),
        tmp_path=tmp_path,
        timeout=600,  # seeding, gunicorn's start and four endpoints: about 4 minutes at a load of 5
    )
    assert report["requests"] == 5000
    assert {(row["user"], row["kind"]) for row in report["queues"]} == {
        (user, kind) for user in ("agent", "admin") for kind in KINDS
    }
    for row in report["queues"]:
        assert row["n"] == 2
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
    (round_,) = report["throughput"]["rounds"]
    for name in ("hello", "write", "floor", "create"):
        assert round_[name]["requests"] > 0, round_[name]
        assert round_[name]["failed"] == 0, round_[name]["errors"]
    assert report["throughput"]["median_ratio"] == round_["ratio"] > 0
    assert report["throughput"]["median_write_ratio"] == round_["write_ratio"] > 0
    assert "create/hello ratio (median of rounds)" in result.stdout
