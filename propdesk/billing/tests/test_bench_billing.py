"""bench/billing.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The figures come from a million seeded houses (bench/README-billing.md); this only proves the
script still seeds, runs the floor and the product's billing run, compares their bills and
reports.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "bench" / "billing.py"


def test_the_bench_runs_in_tiny_mode(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PROPDESK_VAR_DIR", "REDIS_URL"}
    }
    figures = tmp_path / "figures.json"

    result = subprocess.run(
        [sys.executable, str(BENCH), "--tiny", "--repetitions", "1", "--json", str(figures)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(figures.read_text())
    assert report["houses"] == 2000
    # The run bills every house the floor bills, and parking on top.
    assert report["floor_bills"] > 0
    assert report["full_run_bills"] >= report["floor_bills"]
    assert report["full_run_amount_fen"] >= report["floor_amount_fen"] > 0
    assert report["floor_median_s"] > 0 and report["full_run_median_s"] > 0
    assert report["peak_rss_mb"] > 0
