"""Every growth list page, export and API list runs a fixed number of queries, however many rows.

One dataset of 10 rows of every kind the growth area lists (people with skills, a completed
course, a certificate and a published grade, each ranked against the next level's published
standard; career tracks with two steps and an entry; levels with a published standard asking
for a competency, a course and a certificate; development plans with two actions and a
check-in; competencies in groups with five level descriptors), requested at every endpoint,
grown to 500 rows and requested again. Each endpoint must stay within ``BUDGET`` at both
sizes and take as many queries at 500 rows as at 10. API lists ask for ``page_size=500``;
pages show 25 or 50 rows, so their exports are measured too, every row in the file. Team
readiness ranks all 500 people on every request (the ranking is global).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.careers.choices import ActionKind, ActionStatus, StandardStatus
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    DevelopmentAction,
    DevelopmentCheckIn,
    DevelopmentPlan,
    LevelStandard,
    StandardCertificate,
    StandardCompetency,
    StandardCourse,
)
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
from opsteam.org.choices import LevelTrack
from opsteam.org.models import (
    JobLevel,
    OrgUnit,
    Skill,
    SkillGroup,
    SkillLevelDescriptor,
    Staff,
    StaffSkill,
)
from opsteam.performance.choices import ReviewStatus
from opsteam.performance.models import Review, ReviewCycle
from opsteam.training.choices import AssignmentSource, CertificateSource, EnrolmentStatus
from opsteam.training.models import Certificate, Course, Enrolment

pytestmark = pytest.mark.django_db

# Team readiness is the heaviest page: staff, their units and levels, five kinds of record,
# standards, ladders, names, the scope count and the page chrome.
BUDGET = 33
TEAM_SIZE = 5
GRADES = ("A", "S", "A", "B", "C")


@dataclass
class Dataset:
    """Rows of every listed kind, grown in bulk: ``grow(n)`` makes ``n`` of each.

    Everyone is at ``current`` (P2), whose next level ``target`` (P3) has a published standard
    asking for ``skill`` at 3, ``course`` and the PMP certificate, and two A grades in the last
    four cycles. Person ``i`` has the skill at 1 + i % 4, the course when ``i`` is even, PMP
    when ``i % 3 != 0`` and grade ``GRADES[i % 5]`` in ``cycle``: the ranking mixes ready and
    not-yet people. New people go in teams of five alternating between D1 (the manager's
    department) and D2.
    """

    d1: Any
    d2: Any
    position: Any
    current: Any
    target: Any
    skill: Any
    course: Any
    cycle: Any
    group: Any
    size: int = 0
    units: list[Any] = field(default_factory=list)

    def grow(self, size: int) -> None:
        """Add rows until there are ``size`` of each kind."""
        start, stop = self.size, size
        if stop <= start:
            return
        today = timezone.localdate()
        new = range(start, stop)

        parents = [self.d1, self.d2]
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"GT{j:04d}",
                name=f"发展团队{j}",
                name_en=f"Growth team {j}",
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
                employee_no=f"G{i:05d}",
                name=f"员工{i}",
                name_en=f"Person {i}",
                hire_date=dt.date(2022, 1, 1) + dt.timedelta(days=i),
                unit=self.units[i // TEAM_SIZE],
                position=self.position,
                level=self.current,
            )
            for i in new
        )
        StaffSkill.objects.bulk_create(
            StaffSkill(
                staff=member,
                skill=self.skill,
                level=1 + i % 4,
                source="assessment",
                recorded_on=today,
            )
            for i, member in zip(new, staff, strict=True)
        )
        Enrolment.objects.bulk_create(
            Enrolment(
                staff=member,
                course=self.course,
                source=AssignmentSource.MANUAL,
                status=EnrolmentStatus.COMPLETED,
                completed_on=today - dt.timedelta(days=10),
            )
            for i, member in zip(new, staff, strict=True)
            if i % 2 == 0
        )
        Certificate.objects.bulk_create(
            Certificate(
                staff=member,
                source=CertificateSource.EXTERNAL,
                name="PMP",
                issued_on=dt.date(2024, 1, 1),
            )
            for i, member in zip(new, staff, strict=True)
            if i % 3
        )
        Review.objects.bulk_create(
            Review(
                cycle=self.cycle,
                staff=member,
                unit=member.unit,
                level=self.current,
                status=ReviewStatus.PUBLISHED,
                grade=GRADES[i % 5],
            )
            for i, member in zip(new, staff, strict=True)
        )

        # Levels, each with a published standard (a competency, a course, a certificate).
        levels = JobLevel.objects.bulk_create(
            JobLevel(
                code=f"GL{i:04d}",
                name=f"级别{i}",
                name_en=f"Level {i}",
                track=LevelTrack.PROFESSIONAL,
                rank=10 + i,
            )
            for i in new
        )
        standards = LevelStandard.objects.bulk_create(
            LevelStandard(
                level=level,
                version=1,
                status=StandardStatus.PUBLISHED,
                min_months_in_level=6,
                published_at=timezone.now(),
            )
            for level in levels
        )
        StandardCompetency.objects.bulk_create(
            StandardCompetency(standard=standard, skill=self.skill, min_level=3)
            for standard in standards
        )
        StandardCourse.objects.bulk_create(
            StandardCourse(standard=standard, course=self.course) for standard in standards
        )
        StandardCertificate.objects.bulk_create(
            StandardCertificate(standard=standard, name="PMP") for standard in standards
        )

        # Tracks of two steps: the new level, then the current one, entered from the target.
        tracks = CareerTrack.objects.bulk_create(
            CareerTrack(
                code=f"GTRK{i:04d}",
                name=f"通道{i}",
                name_en=f"Track {i}",
                kind=LevelTrack.MANAGEMENT,
                is_active=False,  # inactive: the growth ladder stays P2 → P3
            )
            for i in new
        )
        steps = CareerStep.objects.bulk_create(
            step
            for track, level in zip(tracks, levels, strict=True)
            for step in (
                CareerStep(track=track, level=level, order=1),
                CareerStep(track=track, level=self.target, order=2),
            )
        )
        CareerStep.entry_from.through.objects.bulk_create(
            CareerStep.entry_from.through(careerstep_id=step.pk, joblevel_id=self.current.pk)
            for step in steps
            if step.order == 2
        )

        # Development plans: two actions and a check-in each.
        plans = DevelopmentPlan.objects.bulk_create(
            DevelopmentPlan(
                staff=member,
                target_level=self.target,
                title=f"发展计划{i}",
                start_date=today - dt.timedelta(days=30),
                end_date=today + dt.timedelta(days=150),
            )
            for i, member in zip(new, staff, strict=True)
        )
        DevelopmentAction.objects.bulk_create(
            action
            for plan in plans
            for action in (
                DevelopmentAction(
                    plan=plan,
                    kind=ActionKind.COURSE,
                    course=self.course,
                    title="上课",
                    status=ActionStatus.DONE,
                    progress=100,
                    order=0,
                ),
                DevelopmentAction(
                    plan=plan,
                    kind=ActionKind.MENTORING,
                    skill=self.skill,
                    title="带教",
                    progress=40,
                    order=1,
                ),
            )
        )
        DevelopmentCheckIn.objects.bulk_create(
            DevelopmentCheckIn(plan=plan, date=today, notes="进展顺利", progress=70)
            for plan in plans
        )

        # Competencies with five level descriptors each.
        skills = Skill.objects.bulk_create(
            Skill(
                code=f"GSK{i:04d}",
                name=f"能力{i}",
                name_en=f"Competency {i}",
                category="professional",
                group=self.group if i % 2 else None,
            )
            for i in new
        )
        SkillLevelDescriptor.objects.bulk_create(
            SkillLevelDescriptor(skill=skill, level=level, description=f"第{level}级")
            for skill in skills
            for level in range(1, 6)
        )
        self.size = size


ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages
    "page ladders": Endpoint("careers:track_list"),
    "page plans": Endpoint("careers:plan_list"),
    "page plans (manager)": Endpoint("careers:plan_list", login="manager"),
    "page plans search": Endpoint("careers:plan_list", {"q": "计划", "sort": "-start_date"}),
    "page competencies": Endpoint("careers:competency_list"),
    "page team readiness": Endpoint("careers:team_readiness"),
    "page team readiness (manager)": Endpoint("careers:team_readiness", login="manager"),
    "page team readiness not ready": Endpoint("careers:team_readiness", {"ready": "no"}),
    # UI exports: every row
    "export ladders": Endpoint("careers:track_list", EXPORT, rows="csv"),
    "export team readiness": Endpoint("careers:team_readiness", EXPORT, rows="csv"),
    "export team readiness (manager)": Endpoint("careers:team_readiness", EXPORT, login="manager"),
    # API lists: 500 rows a page
    "api tracks": Endpoint("careers-track-list", ALL_ROWS, rows="api"),
    "api standards": Endpoint("careers-standard-list", ALL_ROWS, rows="api"),
    "api plans": Endpoint("careers-development-plan-list", ALL_ROWS, rows="api"),
    "api plans (manager)": Endpoint("careers-development-plan-list", ALL_ROWS, login="manager"),
    "api team readiness": Endpoint("careers-team-readiness", ALL_ROWS, rows="api"),
    "api team readiness (manager)": Endpoint("careers-team-readiness", ALL_ROWS, login="manager"),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    """D1 and D2, an HR user and D1's manager (each with a staff record in D1, logged in),
    the P2 → P3 ladder with P3's published standard, its skill, course and cycle; no rows."""
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.careers.tests.factories import (
        CareerStepFactory,
        CareerTrackFactory,
        LevelStandardFactory,
    )
    from opsteam.org.tests.factories import (
        JobLevelFactory,
        OrgUnitFactory,
        PositionFactory,
        SkillFactory,
        StaffFactory,
    )

    today = timezone.localdate()
    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
    current = JobLevelFactory(code="P2", rank=2)
    target = JobLevelFactory(code="P3", name="高级运营", name_en="Senior", rank=3)
    track = CareerTrackFactory(code="BASE")
    CareerStepFactory(track=track, level=current, order=1)
    CareerStepFactory(track=track, level=target, order=2)
    skill = SkillFactory(code="GSQL", name="数据查询", name_en="SQL")
    course = Course.objects.create(code="GDA", name="数据分析", category="tools")
    standard = LevelStandardFactory(
        level=target,
        min_months_in_level=12,
        appraisal_window=4,
        appraisal_min_count=1,
        appraisal_at_least="A",
        appraisal_none_below="B",
    )
    StandardCompetency.objects.create(standard=standard, skill=skill, min_level=3)
    StandardCourse.objects.create(standard=standard, course=course)
    StandardCertificate.objects.create(standard=standard, name="PMP")
    cycle = ReviewCycle.objects.create(
        name="2025年第四季度",
        name_en="2025 Q4",
        period_start=today - dt.timedelta(days=120),
        period_end=today - dt.timedelta(days=30),
    )
    clients = {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-growth-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=d1, level=current)
        clients[role] = logged_in_client(user)
    data = Dataset(
        d1=d1,
        d2=d2,
        position=PositionFactory(),
        current=current,
        target=target,
        skill=skill,
        course=course,
        cycle=cycle,
        group=SkillGroup.objects.create(code="GGRP", name="数据能力", name_en="Data"),
    )
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


def test_manager_ranks_and_exports_only_their_subtree(measured):
    # Teams alternate between D1 (the manager's) and D2: half the 500 people are in D1, plus
    # the HR user and the manager themselves (both in D1, both at P2).
    assert measured["export team readiness"][500].rows == 502
    assert measured["export team readiness (manager)"][500].rows == 252
    assert measured["api team readiness (manager)"][500].rows == 252
    assert measured["api plans (manager)"][500].rows == 250


def test_readiness_ranks_ready_people_first_and_names_what_is_missing():
    data, clients = build_dataset()
    data.grow(10)

    body = clients["hr"].get(reverse("careers-team-readiness"), {"page_size": 50}).json()

    rows = [row for row in body["results"] if row["employee_no"].startswith("G")]
    # Ready needs SQL at 3 (i % 4 >= 2), the course (even i), PMP (i % 3 != 0) and an A or
    # better with no C (i % 5 in 0, 1, 2): of people 0-9 only person 2.
    assert [row["employee_no"] for row in rows if row["ready"]] == ["G00002"]
    assert rows[0]["employee_no"] == "G00002"
    # Person 4: SQL at 1, the course and PMP held, a C in the only cycle.
    person_4 = next(row for row in rows if row["employee_no"] == "G00004")
    assert person_4["missing"] == ["SQL 1/3", "0/1 grades A or better", "a grade below B"]
    assert (person_4["met"], person_4["total"]) == (3, 6)
