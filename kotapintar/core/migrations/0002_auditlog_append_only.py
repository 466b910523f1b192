"""The audit log is append-only in the database too.

PostgreSQL: a statement-level trigger refuses every UPDATE and DELETE on core_auditlog
(including INSERT ... ON CONFLICT DO UPDATE). TRUNCATE is not refused: only the table
owner may truncate, and Django's test flush uses it.

SQLite: a trigger refuses UPDATE only. DELETE stays possible because Django's test flush
on SQLite empties tables with DELETE; the model, its queryset and the pre_delete guard
still refuse deletes from Django code.

A later migration that rebuilds core_auditlog on SQLite (SQLite re-creates a table to
alter it, dropping its triggers) must run INSTALL_SQL["sqlite"] again; the test
test_audit_immutability.py::test_raw_sql_update_is_refused catches a missing trigger.
"""

from django.db import migrations

INSTALL_SQL = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION core_auditlog_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING
                MESSAGE = 'core_auditlog is append-only: ' || TG_OP || ' refused',
                ERRCODE = 'insufficient_privilege';
        END;
        $$
        """,
        "DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog",
        """
        CREATE TRIGGER core_auditlog_append_only
            BEFORE UPDATE OR DELETE ON core_auditlog
            FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_refuse_change()
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER IF NOT EXISTS core_auditlog_no_update
            BEFORE UPDATE ON core_auditlog
            BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only: UPDATE refused'); END
        """,
    ],
}

REMOVE_SQL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog",
        "DROP FUNCTION IF EXISTS core_auditlog_refuse_change()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditlog_no_update"],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditlog",
            options={
                "base_manager_name": "objects",
                "default_permissions": ("view",),
                "ordering": ["-created_at", "-id"],
                "verbose_name": "audit log",
                "verbose_name_plural": "audit log",
            },
        ),
        migrations.RunPython(_run(INSTALL_SQL), _run(REMOVE_SQL), elidable=False),
    ]
