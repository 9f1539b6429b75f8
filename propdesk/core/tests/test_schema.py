"""An empty database made at once from the models (core.schema, `setup_database`) is the database
the migrations make: the same tables, columns, indexes, constraints, triggers and seeded rows,
with every migration recorded as applied; every data migration is accounted for."""

import ast
import sqlite3
from importlib import import_module
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from propdesk.core import schema
from propdesk.core.tests.bench_smoke import run_tiny

PROPDESK = Path(__file__).resolve().parents[2]


def _data_operations(path: Path) -> bool:
    """The migration file runs code or SQL of its own."""
    tree = ast.parse(path.read_text())
    return any(
        isinstance(node, ast.Attribute) and node.attr in {"RunPython", "RunSQL"}
        for node in ast.walk(tree)
    )


def test_every_data_migration_is_accounted_for():
    found = {
        "propdesk." + ".".join(path.relative_to(PROPDESK).with_suffix("").parts)
        for path in PROPDESK.glob("*/migrations/0*.py")
        if _data_operations(path)
    }
    assert found == set(schema.DATA_MIGRATIONS)
    for module in schema.SEEDING_MIGRATIONS:
        assert callable(import_module(module).seed)
    for module in schema.DATABASE_OBJECT_MIGRATIONS:
        assert callable(import_module(module).install)


def test_a_database_with_tables_is_refused_and_migrated_instead(db, monkeypatch):
    with pytest.raises(RuntimeError, match="not empty"):
        schema.create_current_schema()
    migrated = []
    monkeypatch.setattr(
        "propdesk.core.management.commands.setup_database.call_command",
        lambda name, **options: migrated.append((name, options["database"])),
    )
    call_command("setup_database")
    assert migrated == [("migrate", "default")]


def _describe(cursor) -> dict:
    """Tables (columns, foreign keys, indexes), triggers and row counts of a SQLite database."""
    out = {}
    names = cursor.execute(
        "SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for name, kind in names:
        if kind == "trigger":
            out["trigger", name] = True
        if kind != "table":
            continue
        columns = sorted(tuple(r[1:6]) for r in cursor.execute(f'PRAGMA table_info("{name}")'))
        keys = sorted(tuple(r[2:5]) for r in cursor.execute(f'PRAGMA foreign_key_list("{name}")'))
        indexes = sorted(
            (
                r[1],
                tuple(c[2] for c in cursor.execute(f'PRAGMA index_info("{r[1]}")').fetchall()),
                r[2],
            )
            for r in cursor.execute(f'PRAGMA index_list("{name}")').fetchall()
        )
        out["table", name] = (columns, keys, indexes)
    return out


@pytest.mark.django_db(transaction=True)
def test_the_schema_made_from_the_models_is_the_migrated_one(tmp_path):
    """The demo benchmark's tiny run makes its database with `setup_database`; compared here with
    the test database when that was migrated (CI runs the suite with its migrations)."""
    made = tmp_path / "made.sqlite3"
    result, figures = run_tiny(
        "demo_load.py", "--sqlite-path", str(made), tmp_path=tmp_path, timeout=900
    )
    assert [p["phase"] for p in figures["phases"]] == ["setup_database", "demo", "total"]
    assert "cpu" in result.stdout and "load" in result.stdout
    fresh = sqlite3.connect(made)
    recorded = set(fresh.execute("SELECT app, name FROM django_migrations").fetchall())
    assert ("core", "0007_audit_append_only") in recorded
    if connection.vendor != "sqlite":
        pytest.skip("the comparison reads SQLite's catalogue")
    nodes = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    if not nodes or set(MigrationRecorder(connection).applied_migrations()) != nodes:
        pytest.skip("the test database was made without its migrations (--nomigrations)")
    assert recorded == nodes
    with connection.cursor() as cursor:
        migrated = _describe(cursor.cursor)
    assert _describe(fresh.cursor()) == migrated
