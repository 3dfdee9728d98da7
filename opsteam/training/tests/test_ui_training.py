"""Training in Debian's Chromium: a new hire gets the onboarding plan from the rules, passes
the culture quiz, attends the session and answers its reaction survey; HR sees the course
reports (the reaction withheld below the anonymity threshold, and the demo's data course with
a measured effect on the trainees' KPI)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from opsteam.accounts.models import RoleGrant, User
from opsteam.org import services as org_services
from opsteam.org.models import JobLevel, OrgUnit, Position, Staff
from opsteam.performance.tests.test_ui_appraisal import PASSWORD, SHOTS, browser, signed_in
from opsteam.training.models import Course, Enrolment, QuestionOption, Session

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the appraisal journey


def _new_hire(hr: User) -> User:
    user = User.objects.create_user("newhire", password=PASSWORD)
    RoleGrant.objects.create(user=user, role="operator")
    manager = User.objects.get(username="manager").staff
    org_services.staff_create(
        actor=hr,
        employee_no="E20001",
        name="周新",
        name_en="Xin Zhou",
        hire_date=timezone.localdate(),
        unit=OrgUnit.objects.get(code="OPS-STORE"),
        position=Position.objects.get(code="STORE-SPEC"),
        level=JobLevel.objects.get(code="P1"),
        manager=manager,
    )
    Staff.objects.filter(employee_no="E20001").update(user=user)
    return user


def test_new_hire_onboarding_exam_survey_and_hr_report(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    hr_user = User.objects.get(username="hr")
    _new_hire(hr_user)
    culture = Course.objects.get(code="ONB-CULTURE")

    # HR runs the assignment rules for today's events: the new hire gets the onboarding plan.
    hr = signed_in(browser, base, "hr")
    hr.goto(f"{base}/training/rules/run/")
    hr.fill("#id_since", timezone.localdate().isoformat())
    hr.click("form.card button[type=submit]")
    hr.wait_for_selector("#run-result")
    assert int(hr.inner_text("#assignments-created")) >= 1

    # The new hire sees the three onboarding courses with due dates on "My learning".
    hire = signed_in(browser, base, "newhire")
    hire.goto(f"{base}/training/")
    courses = hire.inner_text("#my-courses")
    for name in ("企业文化与价值观", "运营岗位职责与考核体系", "运营流程与工具入门"):
        assert name in courses
    hire.screenshot(path=str(SHOTS / "training-my-learning.png"), full_page=True)

    # ... registers for the upcoming culture session ...
    session = Session.objects.get(course=culture)
    hire.goto(f"{base}{session.get_absolute_url()}")
    hire.click("#register-me")
    hire.wait_for_selector("#cancel-my-place")

    # ... and passes the culture quiz from the course's enrolment page.
    enrolment = Enrolment.objects.get(staff__employee_no="E20001", course=culture)
    hire.goto(f"{base}{enrolment.get_absolute_url()}")
    hire.click("#exam-post")
    hire.click("#start-attempt")
    hire.wait_for_selector("#attempt-form")
    for option in QuestionOption.objects.filter(question__course=culture, is_correct=True):
        hire.check(f"input[name=q_{option.question_id}][value='{option.pk}']")
    asked: list[str] = []  # signed_in() accepts every dialog; this only records them
    hire.on("dialog", lambda dialog: asked.append(dialog.message))
    hire.click("#submit-attempt")
    hire.wait_for_selector("#attempt-percent")
    assert len(asked) == 1  # handing in asks first
    assert "100" in hire.inner_text("#attempt-percent")
    enrolment.refresh_from_db()
    assert enrolment.status == "in_progress"  # the session is still to attend

    # The session takes place: HR records attendance and marks it held.
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    hr.goto(f"{base}/training/sessions/{session.pk}/attendance/")
    hr.check(f"#attendance-form input[name=attended][value='{_registration_id(session)}']")
    hr.click("#save-attendance")
    hr.wait_for_selector(".alert-success")
    hr.goto(f"{base}{session.get_absolute_url()}")
    hr.click("#close-session")
    hr.wait_for_selector("#reaction-card")
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"

    # The new hire answers the reaction survey that went out when the session was held.
    hire.goto(f"{base}/surveys/to-give/")
    hire.click("#feedback-to-give a:has-text('企业文化与价值观')")
    for fieldset in hire.query_selector_all("fieldset"):
        radios = fieldset.query_selector_all("input[type=radio]")
        if radios:
            radios[-1].check()
    hire.click("button[name=submit]")
    hire.wait_for_selector(".alert-success")
    assert len(asked) == 2  # so does submitting the feedback (the draft button does not)

    # HR's report: one answer is below the anonymity threshold, so nothing is shown ...
    hr.goto(f"{base}/training/courses/{culture.pk}/effectiveness/")
    assert "3" in hr.inner_text("#reaction-withheld")
    assert hr.query_selector("#reaction-mean") is None
    # ... while the demo's data course shows every level and the effect on the trainees' KPI.
    data = Course.objects.get(code="DATA-101")
    hr.goto(f"{base}/training/courses/{data.pk}/effectiveness/")
    hr.wait_for_selector("#did-estimate")
    assert hr.inner_text("#reaction-nps")
    assert hr.inner_text("#learning-gain")
    hr.screenshot(path=str(SHOTS / "training-effectiveness.png"), full_page=True)


def _registration_id(session: Session) -> int:
    return session.registrations.get(enrolment__staff__employee_no="E20001").pk
