"""The change history and the access log refuse UPDATE and DELETE (core.retention)."""

from django.db import migrations

TABLES = ("core_auditevent", "core_accesslog")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION propdesk_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('propdesk.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def install(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(PG_FUNCTION, None)  # no parameters: the % signs are plpgsql's own
        for table in TABLES:
            run(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION propdesk_append_only()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            run(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            )
            run(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "WHEN NOT propdesk_audit_purge() "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END"
            )


def remove(apps, schema_editor):
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        run("DROP FUNCTION IF EXISTS propdesk_append_only()")
    elif schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_no_update")
            run(f"DROP TRIGGER IF EXISTS {table}_no_delete")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_export_job")]
    operations = [migrations.RunPython(install, remove)]
