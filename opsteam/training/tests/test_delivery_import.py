"""The attendance import (kind ``training_attendance``) through the shared engine."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core import imports
from opsteam.core.exceptions import ImportRejected, PolicyDenied
from opsteam.org.tests.factories import StaffFactory
from opsteam.training.choices import EnrolmentStatus
from opsteam.training.models import Enrolment, Registration
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory, SessionFactory


def _csv(rows: list[list[str]]) -> io.BytesIO:
    lines = ["工号,场次编号,课程编码,日期,是否出席", *(",".join(r) for r in rows)]
    return io.BytesIO(("\n".join(lines) + "\n").encode("utf-8"))


def _held_session(org_tree, people=2):
    start = timezone.now() - dt.timedelta(days=1)
    session = SessionFactory(
        course=CourseFactory(code="CS-101"), starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    staff = []
    for _n in range(people):
        person = StaffFactory(unit=org_tree.t1)
        Registration.objects.create(
            session=session, enrolment=EnrolmentFactory(staff=person, course=session.course)
        )
        staff.append(person)
    return session, staff


def _run(actor, handle, dry_run=False):
    return imports.run_import(
        actor=actor,
        spec_class=imports.get_spec("training_attendance"),
        handle=handle,
        filename="attendance.csv",
        dry_run=dry_run,
    )


def test_attendance_import_records_attendance_and_completes_courses(org_tree, user_as):
    hr = user_as("hr")
    session, (here, away) = _held_session(org_tree)
    day = timezone.localtime(session.starts_at).date().isoformat()

    outcome = _run(
        hr,
        _csv(
            [
                [here.employee_no, str(session.pk), "", "", "是"],
                [away.employee_no, "", "CS-101", day, "否"],
            ]
        ),
    )

    assert outcome.updated == 2
    attended = dict(
        Registration.objects.filter(session=session).values_list("enrolment__staff_id", "attended")
    )
    assert attended == {here.pk: True, away.pk: False}
    assert Enrolment.objects.get(staff=here).status == EnrolmentStatus.COMPLETED


def test_every_problem_is_listed_and_nothing_is_written(org_tree, user_as):
    hr = user_as("hr")
    session, (here, _away) = _held_session(org_tree)
    stranger = StaffFactory(unit=org_tree.t1)
    future = SessionFactory()

    with pytest.raises(ImportRejected) as rejected:
        _run(
            hr,
            _csv(
                [
                    [here.employee_no, str(session.pk), "", "", "是"],
                    ["E-NOPE", str(session.pk), "", "", "是"],
                    [stranger.employee_no, str(session.pk), "", "", "是"],
                    [here.employee_no, str(future.pk), "", "", "是"],
                    [here.employee_no, "", "", "", "maybe"],
                    [here.employee_no, str(session.pk), "", "", "是"],
                ]
            ),
        )

    problems = {(e["row"], e["column"], e["reason"]) for e in rejected.value.errors}
    assert (3, "Employee number", "unknown employee number") in problems
    assert (4, "Employee number", "not registered for this session") in problems
    assert (5, "Session id", "the session has not started yet") in problems
    assert (6, "Attended", "use yes or no (是/否)") in problems
    assert (6, "Session id", "give the session id, or the course code and the date") in problems
    assert any(row == 7 and "duplicate" in reason for row, _c, reason in problems)
    assert not Registration.objects.filter(attended__isnull=False).exists()


def test_operators_and_managers_may_not_import_attendance(org_tree, user_as):
    session, (here, _away) = _held_session(org_tree)

    for role in ("operator", "manager"):
        with pytest.raises(PolicyDenied):
            _run(user_as(role), _csv([[here.employee_no, str(session.pk), "", "", "是"]]))


def test_attendance_import_is_offered_on_the_import_page(client_as):
    client = client_as("hr")

    page = client.get(reverse("core:import_upload", args=["training_attendance"]))

    assert page.status_code == 200
    assert "是否出席" in page.content.decode()
