"""Gender on a staff record: optional (blank = not recorded), female/male/other, editable by
whoever may edit staff, in the import template, the staff export, the API and a person's
personal-data export; erasure keeps it (not an identifier, like the hire date)."""

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from opsteam.core.exceptions import PolicyDenied, ValidationFailed
from opsteam.core.imports import REGISTRY, template_rows
from opsteam.core.models import AuditEntry
from opsteam.org import services
from opsteam.org.choices import Gender
from opsteam.org.demo import build_demo, demo_gender
from opsteam.org.models import Staff
from opsteam.org.personal_data import personal_data_export, staff_purge
from opsteam.org.tests.factories import PositionFactory, StaffFactory
from opsteam.org.tests.test_imports import problems, run, write_file


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def test_choices_are_female_male_and_other_with_chinese_labels():
    assert Gender.values == ["female", "male", "other"]
    with translation.override("en"):
        assert [str(label) for label in Gender.labels] == ["Female", "Male", "Other"]


def test_hr_records_a_gender_and_the_change_is_audited(hr, org_tree):
    person = StaffFactory(unit=org_tree.t1)
    assert person.gender == ""  # not recorded by default

    services.staff_update(actor=hr, staff=person, gender=Gender.FEMALE)

    assert Staff.objects.get(pk=person.pk).gender == "female"
    entry = AuditEntry.objects.get(object_type="org.staff", object_id=str(person.pk))
    assert entry.changed_fields == ["gender"]
    assert (entry.before["gender"], entry.after["gender"]) == ("", "female")


def test_a_gender_outside_the_choices_is_refused_and_a_blank_clears_it(hr, org_tree):
    person = StaffFactory(unit=org_tree.t1, gender=Gender.MALE)

    with pytest.raises(ValidationFailed):
        services.staff_update(actor=hr, staff=person, gender="m")
    assert Staff.objects.get(pk=person.pk).gender == "male"

    services.staff_update(actor=hr, staff=person, gender="")
    assert Staff.objects.get(pk=person.pk).gender == ""


def test_a_manager_who_may_not_edit_staff_cannot_set_a_gender(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.t1)
    person = StaffFactory(unit=org_tree.t1)

    with pytest.raises(PolicyDenied):
        services.staff_update(actor=manager, staff=person, gender=Gender.FEMALE)
    assert Staff.objects.get(pk=person.pk).gender == ""


def test_hr_edits_the_gender_on_the_personal_data_page(client_as, org_tree):
    client = client_as("hr")
    person = StaffFactory(unit=org_tree.t1, name="王芳", hire_date=dt.date(2022, 5, 1))
    url = reverse("org:staff_update", args=[person.pk])

    form = client.get(url).content.decode()
    assert 'name="gender"' in form
    assert "Not recorded" in form
    response = client.post(
        url,
        {"name": "王芳", "hire_date": "2022-05-01", "status": "active", "gender": "female"},
    )

    assert response.status_code == 302
    assert Staff.objects.get(pk=person.pk).gender == "female"
    detail = client.get(reverse("org:staff_detail", args=[person.pk])).content.decode()
    assert '<dd class="col-7" id="staff-gender">Female</dd>' in detail


def test_managers_get_no_edit_page_and_see_not_recorded(client_as, org_tree):
    client = client_as("manager", unit=org_tree.t1)
    person = StaffFactory(unit=org_tree.t1)

    assert client.get(reverse("org:staff_update", args=[person.pk])).status_code == 403
    detail = client.get(reverse("org:staff_detail", args=[person.pk])).content.decode()
    assert '<dd class="col-7" id="staff-gender">Not recorded</dd>' in detail


# --- import and export ------------------------------------------------------------------------


@pytest.fixture
def position(org_tree):
    return PositionFactory(code="STORE-OP")


BASE = ["employee_no", "name", "hire_date", "unit_code", "position_code"]


def test_the_import_template_has_an_optional_gender_column():
    header, example = template_rows(REGISTRY["staff"])

    index = header.index("性别 (Gender)")  # no "*": the column is optional
    assert example[index] == "female"


def test_import_records_genders_in_either_language_and_empty_as_not_recorded(
    tmp_path, hr, position
):
    path = write_file(
        tmp_path,
        [
            [*BASE, "性别"],
            ["E1", "王芳", "2024-01-01", "T1", "STORE-OP", "女"],
            ["E2", "李强", "2024-01-01", "T1", "STORE-OP", "male"],
            ["E3", "张可", "2024-01-01", "T1", "STORE-OP", "Other"],
            ["E4", "赵安", "2024-01-01", "T1", "STORE-OP", ""],
        ],
    )

    run(hr, "staff", path)

    genders = dict(Staff.objects.values_list("employee_no", "gender"))
    assert {no: genders[no] for no in ("E1", "E2", "E3", "E4")} == {
        "E1": "female",
        "E2": "male",
        "E3": "other",
        "E4": "",
    }


def test_a_file_without_the_gender_column_keeps_recorded_genders(tmp_path, hr, position):
    run(
        hr,
        "staff",
        write_file(
            tmp_path,
            [[*BASE, "gender"], ["E1", "王芳", "2024-01-01", "T1", "STORE-OP", "female"]],
        ),
    )

    outcome = run(
        hr,
        "staff",
        write_file(tmp_path, [BASE, ["E1", "王小芳", "2024-01-01", "T1", "STORE-OP"]], "b.csv"),
    )

    assert outcome.updated == 1
    assert Staff.objects.get(employee_no="E1").gender == "female"


def test_a_bad_gender_names_the_row_and_column_and_nothing_is_written(tmp_path, hr, position):
    path = write_file(
        tmp_path,
        [
            [*BASE, "Gender"],
            ["E1", "王芳", "2024-01-01", "T1", "STORE-OP", "female"],
            ["E2", "李强", "2024-01-01", "T1", "STORE-OP", "M"],
        ],
    )

    errors = problems(hr, "staff", path)

    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        (3, "Gender", "M", "invalid")
    ]
    assert "female, male, other" in errors[0]["reason"]
    assert not Staff.objects.filter(employee_no__in=["E1", "E2"]).exists()


def test_the_staff_export_has_the_gender(client_as, org_tree):
    client = client_as("hr")
    StaffFactory(unit=org_tree.t1, employee_no="E77", gender=Gender.FEMALE)

    response = client.get(reverse("org:staff_list"), {"export": "csv"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["Employee number"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows["E77"]["Gender"] == "Female"
    assert all(row["Gender"] == "" for number, row in rows.items() if number != "E77")


# --- API --------------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_gender(api_client_as, org_tree, position):
    api = api_client_as("hr")

    created = api.post(
        reverse("org-staff-list"),
        {
            "employee_no": "E9",
            "name": "王芳",
            "hire_date": "2024-01-01",
            "unit": org_tree.t1.pk,
            "position": position.pk,
            "gender": "female",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["gender"] == "female"
    url = reverse("org-staff-detail", args=[created.json()["id"]])

    refused = api.patch(url, {"gender": "f"}, format="json")
    cleared = api.patch(url, {"gender": ""}, format="json")

    assert refused.status_code == 400
    assert "gender" in json.dumps(refused.json())
    assert cleared.status_code == 200
    assert api.get(url).json()["gender"] == ""


def test_managers_cannot_change_a_gender_over_the_api(api_client_as, org_tree):
    api = api_client_as("manager", unit=org_tree.t1)
    person = StaffFactory(unit=org_tree.t1)

    response = api.patch(
        reverse("org-staff-detail", args=[person.pk]), {"gender": "male"}, format="json"
    )

    assert response.status_code == 403
    assert Staff.objects.get(pk=person.pk).gender == ""


# --- personal data and erasure ---------------------------------------------------------------


def test_the_personal_data_export_has_the_gender_and_erasure_keeps_it(hr, org_tree):
    person = StaffFactory(unit=org_tree.t1, gender=Gender.OTHER)

    bundle = zipfile.ZipFile(io.BytesIO(personal_data_export(actor=hr, staff=person)))
    assert json.loads(bundle.read("data.json"))["data"]["org.staff"][0]["gender"] == "other"

    services.staff_leave(actor=hr, staff=person, leave_date=dt.date(2026, 6, 30))
    staff_purge(actor=hr, staff=Staff.objects.get(pk=person.pk))

    purged = Staff.objects.get(pk=person.pk)
    assert purged.employee_no.startswith("PURGED-")
    assert (purged.gender, purged.hire_date) == ("other", person.hire_date)


# --- demo -------------------------------------------------------------------------------------


def test_demo_gender_follows_the_given_name_and_is_deterministic():
    assert demo_gender("王晓雯", "E10003") == "female"
    assert demo_gender("李昊然", "E10008") == "male"
    assert demo_gender("陈安", "X1") == demo_gender("陈安", "X1")


@pytest.mark.django_db
def test_the_demo_records_a_gender_for_everyone_with_a_plausible_split():
    build_demo(staff=300)

    people = Staff.objects.count()
    females = Staff.objects.filter(gender=Gender.FEMALE).count()
    assert not Staff.objects.filter(gender="").exists()
    assert 0.35 < females / people < 0.65
    base = Staff.objects.filter(employee_no__startswith="E1")
    assert base.filter(gender=Gender.FEMALE).exists()
    assert base.filter(gender=Gender.MALE).exists()
    assert Staff.objects.get(employee_no="E10002").gender == "female"  # 刘佳琪, the HR login


@pytest.mark.django_db
def test_loading_the_demo_again_fills_in_only_missing_genders_once():
    # given a demo loaded before gender was recorded, and one gender changed by hand since
    build_demo(staff=100)
    Staff.objects.update(gender="")
    Staff.objects.filter(employee_no="E10001").update(gender=Gender.OTHER)

    # when the demo is loaded again (twice)
    build_demo(staff=100)

    def fills():
        return [
            entry.object_id
            for entry in AuditEntry.objects.filter(object_type="org.staff", action="update")
            if entry.changed_fields == ["gender"]
        ]

    filled = fills()
    build_demo(staff=100)

    # then everyone has one, the hand-set one is kept, and each fill was audited once
    assert not Staff.objects.filter(gender="").exists()
    assert Staff.objects.get(employee_no="E10001").gender == "other"
    assert len(filled) == len(set(filled)) == Staff.objects.count() - 1
    assert fills() == filled
