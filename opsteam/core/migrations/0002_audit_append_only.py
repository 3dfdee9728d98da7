"""Make the audit trail append-only in the database itself (UPDATE, DELETE, TRUNCATE fail).

The triggers consult a maintenance switch (see ``opsteam.core.audit.maintenance``) that only
the test database set-up turns on, to flush tables between transactional tests.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
    WHEN opsteam_audit_maintenance() = 0
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
    """,
    """
    CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry
    WHEN opsteam_audit_maintenance() = 0
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_delete;",
]

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('opsteam.audit_maintenance', true) = 'on' THEN
            IF TG_LEVEL = 'ROW' AND TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            IF TG_LEVEL = 'ROW' THEN RETURN NEW; END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only (%)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    """,
    """
    CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
    """,
    """
    CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;",
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry;",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only();",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError("OpsTeam supports SQLite and PostgreSQL only")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}[schema_editor.connection.vendor]
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
