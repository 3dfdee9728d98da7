"""The external results import (kind ``training_results``) through the shared engine."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from opsteam.core import imports
from opsteam.core.exceptions import ImportRejected, PolicyDenied
from opsteam.org.models import StaffSkill
from opsteam.org.tests.factories import SkillFactory, StaffFactory
from opsteam.training.models import Certificate, Enrolment
from opsteam.training.tests.factories import CourseFactory, CourseSkillFactory, ExamFactory

HEADER = "工号,课程编码,完成日期,成绩,是否通过"


def _run(actor, rows: list[list[str]]):
    text = "\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n"
    return imports.run_import(
        actor=actor,
        spec_class=imports.get_spec("training_results"),
        handle=io.BytesIO(text.encode("utf-8")),
        filename="results.csv",
        dry_run=False,
    )


@pytest.fixture
def course(db):
    course = CourseFactory(code="CERT-PMP", issues_certificate=True, certificate_valid_months=36)
    CourseSkillFactory(course=course, skill=SkillFactory(code="SK-PM"), target_level=3)
    ExamFactory(course=course, kind="post")  # the provider's exam stands in for ours
    return course


def test_a_passed_result_completes_the_course_with_skills_and_certificate(
    org_tree, user_as, course
):
    hr = user_as("hr")
    passed, failed = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t3)

    outcome = _run(
        hr,
        [
            [passed.employee_no, "CERT-PMP", "2026-10-08", "86", "是"],
            [failed.employee_no, "CERT-PMP", "2026-10-08", "41%", "否"],
        ],
    )

    assert outcome.created == 2
    done = Enrolment.objects.get(staff=passed, course=course)
    assert (done.status, done.completed_on, done.external_score) == (
        "completed",
        dt.date(2026, 10, 8),
        Decimal("86.0"),
    )
    assert StaffSkill.objects.get(staff=passed).level == 3
    assert Certificate.objects.get(staff=passed).expires_on == dt.date(2029, 10, 8)
    open_one = Enrolment.objects.get(staff=failed, course=course)
    assert (open_one.status, open_one.external_score) == ("in_progress", Decimal("41.0"))
    assert not Certificate.objects.filter(staff=failed).exists()


def test_re_importing_keeps_the_earlier_result(org_tree, user_as, course):
    hr = user_as("hr")
    person = StaffFactory(unit=org_tree.t1)
    _run(hr, [[person.employee_no, "CERT-PMP", "2026-10-08", "86", ""]])

    again = _run(hr, [[person.employee_no, "CERT-PMP", "2026-11-01", "99", ""]])

    assert again.unchanged == 1
    assert Enrolment.objects.get(staff=person).completed_on == dt.date(2026, 10, 8)
    assert Certificate.objects.filter(staff=person).count() == 1


def test_every_problem_is_listed_and_nothing_is_written(org_tree, user_as, course):
    hr = user_as("hr")
    person = StaffFactory(unit=org_tree.t1)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    with pytest.raises(ImportRejected) as rejected:
        _run(
            hr,
            [
                [person.employee_no, "CERT-PMP", "2026-10-08", "86", "是"],
                ["E-NOPE", "CERT-PMP", "2026-10-08", "", ""],
                [person.employee_no, "NO-SUCH", "2026-10-08", "", ""],
                [person.employee_no, "CERT-PMP", tomorrow, "120", "也许"],
                [person.employee_no, "CERT-PMP", "2026-10-09", "", ""],
            ],
        )

    problems = {(e["row"], e["column"], e["reason"]) for e in rejected.value.errors}
    assert (3, "Employee number", "unknown employee number") in problems
    assert (4, "Course code", "unknown course") in problems
    assert (5, "Score", "a score from 0 to 100") in problems
    assert (5, "Passed", "use yes or no (是/否)") in problems
    assert any(row == 6 and "duplicate" in reason for row, _c, reason in problems)
    assert not Enrolment.objects.exists()


def test_only_hr_and_administrators_import_results(org_tree, user_as, course):
    person = StaffFactory(unit=org_tree.t1)
    for role in ("operator", "manager", "auditor"):
        with pytest.raises(PolicyDenied):
            _run(user_as(role), [[person.employee_no, "CERT-PMP", "2026-10-08", "", ""]])
