import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from opsteam.core import audit, audit_seal
from opsteam.core.models import AuditEntry, AuditSeal
from opsteam.org import services
from opsteam.org.models import Position


@pytest.fixture
def sealed_trail(user_as, org_tree):
    hr = user_as("hr")
    position = Position.objects.get(pk=hr.staff.position_id)
    for index in range(5):
        services.position_update(actor=hr, position=position, headcount_plan=index + 1)
    assert audit_seal.seal_pending() == AuditEntry.objects.count()
    return AuditEntry.objects.order_by("id")


def test_untouched_trail_verifies(sealed_trail):
    result = audit_seal.verify()

    assert result.ok
    assert result.checked == sealed_trail.count()
    assert result.unsealed == 0


def test_a_row_edited_in_the_database_is_named(sealed_trail):
    victim = sealed_trail[2]
    with audit.maintenance(connection), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET actor_label = 'someone-else' WHERE id = %s", [victim.pk]
        )

    result = audit_seal.verify()

    assert not result.ok
    assert result.tampered == [victim.pk]


def test_a_deleted_row_is_named(sealed_trail):
    victim = sealed_trail[1]
    with audit.maintenance(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [victim.pk])

    result = audit_seal.verify()

    assert result.missing == [victim.pk]


def test_seals_cannot_be_rewritten_without_the_key(sealed_trail, settings):
    victim = sealed_trail[0]
    with audit.maintenance(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET note = 'forged' WHERE id = %s", [victim.pk])
    # an attacker re-sealing with a key of their own
    settings.OPSTEAM_AUDIT_KEY = "attacker-key"
    audit_seal.reseal_from(victim.pk)
    settings.OPSTEAM_AUDIT_KEY = ""

    assert not audit_seal.verify().ok


def test_audit_verify_command_fails_on_tampering(sealed_trail, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out

    with audit.maintenance(connection), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = 'x' WHERE id = %s", [sealed_trail[3].pk]
        )

    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert str(sealed_trail[3].pk) in capsys.readouterr().err


def test_seal_rows_are_append_only(sealed_trail):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditseal SET chain_hash = 'x'")

    assert AuditSeal.objects.exclude(chain_hash="x").count() == sealed_trail.count()


@pytest.mark.django_db(transaction=True)
def test_entries_are_sealed_when_their_transaction_commits(org_tree, user_as):
    hr = user_as("hr")
    position = Position.objects.get(pk=hr.staff.position_id)

    services.position_update(actor=hr, position=position, headcount_plan=7)

    assert AuditEntry.objects.filter(seal__isnull=True).count() == 0
    assert audit_seal.verify().ok
