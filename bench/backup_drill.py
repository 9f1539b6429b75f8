"""Backup → restore → verify drill: the README's commands, timed, on SQLite or PostgreSQL.

    uv run python bench/backup_drill.py --database-url URL            # a database you have
    uv run python bench/backup_drill.py --database-url URL --demo     # make it: migrate + demo
    uv run python bench/backup_drill.py --tiny                        # demo on SQLite, temporary

Runs `propdesk backup DIR` against the source site, then `propdesk restore DIR --verify` into a
new empty site (SQLite: a new file; PostgreSQL: a new database, dropped afterwards) with its own
file store, and reports the time of each step, the sizes, the row and file counts and the
verification result, with the load average beside every figure.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROPDESK = str(Path(sys.executable).parent / "propdesk")  # the project's console script


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the source site's database")
    parser.add_argument("--media-root", help="the source site's file store (default: empty)")
    parser.add_argument("--demo", action="store_true", help="migrate and load the demo first")
    parser.add_argument("--tiny", action="store_true", help="the demo on a temporary SQLite")
    parser.add_argument("--workdir", help="where the backup and the restored site go")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to this file")
    return parser.parse_args(argv)


def propdesk(*args: str, env: dict) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 — the project's own command
        [PROPDESK, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"propdesk {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, done.stdout + done.stderr


def site_env(database_url: str, var_dir: Path, media_root: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "PROPDESK_VAR_DIR": str(var_dir)}
    env.update(MEDIA_ROOT=str(media_root), DEBUG="1", DJANGO_SETTINGS_MODULE="propdesk.settings")
    env.pop("REDIS_URL", None)  # the worker queue plays no part
    return env


def psql(sql: str, url: str) -> None:
    base = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", base, "-q", "-c", sql], check=True)  # noqa: S603,S607


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv=None) -> dict:
    args = parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="propdesk-drill-"))
    work.mkdir(parents=True, exist_ok=True)
    source_url = args.database_url
    if args.tiny:
        source_url = f"sqlite:///{work / 'source.sqlite3'}"
        args.demo = True
    if not source_url:
        raise SystemExit("give --database-url, or --tiny")
    engine = "sqlite" if source_url.startswith("sqlite") else "postgresql"
    source_media = Path(args.media_root) if args.media_root else work / "source-media"
    source = site_env(source_url, work / "source-var", source_media)
    figures = {"engine": engine, "source": re.sub(r"//[^@/]*@", "//", source_url)}
    if args.demo:
        if engine == "postgresql":
            name = source_url.rsplit("/", 1)[1]
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', source_url)
            psql(f'CREATE DATABASE "{name}"', source_url)
        figures["migrate_s"] = round(propdesk("migrate", "-v0", env=source)[0], 2)
        figures["demo_s"] = round(propdesk("demo", env=source)[0], 2)

    target_url = (
        f"sqlite:///{work / 'restored.sqlite3'}"
        if engine == "sqlite"
        else source_url.rsplit("/", 1)[0] + "/" + source_url.rsplit("/", 1)[1] + "_drill"
    )
    if engine == "postgresql":
        name = target_url.rsplit("/", 1)[1]
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', target_url)
        psql(f'CREATE DATABASE "{name}"', target_url)
    target = site_env(target_url, work / "restored-var", work / "restored-media")
    backup_dir = work / "backup"
    shutil.rmtree(backup_dir, ignore_errors=True)
    try:
        figures["load_before"] = [round(x, 2) for x in os.getloadavg()]
        figures["backup_s"], out = propdesk("backup", str(backup_dir), env=source)
        figures["load_after_backup"] = [round(x, 2) for x in os.getloadavg()]
        manifest = json.loads((backup_dir / "manifest.json").read_text())
        figures["tables"] = len(manifest["tables"])
        figures["rows"] = sum(manifest["tables"].values())
        figures["houses"] = manifest["tables"].get("estates_house", 0)
        figures["bills"] = manifest["tables"].get("billing_bill", 0)
        figures["ledger_entries"] = manifest["tables"].get("billing_ledgerentry", 0)
        figures["files"] = len(manifest["files"] or [])
        figures["backup_mb"] = round(size_of(backup_dir) / 1e6, 1)
        figures["restore_verify_s"], out = propdesk(
            "restore", str(backup_dir), "--verify", env=target
        )
        figures["load_after_restore"] = [round(x, 2) for x in os.getloadavg()]
        figures["verified"] = "Verified:" in out
        figures["verification"] = next(
            (line for line in out.splitlines() if line.startswith("Verified")), out[-500:]
        )
        figures["inside"] = {
            "backup_database_s": manifest["database_seconds"],
            "backup_files_s": manifest["files_seconds"],
            **{
                f"restore_{what}_s": float(seconds)
                for what, seconds in re.findall(r"(database|files) restored in ([\d.]+) s", out)
            },
            "verify_s": float(re.search(r"checked in ([\d.]+) s", out).group(1)),
        }
        refused = subprocess.run(  # noqa: S603 — a second restore must be refused
            [PROPDESK, "restore", str(backup_dir)],
            cwd=ROOT,
            env=target,
            capture_output=True,
            text=True,
            check=False,
        )
        figures["second_restore_refused"] = refused.returncode != 0 and "--force" in refused.stderr
    finally:
        if engine == "postgresql":
            psql(
                f'DROP DATABASE IF EXISTS "{target_url.rsplit("/", 1)[1]}" WITH (FORCE)', target_url
            )
    for key in ("backup_s", "restore_verify_s"):
        figures[key] = round(figures[key], 2)
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return figures


if __name__ == "__main__":
    main()
