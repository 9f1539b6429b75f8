"""bench/exports.py runs end to end in --tiny mode (a CI smoke test of the benchmark).

The figures come from a seeded company (docs/architecture.md, the closing notes); this only proves
the script still seeds, writes every export the way the worker does, and reports."""

from propdesk.core.tests.bench_smoke import run_tiny


def test_the_exports_bench_runs_in_tiny_mode(tmp_path):
    result, report = run_tiny("exports.py", tmp_path=tmp_path)
    kinds = {(row["export"], row["scope"]) for row in report["exports"]}
    for scope in ("all communities", "one community"):
        for kind in ("houses", "owners", "buildings", "parking"):
            assert (f"registry.{kind}", scope) in kinds
        assert ("requests.month", scope) in kinds
    houses = next(row for row in report["exports"] if row["export"] == "registry.houses")
    assert houses["rows"] == 600 and houses["kb"] > 0
    assert "registry.houses" in result.stdout
