"""The enrolment lifecycle and the learning pages: assign, enrol, complete (skills, certificate,
behaviour checks), withdraw; my learning, my team's, HR's overview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.models import StaffSkill
from opsteam.org.tests.factories import SkillFactory, StaffFactory
from opsteam.training import services
from opsteam.training.models import BehaviourCheck, BehaviourItem, Certificate, Enrolment
from opsteam.training.tests.factories import (
    CourseFactory,
    CourseSkillFactory,
    EnrolmentFactory,
    ExamFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(org_tree, user_as):
    """A manager of T1 with two operators reporting to them, an operator in T3, HR."""
    manager = user_as("manager")
    operators = [user_as("operator", manager=manager.staff) for _ in range(2)]
    return {
        "manager": manager,
        "operators": operators,
        "outsider": user_as("operator", unit=org_tree.t3),
        "hr": user_as("hr"),
    }


def test_a_manager_assigns_a_course_to_their_team_but_not_outside_it(team):
    course = CourseFactory()
    due = timezone.localdate() + dt.timedelta(days=14)

    enrolment = services.enrolment_assign(
        actor=team["manager"], staff=team["operators"][0].staff, course=course, due_on=due
    )

    assert enrolment.due_on == due
    assert enrolment.source == "manual"
    assert AuditEntry.objects.filter(object_id=str(enrolment.pk), action="create").exists()
    with pytest.raises((NotVisible, PolicyDenied)):
        services.enrolment_assign(
            actor=team["manager"], staff=team["outsider"].staff, course=course
        )


def test_reassigning_an_open_course_only_brings_the_due_date_forward(team):
    course = CourseFactory()
    staff = team["operators"][0].staff
    today = timezone.localdate()
    services.enrolment_assign(
        actor=team["hr"], staff=staff, course=course, due_on=today + dt.timedelta(days=10)
    )

    later = services.enrolment_assign(
        actor=team["hr"], staff=staff, course=course, due_on=today + dt.timedelta(days=40)
    )

    assert later.due_on == today + dt.timedelta(days=10)
    assert Enrolment.objects.filter(staff=staff, course=course).count() == 1


def test_self_enrolment_needs_an_open_course_and_its_prerequisites(team):
    operator = team["operators"][0]
    basics = CourseFactory(name="数据分析基础", name_en="Data basics")
    advanced = CourseFactory(name="高级归因分析")
    advanced.prerequisites.add(basics)
    closed = CourseFactory(is_open=False)

    with pytest.raises(InvalidTransition):
        services.enrol_self(actor=operator, course=closed)
    with pytest.raises(ValidationFailed, match="Data basics"):
        services.enrol_self(actor=operator, course=advanced)
    enrolment = services.enrol_self(actor=operator, course=basics)
    services.enrolment_complete(actor=team["hr"], enrolment=enrolment)
    assert services.enrol_self(actor=operator, course=advanced).source == "self"


def test_completing_raises_skills_issues_the_certificate_and_schedules_observations(team):
    operator = team["operators"][0].staff
    skill, kept = SkillFactory(code="SQL"), SkillFactory(code="EXCEL")
    course = CourseFactory(issues_certificate=True, certificate_valid_months=24)
    CourseSkillFactory(course=course, skill=skill, target_level=3)
    CourseSkillFactory(course=course, skill=kept, target_level=2)
    BehaviourItem.objects.create(course=course, text="用数据说话")
    StaffSkill.objects.create(
        staff=operator, skill=kept, level=4, source="assessment", recorded_on=dt.date(2026, 1, 1)
    )
    enrolment = EnrolmentFactory(staff=operator, course=course)
    on = dt.date(2026, 9, 1)

    services.enrolment_complete(actor=team["manager"], enrolment=enrolment, on=on)

    levels = dict(StaffSkill.objects.filter(staff=operator).values_list("skill__code", "level"))
    assert levels == {"SQL": 3, "EXCEL": 4}  # raised, never lowered
    certificate = Certificate.objects.get(staff=operator, course=course)
    assert certificate.expires_on == dt.date(2028, 9, 1)
    checks = BehaviourCheck.objects.filter(enrolment=enrolment).order_by("checkpoint_days")
    assert [(c.checkpoint_days, c.due_on, c.observer_id) for c in checks] == [
        (30, dt.date(2026, 10, 1), team["manager"].staff.pk),
        (60, dt.date(2026, 10, 31), team["manager"].staff.pk),
        (90, dt.date(2026, 11, 30), team["manager"].staff.pk),
    ]


def test_a_course_with_a_post_test_cannot_be_completed_around_it(team):
    course = CourseFactory()
    ExamFactory(course=course, kind="post", name="结业考试", name_en="Final exam")
    enrolment = EnrolmentFactory(staff=team["operators"][0].staff, course=course)

    with pytest.raises(InvalidTransition, match="Final exam"):
        services.enrolment_complete(actor=team["hr"], enrolment=enrolment)
    assert services.enrolment_evaluate(actor=team["hr"], enrolment=enrolment).status == "assigned"


def test_withdrawing_needs_a_reason_and_the_right_manager(team):
    enrolment = EnrolmentFactory(staff=team["operators"][0].staff)
    outsider_manager = StaffFactory()  # not a user: only the policy matters here

    with pytest.raises(ValidationFailed):
        services.enrolment_cancel(actor=team["manager"], enrolment=enrolment, reason=" ")
    with pytest.raises((PolicyDenied, NotVisible)):
        services.enrolment_cancel(actor=team["operators"][1], enrolment=enrolment, reason="x")
    services.enrolment_cancel(actor=team["manager"], enrolment=enrolment, reason="转岗")
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"
    assert outsider_manager.pk


def test_a_behaviour_observation_rates_every_item_once(team):
    course = CourseFactory()
    items = [BehaviourItem.objects.create(course=course, text=t) for t in ("复盘", "同步")]
    enrolment = EnrolmentFactory(staff=team["operators"][0].staff, course=course)
    services.enrolment_complete(actor=team["hr"], enrolment=enrolment)
    check = BehaviourCheck.objects.filter(enrolment=enrolment).first()

    with pytest.raises(ValidationFailed):
        services.behaviour_check_record(
            actor=team["manager"], check=check, ratings={str(items[0].pk): 4}
        )
    with pytest.raises((PolicyDenied, NotVisible)):
        services.behaviour_check_record(
            actor=team["operators"][0], check=check, ratings={str(i.pk): 4 for i in items}
        )
    services.behaviour_check_record(
        actor=team["manager"], check=check, ratings={str(i.pk): 4 for i in items}, comment="好"
    )
    check.refresh_from_db()
    assert check.status == "done"
    with pytest.raises(InvalidTransition):
        services.behaviour_check_record(
            actor=team["manager"], check=check, ratings={str(i.pk): 5 for i in items}
        )


def test_my_learning_shows_overdue_courses_hours_and_certificates(client, team):
    operator = team["operators"][0]
    today = timezone.localdate()
    late = EnrolmentFactory(
        staff=operator.staff,
        course=CourseFactory(name="客户心理学", name_en="Customer psychology"),
        due_on=today - dt.timedelta(days=3),
    )
    done = EnrolmentFactory(
        staff=operator.staff, course=CourseFactory(duration_hours=Decimal("3.5"))
    )
    services.enrolment_complete(actor=team["hr"], enrolment=done)
    client.force_login(operator)

    page = client.get(reverse("training:my_learning"))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Customer psychology" in text
    assert late.due_on.isoformat() in text
    assert page.context["data"]["hours"] == Decimal("3.5")
    assert [e.pk for e in page.context["data"]["overdue"]] == [late.pk]


def test_team_page_runs_the_same_queries_for_few_and_many_people(
    client, team, org_tree, django_assert_max_num_queries
):
    client.force_login(team["manager"])
    course = CourseFactory()
    for operator in team["operators"]:
        EnrolmentFactory(staff=operator.staff, course=course)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("training:team")).status_code == 200
    for _ in range(25):
        EnrolmentFactory(staff=StaffFactory(unit=org_tree.t1), course=course)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("training:team"))

    assert len(page.context["rows"]) >= 28


def test_overview_gives_completion_and_overdue_rates_by_team(client, team, org_tree):
    today = timezone.localdate()
    course = CourseFactory()
    first, second = team["operators"]
    services.enrolment_complete(
        actor=team["hr"], enrolment=EnrolmentFactory(staff=first.staff, course=course)
    )
    EnrolmentFactory(staff=second.staff, course=course, due_on=today - dt.timedelta(days=1))
    client.force_login(team["hr"])

    page = client.get(reverse("training:overview"))

    t1 = next(row for row in page.context["data"]["teams"] if row["unit"] == org_tree.t1)
    assert (t1["assigned"], t1["completed"], t1["overdue"]) == (2, 1, 1)
    assert t1["completion_rate"] == 50.0
    client.force_login(first)
    assert client.get(reverse("training:overview")).status_code == 403
