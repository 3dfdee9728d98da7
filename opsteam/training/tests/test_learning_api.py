"""The learning API: enrolments (assign, enrol myself, complete, withdraw), my learning, my
team's, HR's overview and the effectiveness report."""

from __future__ import annotations

import pytest

from opsteam.org.tests.factories import StaffFactory
from opsteam.training.models import Enrolment
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_an_operator_enrols_themself_and_sees_it_in_my_learning(api_client_as):
    api = api_client_as("operator")
    course = CourseFactory()

    created = api.post("/api/training/enrolments/enrol/", {"course": course.pk}, format="json")
    mine = api.get("/api/training/my-learning/")

    assert created.status_code == 201
    assert created.json()["source"] == "self"
    assert [row["course"] for row in mine.json()["open"]] == [course.pk]


def test_an_operator_cannot_write_a_status_or_assign(api_client_as):
    api = api_client_as("operator")
    course = CourseFactory()

    assigned = api.post(
        "/api/training/enrolments/",
        {"staff": api.user.staff.pk, "course": course.pk, "status": "completed"},
        format="json",
    )

    assert assigned.status_code == 403
    assert not Enrolment.objects.exists()


def test_a_manager_assigns_and_completes_for_their_team_only(api_client_as, org_tree):
    api = api_client_as("manager")
    course = CourseFactory()
    mine, outside = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t3)

    assigned = api.post(
        "/api/training/enrolments/", {"staff": mine.pk, "course": course.pk}, format="json"
    )
    refused = api.post(
        "/api/training/enrolments/", {"staff": outside.pk, "course": course.pk}, format="json"
    )
    done = api.post(f"/api/training/enrolments/{assigned.json()['id']}/complete/")

    assert assigned.status_code == 201
    assert refused.status_code == 404
    assert done.json()["status"] == "completed"


def test_team_learning_and_overview_follow_the_roles(api_client_as, org_tree):
    manager = api_client_as("manager")
    course = CourseFactory()
    EnrolmentFactory(staff=StaffFactory(unit=org_tree.t1), course=course)
    EnrolmentFactory(staff=StaffFactory(unit=org_tree.t3), course=course)

    team = manager.get("/api/training/team-learning/").json()
    overview_as_manager = manager.get("/api/training/overview/")
    hr = api_client_as("hr").get("/api/training/overview/").json()
    operator = api_client_as("operator").get("/api/training/team-learning/")

    assert sum(row["assigned"] for row in team) == 1  # T3 is outside the manager's subtree
    assert overview_as_manager.status_code == 403
    assert hr["totals"]["assigned"] == 2
    assert {row["code"] for row in hr["courses"]} == {course.code}
    assert operator.status_code == 403


def test_effectiveness_report_says_not_enough_data_for_a_new_course(api_client_as):
    course = CourseFactory()

    report = api_client_as("hr").get(f"/api/training/effectiveness/{course.pk}/").json()

    assert report["course"] == course.pk
    assert report["results"]["reason"]
    assert report["reaction"]["released"] is False
