"""A new, empty database brought to the current schema at once, for the demo and development.

`migrate` on an empty database replays every migration's model states (Django renders the related
models again after each operation): on a 2-core machine that is a minute of CPU for seconds of
SQL. Tables made straight from the models are the same tables — `makemigrations --check` (CI)
proves the models and the migrations agree — so `create_current_schema` makes them as the test
runner does without migrations, then does what the migrations do beyond tables, listed in
`DATA_MIGRATIONS`, and records every migration as applied: later migrations run as usual.

A database that has any migration applied is never touched here: `setup_database` migrates it.
Production deployments run `migrate`.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.commands.migrate import Command as MigrateCommand
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# Data migrations that seed company-wide defaults with the current models (the test suite seeds
# its databases with them too: conftest).
SEEDING_MIGRATIONS = (
    "propdesk.tickets.migrations.0002_seed_configuration",
    "propdesk.tickets.migrations.0007_complaint_procedure",
    "propdesk.frontdesk.migrations.0002_seed_configuration",
    "propdesk.notices.migrations.0002_seed_templates",
    "propdesk.operations.migrations.0002_seed_rules",
    "propdesk.quality.migrations.0005_seed_question_bank",
)
# Migrations that make database objects the models do not describe: `install(apps, editor)`.
DATABASE_OBJECT_MIGRATIONS = ("propdesk.core.migrations.0007_audit_append_only",)
# Data migrations that only change rows already there (or rows per community): nothing to do on
# an empty database.
ROW_MIGRATIONS = (
    "propdesk.accounts.migrations.0003_owner_usernames_without_mobile",
    "propdesk.accounts.migrations.0004_owner_accounts_named",
    "propdesk.billing.migrations.0002_default_schedule",
    "propdesk.notices.migrations.0003_announcement_delivered_at",
    "propdesk.notices.migrations.0004_wechat",
)
DATA_MIGRATIONS = (*SEEDING_MIGRATIONS, *DATABASE_OBJECT_MIGRATIONS, *ROW_MIGRATIONS)


def seed_configuration() -> None:
    """The configuration rows the seeding data migrations write, with the current models."""
    for module in SEEDING_MIGRATIONS:
        import_module(module).seed(apps, None)


def is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """No table at all: neither migrated nor made by hand."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def create_current_schema(alias: str = DEFAULT_DB_ALIAS) -> int:
    """Make every table of the current models in an empty database, install what the migrations
    add beyond tables, seed the configuration and record every migration as applied. Returns the
    number of migrations recorded. Refuses a database that has any table. (The tables are made in
    one transaction, the rest in another: SQLite changes its schema only outside one.)"""
    if not is_empty(alias):
        raise RuntimeError("the database is not empty: run migrate")
    connection = connections[alias]
    labels = {config.label for config in apps.get_app_configs() if config.models_module}
    emit_pre_migrate_signal(0, False, alias)
    syncdb = MigrateCommand()
    syncdb.verbosity = 0
    syncdb.sync_apps(connection, labels)
    with connection.schema_editor() as editor:
        for module in DATABASE_OBJECT_MIGRATIONS:
            import_module(module).install(apps, editor)
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    with transaction.atomic(using=alias):
        seed_configuration()
        nodes = sorted(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
        recorder.migration_qs.bulk_create(
            recorder.Migration(app=app, name=name) for app, name in nodes
        )
    emit_post_migrate_signal(0, False, alias)  # content types and permissions
    return len(nodes)
