"""bench/registry_search.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The benchmark's figures come from a million seeded houses (bench/README.md); this only proves the
script still seeds, logs in, draws queries, measures and reports.
"""

from propdesk.core.tests.bench_smoke import run_tiny

KINDS = {
    "stack_only",
    "house_code",
    "owner_name",
    "pinyin_initials",
    "pinyin_prefix",
    "mobile_tail",
    "mobile",
    "plate_prefix",
}


def test_the_bench_runs_in_tiny_mode(tmp_path):
    result, report = run_tiny("registry_search.py", "--repetitions", "3", tmp_path=tmp_path)

    assert report["houses"] == 600
    assert {(row["user"], row["kind"]) for row in report["results"]} == {
        (user, kind) for user in ("agent", "admin") for kind in KINDS
    }
    for row in report["results"]:
        assert row["n"] == 3
        if row["kind"] != "stack_only":  # the empty query that measures the stack alone
            assert row["empty"] == 0, row  # every query was drawn from data the user can see
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
    assert "p95 target <= 50 ms" in result.stdout
