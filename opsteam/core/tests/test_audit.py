import pytest
from django.db import DatabaseError, connection, transaction

from opsteam.core import audit
from opsteam.core.choices import AuditAction, AuditSource
from opsteam.core.models import AuditEntry
from opsteam.org import services
from opsteam.org.models import Position


def _entry(user_as, org_tree):
    hr = user_as("hr")
    position = Position.objects.get(pk=hr.staff.position_id)
    services.position_update(actor=hr, position=position, name="新名称")
    return AuditEntry.objects.get(object_type="org.position", object_id=str(position.pk))


def test_update_records_actor_before_after_and_changed_fields(user_as, org_tree):
    entry = _entry(user_as, org_tree)

    assert entry.action == AuditAction.UPDATE
    assert entry.actor_label.startswith("hr")
    assert entry.after["name"] == "新名称"
    assert entry.before["name"] != "新名称"
    assert entry.changed_fields == ["name"]


def test_update_that_changes_nothing_writes_no_entry(user_as, org_tree):
    hr = user_as("hr")
    position = Position.objects.get(pk=hr.staff.position_id)

    services.position_update(actor=hr, position=position, name=position.name)

    assert not AuditEntry.objects.filter(object_type="org.position").exists()


@pytest.mark.parametrize(
    ("_case", "statement"),
    [
        ("update", "UPDATE core_auditentry SET note = 'tampered'"),
        ("delete", "DELETE FROM core_auditentry"),
    ],
)
def test_database_refuses_to_change_audit_rows(user_as, org_tree, _case, statement):
    entry = _entry(user_as, org_tree)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    entry.refresh_from_db()
    assert entry.note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_database_refuses_to_truncate_audit_table(user_as, org_tree):
    _entry(user_as, org_tree)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditentry")

    assert AuditEntry.objects.exists()


def test_orm_delete_of_audit_rows_fails_too(user_as, org_tree):
    _entry(user_as, org_tree)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == 1


def test_context_tags_entries_with_their_source(user_as, org_tree):
    hr = user_as("hr")
    position = Position.objects.get(pk=hr.staff.position_id)

    with audit.context(source=AuditSource.CLI):
        services.position_update(actor=hr, position=position, name="命令行改名")

    assert AuditEntry.objects.get(object_type="org.position").source == AuditSource.CLI
