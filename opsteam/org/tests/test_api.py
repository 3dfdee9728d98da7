"""The HR journey over the API with a personal token (what the UI journey does, in JSON)."""

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opsteam.accounts import services as account_services
from opsteam.org.models import JobDescription, Staff
from opsteam.org.tests.factories import (
    ActivityFactory,
    JobDescriptionFactory,
    JobDutyFactory,
    JobLevelFactory,
    PositionFactory,
    RaciAssignmentFactory,
)


@pytest.fixture
def hr_api(user_as):
    hr = user_as("hr")
    _token, secret = account_services.api_token_create(actor=hr, name="journey")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    api.user = hr
    return api


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    upload = io.BytesIO(buffer.getvalue().encode("utf-8"))
    upload.name = "staff.csv"
    return upload


def test_hr_journey_over_the_api(hr_api, org_tree):
    # given a position with a published job description and a RACI conflict
    position = PositionFactory(code="STORE-OP")
    JobLevelFactory(code="P2")
    published = JobDescriptionFactory(position=position, purpose="负责店铺运营")
    JobDutyFactory(job_description=published, title="商品上架", time_share=50)
    activity = ActivityFactory(name="活动方案审批")
    RaciAssignmentFactory(activity=activity, position=position, role="A")
    RaciAssignmentFactory(activity=activity, role="A")

    # org chart
    chart = hr_api.get(reverse("org-unit-chart")).json()
    assert chart[0]["code"] == "CO"
    assert [child["code"] for child in chart[0]["children"]] == ["D1", "D2"]

    # open the job description, start a draft, edit it, publish it
    detail = hr_api.get(reverse("org-job-description-detail", args=[published.pk])).json()
    assert detail["duties"][0]["title"] == "商品上架"
    draft = hr_api.post(reverse("org-position-start-draft", args=[position.pk])).json()
    assert (draft["version"], draft["status"]) == (2, "draft")
    edited = hr_api.patch(
        reverse("org-job-description-detail", args=[draft["id"]]),
        {
            "purpose": "负责店铺运营和大促执行",
            "duties": [
                {"title": "商品上架", "time_share": 50},
                {"title": "大促执行", "time_share": 40},
            ],
        },
        format="json",
    )
    assert edited.status_code == 200, edited.json()
    published_now = hr_api.post(reverse("org-job-description-publish", args=[draft["id"]])).json()
    assert published_now["status"] == "published"
    assert JobDescription.objects.get(pk=published.pk).status == "superseded"
    diff = hr_api.get(reverse("org-job-description-diff", args=[draft["id"]])).json()
    assert {d["section"] for d in diff if d["changed"]} == {"purpose", "duties"}

    # the RACI analysis flags the seeded conflict
    analysis = hr_api.get(reverse("org-raci-analysis")).json()
    assert {"kind": "multiple_accountable", "activity": activity.pk} in [
        {"kind": f["kind"], "activity": f["activity"]} for f in analysis["activity_findings"]
    ]

    # import a staff file with errors: every error listed, nothing written
    header = [
        "employee_no",
        "name",
        "hire_date",
        "unit_code",
        "position_code",
        "level_code",
        "email",
        "manager_employee_no",
    ]
    bad = _csv(
        [
            header,
            ["E1", "王一", "2024-13-01", "T1", "STORE-OP", "P2", "a@example.com", ""],
            ["E2", "王二", "2024-01-02", "NOPE", "STORE-OP", "P2", "not-an-email", "E1"],
            ["E2", "王三", "2024-01-03", "T1", "STORE-OP", "P2", "", "E9"],
        ]
    )
    rejected = hr_api.post(
        reverse("import-job-run", args=["staff"]), {"file": bad}, format="multipart"
    )
    assert rejected.status_code == 400
    problems = {(e["row"], e["code"]) for e in rejected.json()["errors"]}
    assert {
        (2, "invalid"),
        (3, "unknown_reference"),
        (3, "invalid"),
        (4, "duplicate"),
        (4, "unknown_reference"),
    } <= problems
    assert Staff.objects.count() == 1  # only the HR user's own record

    # fix it and import it
    good = _csv(
        [
            header,
            ["E1", "王一", "2024-01-01", "T1", "STORE-OP", "P2", "a@example.com", ""],
            ["E2", "王二", "2024-01-02", "T2", "STORE-OP", "P2", "b@example.com", "E1"],
        ]
    )
    imported = hr_api.post(
        reverse("import-job-run", args=["staff"]), {"file": good}, format="multipart"
    )
    assert imported.status_code == 201, imported.json()
    assert imported.json()["created"] == 2
    assert Staff.objects.get(employee_no="E2").manager.employee_no == "E1"

    # export the staff list, filtered
    export = hr_api.get(reverse("org-staff-export"), {"file_format": "csv", "q": "王"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == ["E1", "E2"]


def test_validation_errors_use_the_one_error_format(hr_api, org_tree):
    response = hr_api.post(
        reverse("org-staff-list"), {"employee_no": "", "hire_date": "nope"}, format="json"
    )

    body = response.json()
    assert response.status_code == 400
    assert body["type"] == "validation_error"
    assert {"employee_no", "hire_date", "name", "unit", "position"} <= {
        e["attr"] for e in body["errors"]
    }


def test_writable_fields_are_explicit(hr_api, org_tree, user_as):
    staff = user_as("operator").staff

    response = hr_api.patch(
        reverse("org-staff-detail", args=[staff.pk]),
        {"status": "left", "unit": org_tree.t3.pk, "phone": "13900000000"},
        format="json",
    )

    staff.refresh_from_db()
    assert response.status_code == 200
    assert (staff.status, staff.unit_id, staff.phone) == ("active", org_tree.t1.pk, "13900000000")


def test_list_filters_and_pagination(hr_api, org_tree):
    from opsteam.org.tests.factories import StaffFactory

    for _ in range(7):
        StaffFactory(unit=org_tree.t3)

    page = hr_api.get(reverse("org-staff-list"), {"unit": org_tree.d2.pk, "page_size": 5}).json()

    assert page["count"] == 7
    assert len(page["results"]) == 5
    assert page["next"]
