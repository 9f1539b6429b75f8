"""How long a newcomer waits for the demo: `setup_database` (an empty database's schema made at
once from the models, core.schema) then `propdesk demo`, as `make run` does, on a fresh database.
Prints wall time, the CPU time of the commands (the part other load on a shared machine cannot
inflate), on PostgreSQL also the CPU time of the server's backends for the database (read from
/proc: the server must run on this machine), and the load average before and after, per phase.

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
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class _ServerCpu(threading.Thread):
    """The CPU time of the PostgreSQL backends serving one database (on this machine), read from
    /proc while they run: a backend's time is gone from /proc once its connection closes, so each
    one's latest reading is kept."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.seen, self.stop = url, {}, threading.Event()

    def run(self) -> None:
        import psycopg

        name = self.url.rsplit("/", 1)[1]
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            while not self.stop.wait(0.2):
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
                ).fetchall()
                for (pid,) in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    self.seen[pid] = int(fields[11]) + int(fields[12])  # utime + stime, ticks

    def seconds(self) -> float:
        self.stop.set()
        self.join()
        return sum(self.seen.values()) / os.sysconf("SC_CLK_TCK")


def _phase(name: str, argv: list[str], env: dict, server_url: str = "") -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()
    server = _ServerCpu(server_url) if server_url else None
    if server:
        server.start()
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{name} failed")
    row = {
        "phase": name,
        "wall_s": round(wall, 1),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    if server:
        row["server_cpu_s"] = round(server.seconds(), 1)
    return row


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
        server = url if url.startswith("postgres") else ""
        phases = [
            _phase(schema[0], [sys.executable, "manage.py", *schema], env, server),
            _phase("demo", demo, env, server),
        ]
    total = {
        "phase": "total",
        "wall_s": round(sum(p["wall_s"] for p in phases), 1),
        "cpu_s": round(sum(p["cpu_s"] for p in phases), 1),
    }
    if server:
        total["server_cpu_s"] = round(sum(p["server_cpu_s"] for p in phases), 1)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"demo load on {engine} ({os.cpu_count()} CPUs)")
    for row in [*phases, total]:
        loads = f"load {row['load_before']} → {row['load_after']}" if "load_before" in row else ""
        served = f"server cpu {row['server_cpu_s']:>6} s  " if "server_cpu_s" in row else ""
        print(
            f"  {row['phase']:<14} wall {row['wall_s']:>6} s  cpu {row['cpu_s']:>6} s  "
            f"{served}{loads}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"engine": engine, "phases": [*phases, total]}))


if __name__ == "__main__":
    main()
