"""Catalogue services: courses, prerequisites, materials, plans."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import SkillFactory
from opsteam.training import services_catalogue as services
from opsteam.training.choices import CourseStatus, MaterialKind
from opsteam.training.models import Course, CourseSkill, Material, PlanCourse
from opsteam.training.tests.factories import CourseFactory, TrainingPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_hr_creates_course_with_skills_and_prerequisites(user_as):
    hr = user_as("hr")
    basics = CourseFactory(code="BASIC")
    skill = SkillFactory(code="EXCEL")

    course = services.course_create(
        actor=hr,
        code="DATA1",
        name="数据分析入门",
        name_en="Data analysis basics",
        category="data",
        skills=[(skill, 3)],
        prerequisites=[basics],
    )

    assert CourseSkill.objects.get(course=course).target_level == 3
    assert list(course.prerequisites.all()) == [basics]
    assert AuditEntry.objects.filter(object_type="training.course", action="create").exists()


def test_operator_cannot_create_course(user_as):
    with pytest.raises(PolicyDenied):
        services.course_create(actor=user_as("operator"), code="X", name="X", category="data")


def test_duplicate_code_names_the_field(user_as):
    CourseFactory(code="DUP")

    with pytest.raises(ValidationFailed) as error:
        services.course_create(actor=user_as("hr"), code="DUP", name="X", category="data")

    assert error.value.field == "code"


def test_prerequisite_cycle_is_refused_and_names_the_course(user_as):
    # given A requires B and B requires C
    hr = user_as("hr")
    a, b, c = (CourseFactory(code=code, name_en=f"Course {code}") for code in "ABC")
    services.course_prerequisites_set(actor=hr, course=a, prerequisites=[b])
    services.course_prerequisites_set(actor=hr, course=b, prerequisites=[c])

    # when C is made to require A
    with pytest.raises(ValidationFailed) as error:
        services.course_prerequisites_set(actor=hr, course=c, prerequisites=[a])

    # then the message names the course that closes the circle
    assert error.value.field == "prerequisites"
    assert "“Course A” (A) already requires “Course C” (C)" in error.value.message
    assert not c.prerequisites.exists()


def test_course_cannot_require_itself(user_as):
    course = CourseFactory()

    with pytest.raises(ValidationFailed):
        services.course_prerequisites_set(
            actor=user_as("hr"), course=course, prerequisites=[course]
        )


def test_retire_twice_is_refused(user_as):
    hr = user_as("hr")
    course = CourseFactory()
    services.course_retire(actor=hr, course=course)

    assert Course.objects.get(pk=course.pk).status == CourseStatus.RETIRED
    with pytest.raises(InvalidTransition):
        services.course_retire(actor=hr, course=course)


def test_skills_are_replaced_not_added(user_as):
    hr = user_as("hr")
    course = CourseFactory()
    excel, sql = SkillFactory(), SkillFactory()
    services.course_skills_set(actor=hr, course=course, skills=[(excel, 2), (sql, 3)])

    services.course_skills_set(actor=hr, course=course, skills=[(excel, 4)])

    assert list(CourseSkill.objects.filter(course=course).values_list("skill", "target_level")) == [
        (excel.pk, 4)
    ]


def test_replacing_material_adds_a_version_and_keeps_the_old(user_as, media):
    # given a handbook in version 1
    hr = user_as("hr")
    course = CourseFactory()
    first = services.material_add(
        actor=hr,
        course=course,
        title="手册",
        kind=MaterialKind.FILE,
        file=SimpleUploadedFile("handbook.pdf", b"%PDF-1 v1"),
    )

    # when a file with the same title is uploaded
    second = services.material_add(
        actor=hr,
        course=course,
        title="手册",
        kind=MaterialKind.FILE,
        file=SimpleUploadedFile("handbook.pdf", b"%PDF-1 v2"),
        note="新流程",
    )

    # then it is version 2 and current; version 1 remains, not current
    first.refresh_from_db()
    assert (second.version, second.is_current) == (2, True)
    assert (first.version, first.is_current) == (1, False)
    assert Material.objects.filter(course=course).count() == 2
    assert first.file.read() == b"%PDF-1 v1"


def test_link_material_needs_an_address(user_as):
    with pytest.raises(ValidationFailed) as error:
        services.material_add(
            actor=user_as("hr"), course=CourseFactory(), title="视频", kind=MaterialKind.LINK
        )

    assert error.value.field == "url"


@pytest.mark.parametrize(
    ("_case", "name", "size"),
    [("executable", "setup.exe", 10), ("too large", "big.pdf", 200 * 1024 * 1024)],
)
def test_unsafe_or_large_files_are_refused(user_as, media, _case, name, size):
    upload = SimpleUploadedFile(name, b"x")
    upload.size = size

    with pytest.raises(ValidationFailed) as error:
        services.material_add(
            actor=user_as("hr"),
            course=CourseFactory(),
            title="文件",
            kind=MaterialKind.FILE,
            file=upload,
        )

    assert error.value.field == "file"
    assert not Material.objects.exists()


def test_plan_items_keep_order_and_refuse_duplicates(user_as):
    hr = user_as("hr")
    a, b = CourseFactory(), CourseFactory()

    plan = services.plan_create(
        actor=hr,
        code="ONB",
        name="入职培训",
        stage="onboarding",
        items=[{"course": b, "due_days": 7}, {"course": a, "due_days": 14, "is_required": False}],
    )

    assert list(
        PlanCourse.objects.filter(plan=plan).values_list("course", "order", "due_days")
    ) == [
        (b.pk, 0, 7),
        (a.pk, 1, 14),
    ]
    with pytest.raises(ValidationFailed):
        services.plan_items_set(actor=hr, plan=plan, items=[{"course": a}, {"course": a}])


def test_retired_course_cannot_join_a_plan(user_as):
    course = CourseFactory(status=CourseStatus.RETIRED)

    with pytest.raises(ValidationFailed):
        services.plan_items_set(
            actor=user_as("hr"), plan=TrainingPlanFactory(), items=[{"course": course}]
        )
