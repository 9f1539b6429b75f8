"""Running a benchmark script of bench/ in its tiny mode, as the CI smoke tests do."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
# The bench makes its own temporary SQLite database: nothing of the test run may leak in.
TEST_ONLY = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PROPDESK_VAR_DIR", "REDIS_URL"}


def run_tiny(script: str, *args: str, tmp_path: Path, timeout: int = 240):
    """(the finished process, the figures it wrote) of `bench/<script> --tiny … --json`."""
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    figures = tmp_path / "figures.json"
    result = subprocess.run(  # noqa: S603 — our own interpreter and script
        [sys.executable, str(REPO / "bench" / script), "--tiny", *args, "--json", str(figures)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result, json.loads(figures.read_text())
