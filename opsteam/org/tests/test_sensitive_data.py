"""ID numbers and bank accounts are encrypted at rest and shown only to whom they concern;
pay is visible to HR, administrators and the person, and other reads are audited."""

import datetime as dt
from decimal import Decimal

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from opsteam.core import fields
from opsteam.core.models import AuditEntry
from opsteam.org import services
from opsteam.org.models import Compensation, Staff
from opsteam.org.tests.factories import StaffFactory

ID_NUMBER = "110101199003071234"
BANK = "6222020200001234567"


def _raw(column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM org_staff WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def person(user_as, org_tree):
    operator = user_as("operator")
    staff = operator.staff
    hr = user_as("hr")
    services.staff_update(actor=hr, staff=staff, id_number=ID_NUMBER, bank_account=BANK)
    return {"operator": operator, "staff": Staff.objects.get(pk=staff.pk), "hr": hr}


def test_values_are_encrypted_in_the_database_and_read_back_in_clear(person):
    staff = person["staff"]

    assert staff.id_number == ID_NUMBER
    assert ID_NUMBER not in _raw("id_number", staff.pk)
    assert _raw("id_number", staff.pk).startswith(fields.PREFIX)
    assert BANK not in _raw("bank_account", staff.pk)


def test_audit_trail_keeps_a_fingerprint_never_the_number(person):
    entries = AuditEntry.objects.filter(object_type="org.staff", object_id=str(person["staff"].pk))

    text = " ".join(str(entry.before) + str(entry.after) for entry in entries)
    assert ID_NUMBER not in text
    assert BANK not in text
    assert "encrypted:" in text


def test_key_rotation_keeps_values_readable_and_moves_them_to_the_new_key(person, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.OPSTEAM_FIELD_KEYS = [old]
    services.staff_update(actor=person["hr"], staff=person["staff"], id_number="110101199001010011")

    settings.OPSTEAM_FIELD_KEYS = [new, old]
    call_command("rotate_field_keys", verbosity=0)
    settings.OPSTEAM_FIELD_KEYS = [new]

    assert Staff.objects.get(pk=person["staff"].pk).id_number == "110101199001010011"


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("hr", True),
        ("admin", True),
        ("manager", False),
        ("auditor", False),
    ],
)
def test_staff_page_shows_identity_numbers_only_to_those_allowed(client_as, person, role, sees):
    client = client_as(role)

    page = client.get(reverse("org:staff_detail", args=[person["staff"].pk])).content.decode()

    assert (ID_NUMBER in page) is sees
    assert (BANK in page) is sees


def test_a_person_sees_their_own_identity_numbers(client, person):
    client.force_login(person["operator"])

    page = client.get(reverse("org:staff_detail", args=[person["staff"].pk])).content.decode()

    assert ID_NUMBER in page


def test_staff_export_never_carries_identity_numbers(client_as, person):
    client = client_as("hr")

    export = client.get(reverse("org:staff_list"), {"export": "csv"})

    assert ID_NUMBER not in b"".join(export.streaming_content).decode("utf-8-sig")


def test_pay_is_recorded_by_hr_with_the_amount_kept_out_of_the_audit_trail(client_as, person):
    client = client_as("hr")

    client.post(
        reverse("org:compensation_add", args=[person["staff"].pk]),
        {"effective_from": "2026-01-01", "base_salary": "18500.00", "currency": "CNY"},
    )

    record = Compensation.objects.get(staff=person["staff"])
    assert record.base_salary == Decimal("18500.00")
    entry = AuditEntry.objects.get(object_type="org.compensation", action="create")
    assert "18500" not in str(entry.after)
    assert entry.after["base_salary"].startswith("encrypted:")


def test_own_pay_is_visible_and_the_read_is_audited(client, person):
    Compensation.objects.create(
        staff=person["staff"], effective_from=dt.date(2026, 1, 1), base_salary=Decimal("18500")
    )
    client.force_login(person["operator"])

    page = client.get(reverse("org:staff_detail", args=[person["staff"].pk])).content.decode()

    assert "18500" in page
    assert AuditEntry.objects.filter(
        object_type="org.compensation", action="view", actor=person["operator"]
    ).exists()


def test_hr_reads_are_not_audited_and_managers_never_see_pay(client_as, person, org_tree):
    Compensation.objects.create(
        staff=person["staff"], effective_from=dt.date(2026, 1, 1), base_salary=Decimal("18500")
    )
    hr, manager = client_as("hr"), None
    hr_page = hr.get(reverse("org:staff_detail", args=[person["staff"].pk])).content.decode()
    assert "18500" in hr_page
    assert not AuditEntry.objects.filter(action="view").exists()

    from django.test import Client

    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory

    manager = UserFactory(username="lead")
    RoleGrantFactory(user=manager, role="manager", unit=org_tree.t1)
    StaffFactory(user=manager, unit=org_tree.t1)
    browser = Client()
    browser.force_login(manager)
    page = browser.get(reverse("org:staff_detail", args=[person["staff"].pk])).content.decode()
    assert "18500" not in page
