"""Catalogue API: courses, materials, plans, rules, runs and plan assignments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsteam.org.tests.factories import SkillFactory, StaffFactory
from opsteam.training.models import AssignmentRule, Course, Material, PlanAssignment
from opsteam.training.tests.factories import (
    CourseFactory,
    CourseSkillFactory,
    PlanCourseFactory,
    TrainingPlanFactory,
)

pytestmark = pytest.mark.django_db

COURSES = "/api/training/courses/"
PLANS = "/api/training/plans/"
RULES = "/api/training/rules/"
ASSIGNMENTS = "/api/training/plan-assignments/"


def test_hr_creates_course_with_skills_by_code(api_client_as):
    api = api_client_as("hr")
    SkillFactory(code="SQL")
    basics = CourseFactory()

    response = api.post(
        COURSES,
        {
            "code": "DA-1",
            "name": "数据分析",
            "category": "data",
            "duration_hours": "3.5",
            "skills": [{"skill": "SQL", "target_level": 3}],
            "prerequisites": [basics.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["skills"] == [
        {"skill": body["skills"][0]["skill"], "skill_code": "SQL", "target_level": 3}
    ]
    assert body["prerequisites"] == [basics.pk]


def test_prerequisite_cycle_is_a_400_naming_the_field(api_client_as):
    api = api_client_as("hr")
    a, b = CourseFactory(), CourseFactory()
    b.prerequisites.add(a)

    response = api.patch(f"{COURSES}{a.pk}/", {"prerequisites": [b.pk]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "prerequisites"


def test_operator_reads_catalogue_but_cannot_write(api_client_as):
    api = api_client_as("operator")
    course = CourseFactory(code="READ-1")

    listing = api.get(COURSES, {"search": "READ"})
    patch = api.patch(f"{COURSES}{course.pk}/", {"name": "x"}, format="json")

    assert [row["code"] for row in listing.json()["results"]] == ["READ-1"]
    assert patch.status_code == 403


def test_course_filters(api_client_as):
    api = api_client_as("hr")
    CourseFactory(code="A", category="tools", provider="external")
    CourseFactory(code="B", category="data")

    response = api.get(COURSES, {"category": "tools", "provider": "external"})

    assert [row["code"] for row in response.json()["results"]] == ["A"]


def test_enrol_and_retire_actions(api_client_as):
    operator, hr = api_client_as("operator"), api_client_as("hr")
    course = CourseFactory()

    enrolled = operator.post(f"{COURSES}{course.pk}/enrol/")
    retired = hr.post(f"{COURSES}{course.pk}/retire/")
    again = hr.post(f"{COURSES}{course.pk}/retire/")

    assert enrolled.status_code == 201
    assert retired.json()["status"] == "retired"
    assert again.status_code == 409


def test_material_upload_and_versions(api_client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api = api_client_as("hr")
    course = CourseFactory()
    url = f"{COURSES}{course.pk}/materials/"

    for content in (b"one", b"two"):
        response = api.post(
            url,
            {"title": "手册", "kind": "file", "file": SimpleUploadedFile("a.pdf", content)},
            format="multipart",
        )
        assert response.status_code == 201
    listing = api.get(url).json()

    assert [(m["version"], m["is_current"]) for m in listing] == [(2, True), (1, False)]
    assert listing[0]["download_url"].endswith("/download/")
    assert Material.objects.count() == 2


def test_plan_with_items_and_manual_assignment(api_client_as, org_tree):
    api = api_client_as("manager", unit=org_tree.t1)
    hr = api_client_as("hr")
    course = CourseFactory()
    member = StaffFactory(unit=org_tree.t1)
    outsider = StaffFactory(unit=org_tree.t3)

    created = hr.post(
        PLANS,
        {
            "code": "ROLE-1",
            "name": "岗位技能",
            "stage": "role_skills",
            "items": [{"course": course.pk, "due_days": 10}],
        },
        format="json",
    )
    plan_id = created.json()["id"]
    ok = api.post(f"{PLANS}{plan_id}/assign/", {"staff": [member.pk]}, format="json")
    hidden = api.post(f"{PLANS}{plan_id}/assign/", {"staff": [outsider.pk]}, format="json")

    assert created.status_code == 201
    assert created.json()["items"][0]["due_days"] == 10
    assert ok.json()["assignments_created"] == 1
    assert hidden.status_code == 404
    assert PlanAssignment.objects.get().staff == member


def test_rules_crud_and_run(api_client_as, org_tree):
    api = api_client_as("hr")
    plan = PlanCourseFactory().plan
    StaffFactory(unit=org_tree.t1, hire_date=dt.date(2025, 6, 1))

    created = api.post(RULES, {"plan": plan.pk, "trigger": "hire", "due_days": 14}, format="json")
    run = api.post(f"{RULES}run/", {"since": "2025-06-01"}, format="json")
    rerun = api.post(f"{RULES}run/", {"since": "2025-06-01"}, format="json")
    patched = api.patch(f"{RULES}{created.json()['id']}/", {"is_active": False}, format="json")

    assert created.status_code == 201
    assert run.json()["assignments_created"] == 1
    assert rerun.json()["assignments_created"] == 0
    assert patched.json()["is_active"] is False
    assert api.delete(f"{RULES}{created.json()['id']}/").status_code == 204
    assert not AssignmentRule.objects.exists()


def test_plan_assignments_are_scoped(api_client_as, org_tree):
    hr = api_client_as("hr")
    operator = api_client_as("operator")
    plan = TrainingPlanFactory()
    other = StaffFactory(unit=org_tree.t3)
    created = hr.post(
        ASSIGNMENTS, {"plan": plan.pk, "staff": [other.pk, operator.user.staff.pk]}, format="json"
    )

    mine = operator.get(ASSIGNMENTS).json()["results"]

    assert created.status_code == 201
    assert len(created.json()) == 2
    assert [row["staff"] for row in mine] == [operator.user.staff.pk]


def test_course_list_query_count_is_bounded(api_client_as, django_assert_max_num_queries):
    api = api_client_as("operator")
    for _n in range(2):
        CourseSkillFactory().course.prerequisites.add(CourseFactory())
    with django_assert_max_num_queries(12) as few:
        api.get(COURSES)
    for _n in range(15):
        CourseSkillFactory().course.prerequisites.add(CourseFactory())

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(COURSES)

    assert response.json()["count"] == Course.objects.count()
