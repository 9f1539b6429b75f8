"""How long a newcomer waits for the demo: `setup_database` (an empty database's schema made at
once from the models, core.schema) then `propdesk demo`, as `make run` does, on a fresh database.
Prints wall time, the CPU time of the commands (the part other load on a shared machine cannot
inflate) and the load average before and after, per phase.

    uv run python bench/demo_load.py                       # fresh SQLite file in a temp dir
    uv run python bench/demo_load.py --database-url postgres://postgres@127.0.0.1:5432/NAME
    uv run python bench/demo_load.py --tiny                # smoke test: 20 houses, 5 days
    uv run python bench/demo_load.py --replay-migrations   # `migrate` instead, for comparison

On PostgreSQL the named database is dropped and created again: give a scratch database.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _phase(name: str, argv: list[str], env: dict) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{name} failed")
    return {
        "phase": name,
        "wall_s": round(wall, 1),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def _fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="", help="a scratch PostgreSQL database")
    parser.add_argument("--sqlite-path", default="", help="keep the SQLite database here")
    parser.add_argument("--tiny", action="store_true", help="a small demo, as a smoke test")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--replay-migrations", action="store_true", help="`migrate` instead of setup_database"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Path(args.sqlite_path or f"{tmp}/demo.sqlite3").resolve()
        if args.sqlite_path and sqlite.exists():
            sqlite.unlink()
        url = args.database_url or f"sqlite:///{sqlite}"
        if url.startswith("postgres"):
            _fresh_postgres(url)
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url}
        env.pop("REDIS_URL", None)
        demo = [sys.executable, "manage.py", "demo"]
        if args.tiny:
            demo += ["--houses-per-community", "20", "--request-days", "5"]
        schema = ["migrate", "--no-input"] if args.replay_migrations else ["setup_database"]
        phases = [
            _phase(schema[0], [sys.executable, "manage.py", *schema], env),
            _phase("demo", demo, env),
        ]
    total = {
        "phase": "total",
        "wall_s": round(sum(p["wall_s"] for p in phases), 1),
        "cpu_s": round(sum(p["cpu_s"] for p in phases), 1),
    }
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"demo load on {engine} ({os.cpu_count()} CPUs)")
    for row in [*phases, total]:
        loads = f"load {row['load_before']} → {row['load_after']}" if "load_before" in row else ""
        print(f"  {row['phase']:<14} wall {row['wall_s']:>6} s  cpu {row['cpu_s']:>6} s  {loads}")
    if args.json:
        Path(args.json).write_text(json.dumps({"engine": engine, "phases": [*phases, total]}))


if __name__ == "__main__":
    main()
