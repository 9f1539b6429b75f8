"""bench/quality.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The figures come from the full size (bench/README.md, "Service quality"); this only proves the
script still seeds a month, closes it in a process of its own with all six dimensions scored,
serves the project with gunicorn, and posts signed telephone-system events against the floor.
"""

from propdesk.core.tests.bench_smoke import run_tiny

DIMENSIONS = {
    "attitude",
    "knowledge",
    "communication",
    "problem_solving",
    "efficiency",
    "satisfaction",
}


def test_the_bench_runs_in_tiny_mode(tmp_path):
    result, report = run_tiny(
        "quality.py",
        *("--seconds", "1"),
        tmp_path=tmp_path,
        timeout=600,  # seeding, the close, gunicorn's start and two loads: minutes when loaded
    )
    close = report["close"]
    assert close["communities"] == 2
    # The 12 bench agents and the registry seed's own agent, in either community.
    assert close["scorecards"] >= 12
    assert set(close["scored"]) == DIMENSIONS
    assert all(n >= 12 for n in close["scored"].values()), close["scored"]
    assert close["close_s"] > 0 and close["peak_mb"] > 0
    assert close["dashboard_rows"] > 0
    assert len(report["webhook"]) == len(report["ratios"]) == 2
    for round_ in report["webhook"]:
        for name in ("floor", "webhook"):
            assert round_[name]["ok"] > 0, round_[name]
            assert round_[name]["failed"] == 0, round_[name]["errors"]
    assert all(ratio > 0 for ratio in report["ratios"])
    assert "month close:" in result.stdout
    assert "webhook/floor" in result.stdout
