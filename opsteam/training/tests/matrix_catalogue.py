"""Permission table of the training catalogue: courses, materials, plans, rules (UI + API)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from opsteam.core.tests.matrix_support import (
    EDITORS,
    EVERYONE,
    READERS,
    Check,
    _roles,
)

TEAM_WRITERS = _roles(403, admin=200, hr=200, manager=200)
RULE_CHANGE = _roles(403, admin=200, hr=200, manager=404, operator=404)
RULE_READ = _roles(404, admin=200, hr=200, auditor=200)
EDITORS_302 = _roles(403, admin=302, hr=302)
MATERIAL_FILE = "training/materials/matrix/handbook.txt"

EXPECTED: dict[str, list[Check]] = {
    # UI
    "training:course_list": [Check(EVERYONE), Check(EVERYONE, query="q=Excel&category=tools")],
    "training:course_create": [
        Check(EDITORS),
        Check(_roles(403, admin=400, hr=400), method="post", data={"code": ""}),
    ],
    "training:course_detail": [Check(EVERYONE, obj="cat_course")],
    "training:course_update": [Check(EDITORS, obj="cat_course")],
    "training:course_retire": [Check(EDITORS_302, method="post", obj="cat_course")],
    "training:course_enrol": [Check(_roles(302), method="post", obj="cat_course")],
    "training:course_assign": [
        Check(TEAM_WRITERS, obj="cat_course"),
        Check(_roles(403, admin=400, hr=400, manager=400), method="post", obj="cat_course"),
    ],
    "training:material_add": [
        Check(EDITORS, obj="cat_course"),
        Check(_roles(403, admin=400, hr=400), method="post", obj="cat_course"),
    ],
    "training:material_download": [Check(EVERYONE, obj="cat_material")],
    "training:plan_list": [Check(EVERYONE)],
    "training:plan_create": [Check(EDITORS)],
    "training:plan_detail": [Check(EVERYONE, obj="cat_plan")],
    "training:plan_update": [Check(EDITORS, obj="cat_plan")],
    "training:plan_assign": [
        Check(TEAM_WRITERS, obj="cat_plan"),
        Check(_roles(403, admin=400, hr=400, manager=400), method="post", obj="cat_plan"),
    ],
    "training:planassignment_list": [Check(EVERYONE)],
    "training:rule_list": [Check(READERS)],
    "training:rule_create": [Check(EDITORS)],
    "training:rule_update": [Check(RULE_CHANGE, obj="cat_rule")],
    "training:rule_delete": [
        Check(
            _roles(403, admin=302, hr=302, manager=404, operator=404), method="post", obj="cat_rule"
        )
    ],
    "training:rules_run": [Check(EDITORS), Check(EDITORS, method="post")],
    # API
    "training-course-list": [
        Check(EVERYONE),
        Check(EVERYONE, query="search=Excel&category=tools"),
        Check(_roles(403, admin=400, hr=400), method="post", data={"code": ""}),
    ],
    "training-course-detail": [
        Check(EVERYONE, obj="cat_course"),
        Check(EDITORS, method="patch", obj="cat_course", data={"duration_hours": "3.0"}),
    ],
    "training-course-retire": [
        Check(_roles(403, admin=200, hr=200), method="post", obj="cat_course")
    ],
    "training-course-enrol": [Check(_roles(201), method="post", obj="cat_course")],
    "training-course-materials": [
        Check(EVERYONE, obj="cat_course"),
        Check(_roles(403, admin=400, hr=400), method="post", obj="cat_course", multipart=True),
    ],
    "training-plan-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400), method="post", data={"code": ""}),
    ],
    "training-plan-detail": [
        Check(EVERYONE, obj="cat_plan"),
        Check(EDITORS, method="patch", obj="cat_plan", data={"name_en": "Onboarding"}),
    ],
    "training-plan-assign": [
        Check(_roles(403, admin=400, hr=400, manager=400), method="post", obj="cat_plan")
    ],
    "training-rule-list": [
        Check(READERS),
        Check(_roles(403, admin=400, hr=400), method="post", data={"trigger": "x"}),
    ],
    "training-rule-detail": [
        Check(RULE_READ, obj="cat_rule"),
        Check(RULE_CHANGE, method="patch", obj="cat_rule", data={"due_days": 20}),
        Check(
            _roles(403, admin=204, hr=204, manager=404, operator=404),
            method="delete",
            obj="cat_rule",
        ),
    ],
    "training-rule-run": [Check(EDITORS, method="post", data={})],
    "training-plan-assignment-list": [
        Check(EVERYONE),
        Check(_roles(403, admin=400, hr=400, manager=400), method="post", data={}),
    ],
    "training-plan-assignment-detail": [
        Check(_roles(200, operator=404), obj="cat_team_assignment"),
    ],
}

GUARDED = (
    "training.Course",
    "training.CourseSkill",
    "training.Material",
    "training.TrainingPlan",
    "training.PlanCourse",
    "training.AssignmentRule",
    "training.PlanAssignment",
    "training.Enrolment",
)


def objects(objects: dict, users: dict, user: Any) -> dict:
    """An open course with a file material, a plan containing it, a rule and a team member's
    plan assignment."""
    import datetime as dt

    from opsteam.training.choices import AssignmentSource, MaterialKind
    from opsteam.training.models import AssignmentRule, Material, PlanAssignment
    from opsteam.training.tests.factories import CourseFactory, PlanCourseFactory

    course = CourseFactory(code="MX-EXCEL", name="Excel 进阶", name_en="Excel advanced")
    if not default_storage.exists(MATERIAL_FILE):
        default_storage.save(MATERIAL_FILE, ContentFile(b"matrix handbook"))
    material = Material.objects.create(
        course=course, title="手册", kind=MaterialKind.FILE, file=MATERIAL_FILE
    )
    item = PlanCourseFactory(course=course)
    rule = AssignmentRule.objects.create(plan=item.plan, trigger="hire")
    today = dt.date.today()  # noqa: DTZ011 (a plain date for the row)
    team_assignment = PlanAssignment.objects.create(
        staff=objects["team_staff"],
        plan=item.plan,
        source=AssignmentSource.MANUAL,
        source_ref="manual:matrix",
        assigned_on=today,
        due_on=today + dt.timedelta(days=30),
    )
    return {
        "cat_course": course,
        "cat_material": material,
        "cat_plan": item.plan,
        "cat_rule": rule,
        "cat_team_assignment": team_assignment,
    }
