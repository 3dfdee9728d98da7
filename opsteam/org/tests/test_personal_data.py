"""A person's data: everything about them in one archive; erasure leaves no trace of who
they were in any text or JSON column, yet keeps the pseudonymous rows aggregates need."""

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from opsteam.accounts.models import SecurityEvent
from opsteam.core import audit_seal
from opsteam.core.exceptions import InvalidTransition
from opsteam.core.fields import EncryptedCharField
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org import services
from opsteam.org.models import PurgeRecord, Staff
from opsteam.org.personal_data import personal_data_export, staff_purge
from opsteam.org.tests.factories import PositionFactory, StaffFactory

NAME, NAME_EN, NUMBER = "欧阳晓峰", "Ouyang Xiaofeng", "E1"
EMAIL, PHONE = "xiaofeng.ouyang@example.com", "13912345678"


@pytest.fixture
def footprint(user_as, org_tree):
    """A person with a login, history, audit entries, a failed login and an import mention."""
    hr = user_as("hr")
    person = services.staff_create(
        actor=hr,
        employee_no=NUMBER,
        name=NAME,
        name_en=NAME_EN,
        email=EMAIL,
        phone=PHONE,
        hire_date=dt.date(2021, 3, 1),
        unit=org_tree.t1,
        position=PositionFactory(),
    )
    from opsteam.accounts.tests.factories import UserFactory

    login = UserFactory(username="xiaofeng", email=EMAIL, display_name=NAME)
    from opsteam.accounts.models import RoleGrant

    RoleGrant.objects.create(user=login, role="operator")
    services.staff_update(actor=hr, staff=person, user=login, id_number="110101199003071234")
    services.staff_reassign(
        actor=hr,
        staff=person,
        effective_date=dt.date(2023, 1, 1),
        reason="transfer",
        unit=org_tree.t2,
        note=f"{NAME} 调岗",
    )
    SecurityEvent.objects.create(kind="login_failed", username="xiaofeng", user=login)
    ImportJob.objects.create(
        kind="staff",
        file_name="s.csv",
        status="rejected",
        errors=[
            {
                "row": 3,
                "column": "工号",
                "value": NUMBER,
                "reason": "duplicate",
                "code": "duplicate",
            },
            {"row": 4, "column": "姓名", "value": NAME, "reason": "x", "code": "invalid"},
        ],
    )
    bystander = StaffFactory(employee_no="E10", unit=org_tree.t1, name="李四")
    audit_seal.seal_pending()
    return {
        "hr": hr,
        "person": Staff.objects.get(pk=person.pk),
        "login": login,
        "bystander": bystander,
    }


def _every_text_and_json_value():
    """Yield (table, column, value) for every text or JSON cell in the database."""
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not isinstance(f, EncryptedCharField)
        ]
        for field in fields:
            for value in model._base_manager.values_list(field.attname, flat=True):
                text = (
                    json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
                )
                yield model._meta.db_table, field.column, text


def test_a_person_exports_everything_about_themself(footprint):
    person, login = footprint["person"], footprint["login"]
    person.user = login

    payload = personal_data_export(actor=login, staff=person)

    bundle = zipfile.ZipFile(io.BytesIO(payload))
    data = json.loads(bundle.read("data.json"))["data"]
    assert data["org.staff"][0]["employee_no"] == NUMBER
    assert data["org.staff"][0]["id_number"] == "110101199003071234"
    assert len(data["org.assignment.staff"]) == 2
    assert data["core.auditentry.subject"]
    assert "password" not in data["accounts.user"][0]
    workbook = openpyxl.load_workbook(io.BytesIO(bundle.read("data.xlsx")), read_only=True)
    assert "org.staff" in workbook.sheetnames
    assert AuditEntry.objects.filter(action="export", object_id=str(person.pk)).exists()


def test_managers_cannot_export_someone_elses_data(footprint, user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)
    client = Client()
    client.force_login(manager)

    response = client.get(reverse("org:staff_personal_data", args=[footprint["person"].pk]))

    assert response.status_code == 403


def test_only_former_employees_can_be_erased(footprint):
    with pytest.raises(InvalidTransition):
        staff_purge(actor=footprint["hr"], staff=footprint["person"])


def test_erasure_removes_every_identifier_from_every_text_and_json_column(footprint):
    # given the person has left
    hr, person = footprint["hr"], footprint["person"]
    services.staff_leave(actor=hr, staff=person, leave_date=dt.date(2026, 6, 30))

    # when HR erases their data
    record = staff_purge(actor=hr, staff=Staff.objects.get(pk=person.pk))

    # then no text or JSON cell anywhere names them
    needles = [NAME, NAME_EN, EMAIL, PHONE, "xiaofeng", "110101199003071234"]
    leaks = [
        (table, column, needle)
        for table, column, text in _every_text_and_json_value()
        for needle in needles
        if needle.lower() in text.lower()
    ]
    assert not leaks, leaks
    numbers = [
        (table, column)
        for table, column, text in _every_text_and_json_value()
        if text == NUMBER or f'"{NUMBER}"' in text
    ]
    assert not numbers, numbers
    # the pseudonymous rows stay, the bystander is untouched, the chain still verifies
    purged = Staff.objects.get(pk=person.pk)
    assert purged.name == record.pseudonym
    assert purged.assignments.count() == 2
    assert Staff.objects.get(pk=footprint["bystander"].pk).employee_no == "E10"
    assert audit_seal.verify().ok
    assert PurgeRecord.objects.get().rows_changed["core.auditentry"] >= 3
    entry = AuditEntry.objects.get(action="purge")
    assert NAME not in json.dumps(entry.after, ensure_ascii=False)


def test_raw_columns_do_not_hold_identity_numbers_after_erasure(footprint):
    hr, person = footprint["hr"], footprint["person"]
    services.staff_leave(actor=hr, staff=person, leave_date=dt.date(2026, 6, 30))

    staff_purge(actor=hr, staff=Staff.objects.get(pk=person.pk))

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, bank_account FROM org_staff WHERE id = %s", [person.pk])
        assert cursor.fetchone() == ("", "")
