"""``POST /api/imports/run/<kind>/``: the import engine over the API, with the standard errors."""

import csv
import io

import pytest
from django.urls import reverse

from opsteam.core.choices import AuditSource, ImportStatus
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.models import Staff
from opsteam.org.tests.factories import JobLevelFactory, PositionFactory

HEADER = ["employee_no", "name", "hire_date", "unit_code", "position_code", "email"]
URL = reverse("import-job-run", args=["staff"])


@pytest.fixture
def catalogue(org_tree):
    JobLevelFactory(code="P2")
    return PositionFactory(code="STORE-OP")


def upload(rows, name="staff.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    handle = io.BytesIO(buffer.getvalue().encode("utf-8"))
    handle.name = name
    return handle


GOOD = [
    HEADER,
    ["A1", "王一", "2024-01-01", "T1", "STORE-OP", "a1@example.com"],
    ["A2", "王二", "2024-01-02", "T2", "STORE-OP", ""],
]
BAD = [
    HEADER,
    ["A1", "王一", "2024-13-01", "T1", "STORE-OP", ""],
    ["A2", "", "2024-01-02", "NOPE", "STORE-OP", "not-an-email"],
    ["A1", "王三", "2024-01-03", "T1", "STORE-OP", ""],
]


def test_bad_file_answers_400_with_every_problem_and_writes_nothing(api_client_as, catalogue):
    api = api_client_as("hr")
    staff_before = Staff.objects.count()

    response = api.post(URL, {"file": upload(BAD)}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr", "row", "value"}
    found = {(e["row"], e["attr"], e["value"], e["code"]) for e in body["errors"]}
    assert found == {
        (2, "Hire date", "2024-13-01", "invalid"),
        (3, "Name", "", "required"),
        (3, "Unit code", "NOPE", "unknown_reference"),
        (3, "Email", "not-an-email", "invalid"),
        (4, "Employee number", "A1", "duplicate"),
    }
    assert all(error["detail"] for error in body["errors"])
    assert Staff.objects.count() == staff_before
    assert not AuditEntry.objects.exists()
    job = ImportJob.objects.get()
    assert (job.status, job.error_count, job.source) == (ImportStatus.REJECTED, 5, AuditSource.API)


def test_good_file_answers_201_with_the_counts(api_client_as, catalogue):
    api = api_client_as("hr")

    response = api.post(URL, {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["dry_run"]) == (
        2,
        0,
        0,
        False,
    )
    job = ImportJob.objects.get(pk=body["job"]["id"])
    assert (job.status, job.source, job.actor) == (ImportStatus.COMMITTED, "api", api.user)
    assert set(
        Staff.objects.filter(employee_no__in=["A1", "A2"]).values_list("name", flat=True)
    ) == {
        "王一",
        "王二",
    }
    assert AuditEntry.objects.filter(import_job_id=job.pk, source=AuditSource.IMPORT).count() == 2


def test_dry_run_answers_200_and_writes_nothing(api_client_as, catalogue):
    api = api_client_as("hr")
    staff_before = Staff.objects.count()

    response = api.post(URL, {"file": upload(GOOD), "dry_run": "true"}, format="multipart")

    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert response.json()["rows_total"] == 2
    assert Staff.objects.count() == staff_before
    assert not AuditEntry.objects.exists()
    assert ImportJob.objects.get().status == ImportStatus.PREVIEWED


@pytest.mark.parametrize("role", ["operator", "manager", "auditor"])
def test_only_admin_and_hr_may_import(api_client_as, catalogue, role):
    api = api_client_as(role)
    staff_before = Staff.objects.count()

    response = api.post(URL, {"file": upload(GOOD)}, format="multipart")

    assert response.status_code == 403
    assert response.json()["type"] == "client_error"
    assert Staff.objects.count() == staff_before
    assert not ImportJob.objects.exists()


def test_zip_bomb_over_the_api_is_a_400_with_the_reason(api_client_as, catalogue):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 << 20))
    bomb = io.BytesIO(buffer.getvalue())
    bomb.name = "bomb.xlsx"
    api = api_client_as("hr")

    response = api.post(URL, {"file": bomb}, format="multipart")

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["code"], error["row"]) == ("file", None)
    assert "compression ratio" in error["detail"]


def test_unknown_kind_is_a_json_404(api_client_as, catalogue):
    api = api_client_as("hr")

    response = api.post(
        reverse("import-job-run", args=["nothing"]), {"file": upload(GOOD)}, format="multipart"
    )

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"
