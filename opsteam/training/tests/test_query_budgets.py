"""Every training list page, export and API list runs a fixed number of queries, however many rows.

The module builds one dataset of 10 rows of every kind the training area lists (people with
their enrolments, courses, plans, rules, plan assignments, sessions and seats, self-learning,
certificates, questions, exams, attempts and behaviour checks), requests every endpoint, grows
the dataset to 500 rows and requests every endpoint again. Each endpoint must stay within
``BUDGET`` at both sizes, and its count at 500 rows must equal its count at 10 (a query per row
would show as a difference of 490). API lists ask for ``page_size=500`` so all 500 rows are
serialised; UI pages show 25 rows, so their CSV exports are measured too, with every row in the
file. "My team's learning" and the overview read all 500 people.

Rows are bulk-inserted (one ``bulk_create`` per model per step) and the measurements are taken
once per module inside a rolled-back transaction, so the module runs in seconds on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    EXPORT,
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.org.models import OrgUnit, Staff
from opsteam.training.choices import (
    ApprovalStatus,
    AssignmentSource,
    AttemptStatus,
    CertificateSource,
    CheckpointStatus,
    CourseCategory,
    EnrolmentStatus,
    ExamKind,
    LearningKind,
    PlanStage,
    QuestionKind,
    RegistrationStatus,
    Trigger,
)
from opsteam.training.models import (
    AssignmentRule,
    Attempt,
    BehaviourCheck,
    Certificate,
    Course,
    CourseSkill,
    Enrolment,
    Exam,
    PlanAssignment,
    PlanCourse,
    Question,
    QuestionOption,
    Registration,
    RubricCriterion,
    SelfLearning,
    Session,
    TrainingPlan,
)

# Every test here uses the database, including those reading the module's measurements: the mark
# makes pytest-django create the test database however the tests are selected.
pytestmark = pytest.mark.django_db

BUDGET = 25
# New people are put in teams of this many, teams alternating between D1 (the manager's
# department) and D2: the manager sees half of every kind of personal row.
TEAM_SIZE = 5
ENROLMENT_STATUSES = (
    EnrolmentStatus.ASSIGNED,
    EnrolmentStatus.IN_PROGRESS,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.COMPLETED,
)
SEAT_STATUSES = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)
LEARNING_STATUSES = (ApprovalStatus.APPROVED, ApprovalStatus.SUBMITTED, ApprovalStatus.REJECTED)
TRIGGERS = tuple(Trigger.values)
STAGES = tuple(PlanStage.values)
CATEGORIES = tuple(CourseCategory.values)


@dataclass
class Dataset:
    """Rows of every listed kind, grown in bulk: ``grow(n)`` makes ``n`` of each.

    Each new person ``i`` has a course of their own (owned by them, with a skill, the previous
    course as prerequisite, an exam with a question, a session and a certificate), a plan with
    that course handed out by a rule, an enrolment from the plan with a seat in the session and a
    30-day behaviour check, a self-learning record, and an enrolment in the shared exam course
    with a graded first attempt and a second attempt submitted or in progress. ``exam`` is the
    shared exam whose results page lists everyone's attempts.
    """

    d1: Any
    d2: Any
    position: Any
    level: Any
    skill: Any
    observer: Any
    instructor: Any
    hr: Any
    size: int = 0
    units: list[Any] | None = None
    exam_course: Any = None
    exam: Any = None
    courses: list[Any] | None = None

    def setup(self) -> None:
        self.units, self.courses = [], []
        self.exam_course = Course.objects.create(
            code="BEXAM",
            name="结业考核",
            name_en="Final assessment",
            category=CourseCategory.PROCESS,
            duration_hours=Decimal("1"),
        )
        self.exam = Exam.objects.create(
            course=self.exam_course,
            kind=ExamKind.POST,
            name="结业考试",
            name_en="Final exam",
            pass_mark=Decimal("60"),
            time_limit_minutes=30,
        )

    def grow(self, size: int) -> None:
        """Add rows until there are ``size`` of each kind (people, courses, plans, ...)."""
        start, stop = self.size, size
        if stop <= start:
            return
        today = timezone.localdate()
        now = timezone.now()
        new = range(start, stop)

        parents = [self.d1, self.d2]
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"BT{j:04d}",
                name=f"培训团队{j}",
                name_en=f"Training team {j}",
                kind="team",
                parent=parents[j % 2],
                depth=2,
            )
            for j in range(len(self.units), (stop + TEAM_SIZE - 1) // TEAM_SIZE)
        )
        for unit in units:
            unit.path = unit.parent.path + OrgUnit.path_segment(unit.pk)
        OrgUnit.objects.bulk_update(units, ["path"])
        self.units += units

        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"T{i:05d}",
                name=f"学员{i}",
                name_en=f"Learner {i}",
                hire_date=dt.date(2021, 1, 1) + dt.timedelta(days=i),
                unit=self.units[i // TEAM_SIZE],
                position=self.position,
                level=self.level,
                manager=self.observer,
            )
            for i in new
        )
        courses = Course.objects.bulk_create(
            Course(
                code=f"BC{i:04d}",
                name=f"课程{i}",
                name_en=f"Course {i}",
                category=CATEGORIES[i % len(CATEGORIES)],
                duration_hours=Decimal("2"),
                owner=member,
                issues_certificate=True,
                certificate_valid_months=12,
            )
            for i, member in zip(new, staff, strict=True)
        )
        self.courses += courses
        CourseSkill.objects.bulk_create(
            CourseSkill(course=course, skill=self.skill, target_level=3) for course in courses
        )
        # Each course requires the one before it.
        Course.prerequisites.through.objects.bulk_create(
            Course.prerequisites.through(
                from_course_id=self.courses[i].pk, to_course_id=self.courses[i - 1].pk
            )
            for i in new
            if i > 0
        )

        plans = TrainingPlan.objects.bulk_create(
            TrainingPlan(
                code=f"BP{i:04d}",
                name=f"培训计划{i}",
                name_en=f"Plan {i}",
                stage=STAGES[i % len(STAGES)],
            )
            for i in new
        )
        PlanCourse.objects.bulk_create(
            PlanCourse(plan=plan, course=course, due_days=30)
            for plan, course in zip(plans, courses, strict=True)
        )
        rules = AssignmentRule.objects.bulk_create(
            AssignmentRule(
                plan=plan,
                trigger=TRIGGERS[k % len(TRIGGERS)],
                unit=member.unit,
                position=self.position,
                level=self.level,
            )
            for k, (plan, member) in enumerate(zip(plans, staff, strict=True))
        )
        assignments = PlanAssignment.objects.bulk_create(
            PlanAssignment(
                staff=member,
                plan=rule.plan,
                rule=rule,
                source=AssignmentSource.RULE,
                source_ref=f"assignment:{member.pk}",
                assigned_on=today - dt.timedelta(days=40),
                due_on=today - dt.timedelta(days=10),
                assigned_by=self.hr,
            )
            for member, rule in zip(staff, rules, strict=True)
        )
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                staff=assignment.staff,
                course=course,
                plan_assignment=assignment,
                source=AssignmentSource.RULE,
                status=ENROLMENT_STATUSES[i % 4],
                due_on=today + dt.timedelta(days=30)
                if i % 4 == 0
                else today - dt.timedelta(days=5),
                started_on=None if i % 4 == 0 else today - dt.timedelta(days=20),
                completed_on=today if ENROLMENT_STATUSES[i % 4] == "completed" else None,
                assigned_by=self.hr,
            )
            for i, assignment, course in zip(new, assignments, courses, strict=True)
        )
        sessions = Session.objects.bulk_create(
            Session(
                course=course,
                instructor=self.instructor,
                starts_at=now + dt.timedelta(days=1 + i % 30),
                ends_at=now + dt.timedelta(days=1 + i % 30, hours=2),
                location=f"培训室 {i % 4}",
                capacity=20,
            )
            for i, course in zip(new, courses, strict=True)
        )
        Registration.objects.bulk_create(
            Registration(session=session, enrolment=enrolment, status=SEAT_STATUSES[k % 4])
            for k, (session, enrolment) in enumerate(zip(sessions, enrolments, strict=True))
        )
        BehaviourCheck.objects.bulk_create(
            BehaviourCheck(
                enrolment=enrolment,
                checkpoint_days=30,
                due_on=today - dt.timedelta(days=1),
                observer=self.observer,
                status=CheckpointStatus.DUE,
            )
            for enrolment in enrolments
        )
        SelfLearning.objects.bulk_create(
            SelfLearning(
                staff=member,
                kind=LearningKind.BOOK,
                title=f"读书{i}",
                provider=f"作者{i}",
                hours=Decimal("3"),
                completed_on=today,
                status=LEARNING_STATUSES[i % 3],
                decided_by=None if i % 3 == 1 else self.hr,
                decided_at=None if i % 3 == 1 else now,
            )
            for i, member in zip(new, staff, strict=True)
        )
        # Every certificate expires within the 60-day warning window: the "expiring" page
        # and its export list all of them.
        Certificate.objects.bulk_create(
            Certificate(
                staff=member,
                course=course,
                source=CertificateSource.COURSE,
                name=f"证书{i}",
                issuer="培训部",
                number=f"CERT-{i:05d}",
                issued_on=today - dt.timedelta(days=300),
                expires_on=today + dt.timedelta(days=1 + i % 50),
            )
            for i, member, course in zip(new, staff, courses, strict=True)
        )

        questions = Question.objects.bulk_create(
            Question(
                course=course,
                kind=QuestionKind.SINGLE if i % 2 == 0 else QuestionKind.PRACTICAL,
                text=f"问题{i}",
                text_en=f"Question {i}",
                points=Decimal("2"),
            )
            for i, course in zip(new, courses, strict=True)
        )
        QuestionOption.objects.bulk_create(
            QuestionOption(question=question, text=text, is_correct=order == 0, order=order)
            for question in questions
            if question.kind == QuestionKind.SINGLE
            for order, text in enumerate(("对", "错"))
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(question=question, text="完成度", max_points=Decimal("2"))
            for question in questions
            if question.kind == QuestionKind.PRACTICAL
        )
        exams = Exam.objects.bulk_create(
            Exam(course=course, kind=ExamKind.POST, name=f"考试{i}", name_en=f"Exam {i}")
            for i, course in zip(new, courses, strict=True)
        )
        Exam.questions.through.objects.bulk_create(
            Exam.questions.through(exam_id=exam.pk, question_id=question.pk)
            for exam, question in zip(exams, questions, strict=True)
        )

        # Everyone sits the shared exam: a graded attempt, then a retake submitted for grading
        # (three in four) or still in progress.
        sittings = Enrolment.objects.bulk_create(
            Enrolment(
                staff=member,
                course=self.exam_course,
                source=AssignmentSource.MANUAL,
                status=EnrolmentStatus.IN_PROGRESS,
                due_on=today + dt.timedelta(days=14),
                started_on=today - dt.timedelta(days=3),
            )
            for member in staff
        )
        Attempt.objects.bulk_create(
            attempt
            for i, enrolment in zip(new, sittings, strict=True)
            for attempt in (
                Attempt(
                    exam=self.exam,
                    enrolment=enrolment,
                    number=1,
                    status=AttemptStatus.GRADED,
                    started_at=now - dt.timedelta(days=2),
                    submitted_at=now - dt.timedelta(days=2) + dt.timedelta(minutes=20),
                    score=Decimal(4 + i % 7),
                    max_score=Decimal("10"),
                    percent=Decimal((4 + i % 7) * 10),
                    passed=4 + i % 7 >= 6,
                    graded_by=self.hr,
                    graded_at=now - dt.timedelta(days=1),
                ),
                Attempt(
                    exam=self.exam,
                    enrolment=enrolment,
                    number=2,
                    status=AttemptStatus.IN_PROGRESS if i % 4 == 3 else AttemptStatus.SUBMITTED,
                    started_at=now - dt.timedelta(minutes=10),
                    submitted_at=None if i % 4 == 3 else now - dt.timedelta(minutes=1),
                ),
            )
        )
        self.size = size


def _exam(data: Dataset) -> int:
    return data.exam.pk


ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages (25 rows a page) and dashboards
    "page courses": Endpoint("training:course_list"),
    "page courses as a table": Endpoint("training:course_list", {"layout": "table"}),
    "page courses search": Endpoint("training:course_list", {"q": "Course", "sort": "-name"}),
    "page plans": Endpoint("training:plan_list"),
    "page plan assignments": Endpoint("training:planassignment_list"),
    "page plan assignments (manager)": Endpoint("training:planassignment_list", login="manager"),
    "page rules": Endpoint("training:rule_list"),
    "page sessions": Endpoint("training:session_list"),
    "page sessions all": Endpoint("training:session_list", {"when": "all"}),
    "page self-learning": Endpoint("training:selflearning_list"),
    "page self-learning (manager)": Endpoint("training:selflearning_list", login="manager"),
    "page certificates": Endpoint("training:certificate_list"),
    "page certificates (manager)": Endpoint("training:certificate_list", login="manager"),
    "page certificates expiring": Endpoint("training:certificate_expiring"),
    "page exams": Endpoint("training:exam_list"),
    "page team": Endpoint("training:team"),
    "page team (manager)": Endpoint("training:team", login="manager"),
    "page overview": Endpoint("training:overview"),
    "page grading queue": Endpoint("training:grading_queue"),
    "page exam results": Endpoint("training:exam_results", kwargs={"pk": _exam}),
    "page exam results (manager)": Endpoint(
        "training:exam_results", kwargs={"pk": _exam}, login="manager"
    ),
    # UI exports: every row
    "export courses": Endpoint("training:course_list", EXPORT, rows="csv"),
    "export plans": Endpoint("training:plan_list", EXPORT, rows="csv"),
    "export plan assignments": Endpoint("training:planassignment_list", EXPORT, rows="csv"),
    "export rules": Endpoint("training:rule_list", EXPORT, rows="csv"),
    "export sessions": Endpoint("training:session_list", EXPORT, rows="csv"),
    "export self-learning": Endpoint("training:selflearning_list", EXPORT, rows="csv"),
    "export certificates": Endpoint("training:certificate_list", EXPORT, rows="csv"),
    "export certificates expiring": Endpoint("training:certificate_expiring", EXPORT, rows="csv"),
    "export exam results": Endpoint(
        "training:exam_results_export", {"format": "csv"}, rows="csv", kwargs={"pk": _exam}
    ),
    "export plan assignments (manager)": Endpoint(
        "training:planassignment_list", EXPORT, login="manager"
    ),
    "export self-learning (manager)": Endpoint(
        "training:selflearning_list", EXPORT, login="manager"
    ),
    "export certificates (manager)": Endpoint("training:certificate_list", EXPORT, login="manager"),
    "export certificates expiring (manager)": Endpoint(
        "training:certificate_expiring", EXPORT, login="manager"
    ),
    "export exam results (manager)": Endpoint(
        "training:exam_results_export", {"format": "csv"}, login="manager", kwargs={"pk": _exam}
    ),
    # API lists: 500 rows a page
    "api courses": Endpoint("training-course-list", ALL_ROWS, rows="api"),
    "api plans": Endpoint("training-plan-list", ALL_ROWS, rows="api"),
    "api rules": Endpoint("training-rule-list", ALL_ROWS, rows="api"),
    "api plan assignments": Endpoint("training-plan-assignment-list", ALL_ROWS, rows="api"),
    "api enrolments": Endpoint("training-enrolment-list", ALL_ROWS, rows="api"),
    "api sessions": Endpoint("training-session-list", ALL_ROWS, rows="api"),
    "api registrations": Endpoint("training-registration-list", ALL_ROWS, rows="api"),
    "api self-learning": Endpoint("training-selflearning-list", ALL_ROWS, rows="api"),
    "api certificates": Endpoint("training-certificate-list", ALL_ROWS, rows="api"),
    "api questions": Endpoint("training-question-list", ALL_ROWS, rows="api"),
    "api exams": Endpoint("training-exam-list", ALL_ROWS, rows="api"),
    "api attempts": Endpoint("training-attempt-list", ALL_ROWS, rows="api"),
    "api behaviour checks": Endpoint("training-behaviour-check-list", ALL_ROWS, rows="api"),
    "api team learning": Endpoint("training-team-learning"),
    "api overview": Endpoint("training-overview"),
    "api plan assignments (manager)": Endpoint(
        "training-plan-assignment-list", ALL_ROWS, login="manager"
    ),
    "api enrolments (manager)": Endpoint("training-enrolment-list", ALL_ROWS, login="manager"),
    "api registrations (manager)": Endpoint(
        "training-registration-list", ALL_ROWS, login="manager"
    ),
    "api self-learning (manager)": Endpoint(
        "training-selflearning-list", ALL_ROWS, login="manager"
    ),
    "api certificates (manager)": Endpoint("training-certificate-list", ALL_ROWS, login="manager"),
    "api attempts (manager)": Endpoint("training-attempt-list", ALL_ROWS, login="manager"),
    "api behaviour checks (manager)": Endpoint(
        "training-behaviour-check-list", ALL_ROWS, login="manager"
    ),
    "api team learning (manager)": Endpoint("training-team-learning", login="manager"),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """The fixed setup: D1 and D2, an HR user and D1's manager (each with a staff record in D1,
    logged in), the position, level and skill of the learners, an instructor; no rows yet."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import (
        JobLevelFactory,
        OrgUnitFactory,
        PositionFactory,
        SkillFactory,
        StaffFactory,
    )

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
    clients, staff = {}, {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-training-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        staff[role] = StaffFactory(user=user, unit=d1)
        clients[role] = logged_in_client(user)
    data = Dataset(
        d1=d1,
        d2=d2,
        position=PositionFactory(),
        level=JobLevelFactory(),
        skill=SkillFactory(),
        observer=staff["manager"],
        instructor=StaffFactory(unit=d2),
        hr=staff["hr"].user,
    )
    data.setup()
    return data, clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    """Grow one dataset to 10 then 500 rows of each kind, requesting every endpoint at each.

    Built once for the module inside a transaction that is rolled back at the end.
    """

    def build():
        data, clients = build_dataset()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)


def test_manager_sees_and_exports_only_their_subtree(measured):
    # Teams alternate between D1 (the manager's) and D2: half the 500 learners are in D1.
    for kind in ("plan assignments", "self-learning", "certificates", "certificates expiring"):
        assert measured[f"export {kind}"][500].rows == 500
        assert measured[f"export {kind} (manager)"][500].rows == 250
    for kind in ("plan assignments", "self-learning", "certificates", "behaviour checks"):
        assert measured[f"api {kind} (manager)"][500].rows == 250
    # Each learner has two enrolments (their own course, the shared exam course) and two
    # attempts at the shared exam.
    assert measured["api enrolments (manager)"][500].rows == 500
    assert measured["export exam results"][500].rows == 1000
    assert measured["export exam results (manager)"][500].rows == 500


def test_team_learning_lists_the_managers_people_with_their_courses():
    data, clients = build_dataset()
    data.grow(10)  # learners T00000-T00004 in a D1 team, T00005-T00009 in a D2 team

    team = clients["manager"].get(reverse("training-team-learning")).json()
    everyone = clients["hr"].get(reverse("training-team-learning")).json()

    learners = {row["employee_no"]: row for row in team if row["employee_no"].startswith("T")}
    assert sorted(learners) == [f"T{i:05d}" for i in range(5)]
    assert len([row for row in everyone if row["employee_no"].startswith("T")]) == 10
    # T00000: own course not started, approved self-learning (3 hours), sitting the exam course.
    # T00001: own course overdue; T00002: own course completed today (2 hours).
    progress = {
        number: (row["assigned"], row["completed"], row["overdue"], row["open"])
        for number, row in learners.items()
    }
    assert progress["T00000"] == (2, 0, 0, 2)
    assert progress["T00001"] == (2, 0, 1, 2)
    assert progress["T00002"] == (2, 1, 0, 1)
    assert learners["T00002"]["completion_rate"] == 50.0
    assert Decimal(learners["T00000"]["hours"]) == 3
    assert Decimal(learners["T00002"]["hours"]) == 2
