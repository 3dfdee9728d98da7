"""Rule-based and manual plan assignment: events, idempotence, enrolments, permissions."""

from __future__ import annotations

import datetime as dt

import pytest

from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org import services as org_services
from opsteam.org.tests.factories import JobLevelFactory, PositionFactory, StaffFactory
from opsteam.performance.models_coaching import ImprovementPlan
from opsteam.training import services_catalogue as services
from opsteam.training.choices import AssignmentSource, EnrolmentStatus, Trigger
from opsteam.training.models import AssignmentRule, Enrolment, PlanAssignment
from opsteam.training.tests.factories import (
    EnrolmentFactory,
    PlanCourseFactory,
    TrainingPlanFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 2)
HIRED = dt.date(2025, 6, 1)


def _plan_with_courses(*due_days):
    plan = TrainingPlanFactory()
    courses = []
    for order, days in enumerate(due_days):
        item = PlanCourseFactory(plan=plan, due_days=days, order=order)
        courses.append(item.course)
    return plan, courses


def _rule(plan, trigger=Trigger.HIRE, **fields):
    return AssignmentRule.objects.create(plan=plan, trigger=trigger, **fields)


def test_hire_gives_the_onboarding_plan_with_due_dates_from_the_event(user_as, org_tree):
    # given an onboarding plan of two courses due 7 and 60 days after hire, plan due in 30
    hr = user_as("hr")
    plan, (first, second) = _plan_with_courses(7, 60)
    _rule(plan, due_days=30)
    newcomer = StaffFactory(unit=org_tree.t1, hire_date=HIRED)

    # when the rules run
    result = services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    # then the newcomer has the plan and one enrolment per course, the later one capped
    assignment = PlanAssignment.objects.get(staff=newcomer)
    assert (assignment.plan, assignment.source, assignment.due_on) == (
        plan,
        AssignmentSource.RULE,
        dt.date(2025, 7, 1),
    )
    due = dict(Enrolment.objects.filter(staff=newcomer).values_list("course", "due_on"))
    assert due == {first.pk: dt.date(2025, 6, 8), second.pk: dt.date(2025, 7, 1)}
    assert result.assignments_created == 1
    assert result.enrolments_created == 2
    assert "hired on 2025-06-01" in result.explanations[0]


def test_running_again_assigns_nothing_twice(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(7)
    _rule(plan)
    StaffFactory(unit=org_tree.t1, hire_date=HIRED)
    services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)
    audits = AuditEntry.objects.count()

    again = services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    assert again.assignments_created == 0
    assert again.enrolments_created == 0
    assert PlanAssignment.objects.count() == 1
    assert AuditEntry.objects.count() == audits


def test_one_audit_entry_per_new_assignment(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(7, 14)
    _rule(plan)
    for _n in range(3):
        StaffFactory(unit=org_tree.t1, hire_date=HIRED)
    before = AuditEntry.objects.filter(object_type="training.planassignment").count()

    services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    entries = AuditEntry.objects.filter(object_type="training.planassignment")
    assert entries.count() - before == 3
    assert "hire on 2025-06-01" in entries.first().note


def test_position_change_fires_for_the_new_position_only(user_as, org_tree):
    # given a rule for one position and a person moved into it
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(14)
    analyst = PositionFactory()
    _rule(plan, Trigger.POSITION_CHANGE, position=analyst)
    mover = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2024, 1, 1))
    stayer = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2024, 1, 1))
    org_services.staff_reassign(
        actor=hr, staff=mover, effective_date=HIRED, reason="promotion", position=analyst
    )
    org_services.staff_reassign(
        actor=hr,
        staff=stayer,
        effective_date=HIRED,
        reason="position_change",
        position=PositionFactory(),
    )

    services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    assert list(PlanAssignment.objects.values_list("staff", flat=True)) == [mover.pk]


def test_level_change_fires_when_the_level_differs(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(14)
    senior = JobLevelFactory(code="P3", rank=3)
    _rule(plan, Trigger.LEVEL_CHANGE, level=senior)
    person = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2024, 1, 1))
    org_services.staff_reassign(
        actor=hr, staff=person, effective_date=HIRED, reason="promotion", level=senior
    )

    result = services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    assert PlanAssignment.objects.get().staff == person
    assert "level changed" in result.explanations[0]


def test_improvement_plan_start_gives_the_plan(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(14)
    _rule(plan, Trigger.IMPROVEMENT_PLAN)
    person = StaffFactory(unit=org_tree.t1, hire_date=dt.date(2024, 1, 1))
    manager = StaffFactory(unit=org_tree.t1)
    pip = ImprovementPlan.objects.create(
        staff=person,
        manager=manager,
        state="active",
        start_date=HIRED,
        end_date=HIRED + dt.timedelta(days=60),
    )
    ImprovementPlan.objects.create(
        staff=manager, manager=person, state="draft", start_date=HIRED, end_date=TODAY
    )

    services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    assignment = PlanAssignment.objects.get()
    assert (assignment.staff, assignment.source_ref) == (person, f"pip:{pip.pk}")


def test_unit_filter_limits_the_rule_to_the_subtree(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(7)
    _rule(plan, unit=org_tree.d1)
    inside = StaffFactory(unit=org_tree.t2, hire_date=HIRED)
    StaffFactory(unit=org_tree.t3, hire_date=HIRED)

    services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    assert list(PlanAssignment.objects.values_list("staff", flat=True)) == [inside.pk]


def test_future_events_wait_for_their_day(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(7)
    _rule(plan)
    StaffFactory(unit=org_tree.t1, hire_date=TODAY + dt.timedelta(days=3))

    assert services.plan_rules_run(actor=hr, since=HIRED, today=TODAY).assignments_created == 0


def test_open_enrolment_keeps_the_earlier_due_date_and_completed_is_not_reopened(user_as, org_tree):
    # given a newcomer already enrolled in one course (due sooner) and done with another
    hr = user_as("hr")
    plan, (open_course, done_course, later_course) = _plan_with_courses(30, 30, 5)
    _rule(plan, due_days=60)
    person = StaffFactory(unit=org_tree.t1, hire_date=HIRED)
    EnrolmentFactory(staff=person, course=open_course, due_on=dt.date(2025, 6, 10))
    EnrolmentFactory(
        staff=person,
        course=done_course,
        status=EnrolmentStatus.COMPLETED,
        due_on=None,
        completed_on=dt.date(2025, 1, 1),
    )
    EnrolmentFactory(staff=person, course=later_course, due_on=dt.date(2025, 9, 1))

    result = services.plan_rules_run(actor=hr, since=HIRED, today=TODAY)

    rows = {e.course_id: (e.status, e.due_on) for e in Enrolment.objects.filter(staff=person)}
    assert rows[open_course.pk] == (EnrolmentStatus.ASSIGNED, dt.date(2025, 6, 10))
    assert rows[done_course.pk] == (EnrolmentStatus.COMPLETED, None)
    assert rows[later_course.pk] == (EnrolmentStatus.ASSIGNED, dt.date(2025, 6, 6))
    assert (result.enrolments_created, result.enrolments_updated) == (0, 1)


def test_people_who_left_get_nothing(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(7)
    _rule(plan)
    StaffFactory(unit=org_tree.t1, hire_date=HIRED, status="left")

    assert services.plan_rules_run(actor=hr, since=HIRED, today=TODAY).events == 0


def test_only_editors_may_run_the_rules(user_as):
    with pytest.raises(PolicyDenied):
        services.plan_rules_run(actor=user_as("manager"), today=TODAY)


def test_system_run_needs_no_user(org_tree):
    plan, _courses = _plan_with_courses(7)
    _rule(plan)
    StaffFactory(unit=org_tree.t1, hire_date=HIRED)

    assert services.plan_rules_run(actor=None, today=TODAY).assignments_created == 1
    assert AuditEntry.objects.get(object_type="training.planassignment").actor_label == "system"


def test_manager_assigns_plan_to_own_team(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.d1)
    plan, _courses = _plan_with_courses(7, 21)
    member = StaffFactory(unit=org_tree.t2)

    result = services.plan_assign(actor=manager, plan=plan, staff=[member], today=TODAY)

    assignment = PlanAssignment.objects.get(staff=member)
    assert assignment.source == AssignmentSource.MANUAL
    assert assignment.due_on == dt.date(2025, 6, 23)
    assert result.enrolments_created == 2


def test_manager_cannot_assign_outside_subtree(user_as, org_tree):
    manager = user_as("manager", unit=org_tree.t1)
    plan, _courses = _plan_with_courses(7)
    outsider = StaffFactory(unit=org_tree.t3)

    with pytest.raises(NotVisible):
        services.plan_assign(actor=manager, plan=plan, staff=[outsider], today=TODAY)
    assert not PlanAssignment.objects.exists()


def test_operator_cannot_assign(user_as, org_tree):
    operator = user_as("operator")
    plan, _courses = _plan_with_courses(7)

    with pytest.raises(PolicyDenied):
        services.plan_assign(actor=operator, plan=plan, staff=[operator.staff], today=TODAY)


def test_assigning_a_running_plan_again_skips_the_person(user_as, org_tree):
    hr = user_as("hr")
    plan, _courses = _plan_with_courses(7)
    person = StaffFactory(unit=org_tree.t1)
    services.plan_assign(actor=hr, plan=plan, staff=[person], today=TODAY)

    again = services.plan_assign(actor=hr, plan=plan, staff=[person], today=TODAY)

    assert (again.assignments_created, again.skipped) == (0, 1)


def test_past_due_date_is_refused(user_as, org_tree):
    plan, _courses = _plan_with_courses(7)

    with pytest.raises(ValidationFailed) as error:
        services.plan_assign(
            actor=user_as("hr"),
            plan=plan,
            staff=[StaffFactory(unit=org_tree.t1)],
            due_on=TODAY - dt.timedelta(days=1),
            today=TODAY,
        )
    assert error.value.field == "due_on"
