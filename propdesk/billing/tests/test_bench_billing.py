"""bench/billing.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The figures come from a million seeded houses (bench/README-billing.md); this only proves the
script still seeds, runs the floor and the product's billing run, compares their bills and
reports.
"""

from propdesk.core.tests.bench_smoke import run_tiny


def test_the_bench_runs_in_tiny_mode(tmp_path):
    _result, report = run_tiny("billing.py", "--repetitions", "1", tmp_path=tmp_path, timeout=600)
    assert report["houses"] == 2000
    # The run bills every house the floor bills, and parking on top.
    assert report["floor_bills"] > 0
    assert report["full_run_bills"] >= report["floor_bills"]
    assert report["full_run_amount_fen"] >= report["floor_amount_fen"] > 0
    assert report["floor_median_s"] > 0 and report["full_run_median_s"] > 0
    assert report["peak_rss_mb"] > 0
