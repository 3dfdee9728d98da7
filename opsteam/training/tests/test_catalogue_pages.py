"""Catalogue pages: catalogue, course detail, materials, plans, rules, run, query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsteam.org.tests.factories import SkillFactory, StaffFactory
from opsteam.training import services_catalogue as services
from opsteam.training.choices import CourseStatus, EnrolmentStatus, MaterialKind
from opsteam.training.models import (
    AssignmentRule,
    Course,
    Enrolment,
    Material,
    PlanAssignment,
    TrainingPlan,
)
from opsteam.training.tests.factories import (
    CourseFactory,
    CourseSkillFactory,
    EnrolmentFactory,
    PlanCourseFactory,
    SessionFactory,
    TrainingPlanFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_catalogue_searches_both_languages_and_filters(client_as):
    client = client_as("operator")
    CourseFactory(code="XL-1", name="表格进阶", name_en="Spreadsheets advanced", category="tools")
    CourseFactory(
        code="CS-1",
        name="客户心理学",
        name_en="Customer psychology",
        category="customer_psychology",
    )

    by_english = client.get(reverse("training:course_list"), {"q": "spreadsheets"})
    by_chinese = client.get(reverse("training:course_list"), {"q": "心理"})
    by_category = client.get(reverse("training:course_list"), {"category": "tools"})

    assert [c.code for c in by_english.context["object_list"]] == ["XL-1"]
    assert [c.code for c in by_chinese.context["object_list"]] == ["CS-1"]
    assert [c.code for c in by_category.context["object_list"]] == ["XL-1"]


def test_operators_do_not_see_draft_or_retired_courses(client_as):
    client = client_as("operator")
    CourseFactory(code="LIVE")
    CourseFactory(code="DRAFT", status=CourseStatus.DRAFT)
    CourseFactory(code="OLD", status=CourseStatus.RETIRED)

    response = client.get(reverse("training:course_list"))

    assert [c.code for c in response.context["object_list"]] == ["LIVE"]
    assert b"Enrol" in response.content


def test_catalogue_table_layout_and_export(client_as):
    client = client_as("hr")
    CourseFactory(code="T-1")

    table = client.get(reverse("training:course_list"), {"layout": "table"})
    export = client.get(reverse("training:course_list"), {"export": "xlsx"})

    assert table.status_code == 200
    assert b"T-1" in table.content
    assert export.status_code == 200
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


def test_enrol_button_enrols_the_operator(client_as):
    client = client_as("operator")
    course = CourseFactory()

    response = client.post(reverse("training:course_enrol", args=[course.pk]))

    assert response.status_code == 302
    enrolment = Enrolment.objects.get(course=course)
    assert enrolment.staff == client.user.staff
    assert enrolment.status == EnrolmentStatus.ASSIGNED


def test_enrol_without_prerequisite_shows_the_reason(client_as):
    client = client_as("operator")
    basics = CourseFactory(name_en="Basics")
    course = CourseFactory()
    course.prerequisites.add(basics)

    response = client.post(reverse("training:course_enrol", args=[course.pk]), follow=True)

    assert not Enrolment.objects.exists()
    assert "Complete the prerequisites first: Basics" in response.content.decode()


def test_course_detail_shows_skills_prerequisites_materials_sessions_plans(client_as, media):
    client = client_as("hr")
    course = CourseFactory(name_en="Data analysis")
    CourseSkillFactory(course=course, skill=SkillFactory(name_en="SQL"), target_level=3)
    course.prerequisites.add(CourseFactory(code="PRE-1"))
    services.material_add(
        actor=client.user,
        course=course,
        title="Slides",
        kind=MaterialKind.LINK,
        url="https://x.cn/s",
    )
    SessionFactory(course=course, location="Room 301")
    plan = PlanCourseFactory(course=course).plan

    response = client.get(reverse("training:course_detail", args=[course.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    for expected in (
        "SQL",
        "Level 3",
        "PRE-1",
        "Slides",
        "Room 301",
        plan.name_en,
        "Assign to people",
    ):
        assert expected in text


def test_course_form_errors_are_shown_inline(client_as):
    client = client_as("hr")
    CourseFactory(code="TAKEN")

    response = client.post(
        reverse("training:course_create"),
        {
            "code": "TAKEN",
            "name": "新课",
            "category": "data",
            "method": "theory",
            "delivery": "online",
            "provider": "internal",
            "duration_hours": "2",
            "status": "active",
            "skills": "NOPE:9",
        },
    )

    assert response.status_code == 400
    assert "is not CODE:LEVEL" in response.content.decode()


def test_course_create_and_update_through_the_form(client_as):
    client = client_as("hr")
    skill = SkillFactory(code="EXCEL")
    data = {
        "code": "NEW-1",
        "name": "新课",
        "name_en": "New",
        "category": "data",
        "method": "theory",
        "delivery": "online",
        "provider": "internal",
        "duration_hours": "2.5",
        "status": "active",
        "is_open": "on",
        "skills": "EXCEL:3",
    }

    created = client.post(reverse("training:course_create"), data)
    course = Course.objects.get(code="NEW-1")
    updated = client.post(
        reverse("training:course_update", args=[course.pk]), {**data, "skills": "EXCEL:4"}
    )

    assert created.status_code == 302
    assert updated.status_code == 302
    assert course.skills.get().target_level == 4
    assert course.skills.get().skill == skill


def test_material_upload_versions_and_download(client_as, media):
    client = client_as("hr")
    course = CourseFactory(code="MAT")
    url = reverse("training:material_add", args=[course.pk])
    for content in (b"v1", b"v2"):
        response = client.post(
            url,
            {"title": "Handbook", "kind": "file", "file": SimpleUploadedFile("h.pdf", content)},
        )
        assert response.status_code == 302
    old, new = Material.objects.order_by("version")

    download = client.get(reverse("training:material_download", args=[old.pk]))

    assert (old.is_current, new.is_current, new.version) == (False, True, 2)
    assert b"".join(download.streaming_content) == b"v1"
    assert "MAT-Handbook-v1.pdf" in download["Content-Disposition"]
    page = client.get(reverse("training:course_detail", args=[course.pk])).content.decode()
    assert "v2" in page
    assert "v1" in page


def test_material_of_wrong_kind_is_refused_inline(client_as, media):
    client = client_as("hr")
    course = CourseFactory()

    response = client.post(
        reverse("training:material_add", args=[course.pk]),
        {"title": "Bad", "kind": "file", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )

    assert response.status_code == 400
    assert "not accepted" in response.content.decode()


def test_manager_assigns_course_to_team_member_only(client_as, org_tree):
    client = client_as("manager", unit=org_tree.t1)
    course = CourseFactory()
    member = StaffFactory(unit=org_tree.t1)
    outsider = StaffFactory(unit=org_tree.t3)
    url = reverse("training:course_assign", args=[course.pk])

    ok = client.post(url, {"staff": [member.pk], "due_on": "2099-01-01"})
    refused = client.post(url, {"staff": [outsider.pk]})

    assert ok.status_code == 302
    assert Enrolment.objects.get(course=course).staff == member
    assert refused.status_code == 400


def test_plan_pages_show_courses_rules_and_completion(client_as, org_tree):
    # given a plan with one required course, assigned to two people, one finished
    client = client_as("hr")
    plan = TrainingPlanFactory(name_en="Onboarding")
    item = PlanCourseFactory(plan=plan)
    AssignmentRule.objects.create(plan=plan, trigger="hire")
    done, pending = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t1)
    services.plan_assign(actor=client.user, plan=plan, staff=[done, pending])
    Enrolment.objects.filter(staff=done).update(status=EnrolmentStatus.COMPLETED)

    detail = client.get(reverse("training:plan_detail", args=[plan.pk]))
    listing = client.get(reverse("training:plan_list"))

    assert detail.context["progress"].percent == 50.0
    assert item.course.code in detail.content.decode()
    assert "Hire" in detail.content.decode()
    assert listing.context["object_list"][0].assigned_count == 2


def test_plan_create_with_items_through_the_form(client_as):
    client = client_as("hr")
    CourseFactory(code="CULT-01")
    CourseFactory(code="DUTY-01")

    response = client.post(
        reverse("training:plan_create"),
        {
            "code": "ONB",
            "name": "入职",
            "stage": "onboarding",
            "is_active": "on",
            "items": "CULT-01, 7\nDUTY-01, 14, optional",
        },
    )

    plan = TrainingPlan.objects.get(code="ONB")
    assert response.status_code == 302
    assert list(plan.items.values_list("course__code", "due_days", "is_required")) == [
        ("CULT-01", 7, True),
        ("DUTY-01", 14, False),
    ]


def test_plan_form_names_the_unknown_course_line(client_as):
    client = client_as("hr")

    response = client.post(
        reverse("training:plan_create"),
        {"code": "X", "name": "X", "stage": "onboarding", "items": "NOPE, 7"},
    )

    assert response.status_code == 400
    assert "Line 1: unknown course code NOPE" in response.content.decode()


def test_rules_crud_and_run_now(client_as, org_tree):
    client = client_as("hr")
    plan = TrainingPlanFactory()
    PlanCourseFactory(plan=plan)
    StaffFactory(unit=org_tree.t1, hire_date=dt.date.today())  # noqa: DTZ011

    created = client.post(
        reverse("training:rule_create"),
        {"plan": plan.pk, "trigger": "hire", "due_days": 30, "is_active": "on"},
    )
    rule = AssignmentRule.objects.get()
    listing = client.get(reverse("training:rule_list"))
    run = client.post(reverse("training:rules_run"), {"since": ""})

    assert created.status_code == 302
    assert listing.status_code == 200
    assert run.status_code == 200
    assert run.context["result"].assignments_created >= 1
    assert PlanAssignment.objects.filter(rule=rule).exists()
    deleted = client.post(reverse("training:rule_delete", args=[rule.pk]))
    assert deleted.status_code == 302
    assert not AssignmentRule.objects.exists()


def test_catalogue_query_count_does_not_grow_with_courses(client_as, django_assert_max_num_queries):
    client = client_as("operator")
    CourseFactory.create_batch(2, owner=StaffFactory())
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("training:course_list"))
    CourseFactory.create_batch(20, owner=StaffFactory())
    EnrolmentFactory(staff=client.user.staff, course=Course.objects.first())

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("training:course_list"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("training:course_list"), {"layout": "table"})

    assert len(response.context["object_list"]) == 22


def test_plan_list_query_count_does_not_grow_with_plans(client_as, django_assert_max_num_queries):
    client = client_as("manager")
    PlanCourseFactory()
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("training:plan_list"))
    for _n in range(15):
        PlanCourseFactory()

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("training:plan_list"))

    assert response.context["paginator"].count == 16
