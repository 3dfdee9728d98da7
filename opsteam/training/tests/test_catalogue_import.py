"""Course import (kind "course") and the catalogue export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from opsteam.core import imports
from opsteam.core.exceptions import ImportRejected, PolicyDenied
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import SkillFactory
from opsteam.training.models import Course
from opsteam.training.tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

HEADER = "课程编码,课程名称,英文名称,类别,教学方式,授课形式,提供方,课时,培养技能,先修课程\n"


def _run(user, text: str, *, dry_run: bool = False):
    return imports.run_import(
        actor=user,
        spec_class=imports.get_spec("course"),
        handle=io.BytesIO(text.encode("utf-8")),
        filename="courses.csv",
        dry_run=dry_run,
    )


def test_good_file_creates_courses_with_skills_and_prerequisites(user_as):
    hr = user_as("hr")
    SkillFactory(code="EXCEL")
    SkillFactory(code="SQL")
    text = HEADER + (
        "DA-201,数据分析进阶,Data analysis 2,data,hands_on,online,internal,4,EXCEL:4;SQL:3,DA-101\n"
        "DA-101,数据分析入门,Data analysis 1,Data analysis,theory,classroom,internal,2,EXCEL:3,\n"
    )

    outcome = _run(hr, text)

    assert (outcome.created, outcome.updated) == (2, 0)
    advanced = Course.objects.get(code="DA-201")
    assert advanced.method == "hands_on"
    assert str(advanced.duration_hours) == "4.0"
    assert sorted(advanced.skills.values_list("skill__code", "target_level")) == [
        ("EXCEL", 4),
        ("SQL", 3),
    ]
    assert list(advanced.prerequisites.values_list("code", flat=True)) == ["DA-101"]
    assert Course.objects.get(code="DA-101").category == "data"
    assert AuditEntry.objects.filter(object_type="training.course", action="create").count() == 2


def test_reimport_updates_and_counts_unchanged(user_as):
    hr = user_as("hr")
    text = HEADER + "C-1,课程一,,tools,,,,2,,\nC-2,课程二,,tools,,,,2,,\n"
    _run(hr, text)

    outcome = _run(hr, text.replace("课程一", "课程一(新版)"))

    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    assert Course.objects.get(code="C-1").name == "课程一(新版)"


def test_bad_file_names_row_column_and_value_and_writes_nothing(user_as):
    hr = user_as("hr")
    text = HEADER + (
        "OK-1,好课,,tools,,,,2,,\n"
        "BAD-1,坏课,,cooking,,,,abc,NOSKILL:3,NOPE\n"
        "OK-1,重复,,tools,,,,2,,\n"
    )

    with pytest.raises(ImportRejected) as rejected:
        _run(hr, text)

    problems = {(e["row"], e["column"], e["value"]) for e in rejected.value.errors}
    assert (3, "类别", "cooking") in problems or (3, "Category", "cooking") in problems
    assert (3, "Hours", "abc") in problems
    assert (3, "Skills", "NOSKILL") in problems
    assert (3, "Prerequisites", "NOPE") in problems
    assert (4, "Code", "OK-1") in problems
    assert not Course.objects.exists()


def test_prerequisite_loop_across_file_and_database_is_refused(user_as):
    hr = user_as("hr")
    a = CourseFactory(code="A")
    b = CourseFactory(code="B")
    b.prerequisites.add(a)  # B requires A

    with pytest.raises(ImportRejected) as rejected:
        _run(hr, HEADER + "A,甲,,tools,,,,2,,B\n")

    [error] = rejected.value.errors
    assert (error["row"], error["column"], error["value"]) == (2, "Prerequisites", "B")
    assert "loops" in error["reason"]


def test_operator_may_not_import(user_as):
    with pytest.raises(PolicyDenied):
        _run(user_as("operator"), HEADER)


def test_catalogue_export_escapes_formulas(client_as):
    client = client_as("hr")
    CourseFactory(code="X-1", name_en="=HYPERLINK(1)")

    response = client.get(reverse("training:course_list"), {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "X-1"
    assert rows[1][1] == "'=HYPERLINK(1)"
