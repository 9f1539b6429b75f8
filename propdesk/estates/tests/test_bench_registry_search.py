"""bench/registry_search.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The benchmark's figures come from a million seeded houses (bench/README.md); this only proves the
script still seeds, logs in, draws queries, measures and reports.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "bench" / "registry_search.py"
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
    # The bench makes its own temporary SQLite database: nothing of the test run may leak in.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PROPDESK_VAR_DIR", "REDIS_URL"}
    }
    figures = tmp_path / "figures.json"

    result = subprocess.run(
        [sys.executable, str(BENCH), "--tiny", "--repetitions", "3", "--json", str(figures)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(figures.read_text())
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
