"""The audit seal table is append-only too (same guard as the audit trail)."""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER core_auditseal_no_update BEFORE UPDATE ON core_auditseal
    WHEN opsteam_audit_maintenance() = 0
    BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;
    """,
    """
    CREATE TRIGGER core_auditseal_no_delete BEFORE DELETE ON core_auditseal
    WHEN opsteam_audit_maintenance() = 0
    BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;
    """,
]
PG = [
    """
    CREATE TRIGGER core_auditseal_no_change BEFORE UPDATE OR DELETE ON core_auditseal
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
    """,
    """
    CREATE TRIGGER core_auditseal_no_truncate BEFORE TRUNCATE ON core_auditseal
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_append_only();
    """,
]


def forward(apps, schema_editor):
    for statement in {"sqlite": SQLITE, "postgresql": PG}[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = (
        ["core_auditseal_no_update", "core_auditseal_no_delete"]
        if vendor == "sqlite"
        else ["core_auditseal_no_change", "core_auditseal_no_truncate"]
    )
    for name in names:
        suffix = "" if vendor == "sqlite" else " ON core_auditseal"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{suffix};", params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_seal")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
