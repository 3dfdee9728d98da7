"""Query budgets of the appraisal pages, exports and API lists, at 10 and at 500 rows.

Every list page, dashboard, CSV export and API list of the performance app is requested with
10 rows of each kind it shows and again with 500 (``opsteam/core/tests/query_budgets.py``): each
must stay within ``BUDGET`` queries and take as many at 500 rows as at 10, so a query per row
fails here. Reviews and the dashboard read one cycle of 500 people, with their 360 feedback
(subjects, submitted invitations and ratings) behind the competency heatmap.

Rows are bulk-inserted (one ``bulk_create`` per model per step) and the measurements are taken
once per module inside a rolled-back transaction, so the module runs in seconds on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    EXPORT,
    SIZES,
    Endpoint,
    Measurement,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.org.models import JobLevel, OrgUnit, Position, RoleFamily, Staff
from opsteam.performance import models as perf
from opsteam.performance.choices import (
    ActionItemStatus,
    AppealStatus,
    CycleStage,
    GradeSource,
    KpiCategory,
    MeasurementSource,
    PlanGoalStatus,
    PlanState,
    ReviewStatus,
    TemplateStatus,
)
from opsteam.surveys.choices import InvitationStatus, QuestionKind, Relationship
from opsteam.surveys.models import Answer, Invitation, Subject

# Every test here uses the database, including those reading the module's measurements: the mark
# makes pytest-django create the test database however the tests are selected.
pytestmark = pytest.mark.django_db

BUDGET = 25
GRADES = ("S", "A", "B", "C", "D")
COEFFICIENTS = (Decimal("1.5"), Decimal("1.2"), Decimal("1.0"), Decimal("0.8"), Decimal("0.5"))
REVIEW_STATUSES = (ReviewStatus.PUBLISHED, ReviewStatus.ACKNOWLEDGED, ReviewStatus.APPEALED)
PEERS = 3  # anonymous peer ratings per person: at the threshold, so every result is released
LAUNCHED = (CycleStage.SELF_REVIEW, CycleStage.MANAGER_REVIEW, CycleStage.CLOSED)


@dataclass
class Dataset:
    """Rows of every listed kind, grown in bulk: ``grow(n)`` makes ``n`` of each.

    Half of the people work in teams under D1 (the manager's subtree), half under D2.
    """

    d1: Any
    d2: Any
    hr: Any  # HR's login, who also records check-ins and enters some values by hand
    hr_staff: Any
    size: int = 0
    teams: list[Any] = field(default_factory=list)
    family: Any = None
    level: Any = None
    boss: Any = None
    cycle: Any = None
    campaign: Any = None
    rating_questions: list[Any] = field(default_factory=list)

    def setup(self) -> None:
        from opsteam.surveys.tests.factories import CampaignFactory

        self.teams = [
            _team(f"BT{k}", parent) for k, parent in enumerate((self.d1, self.d1, self.d2, self.d2))
        ]
        self.family = RoleFamily.objects.create(code="budget", name="预算", name_en="Budget")
        self.level = JobLevel.objects.create(
            code="B2", name="专员", name_en="Specialist", track="professional", rank=2
        )
        boss_position = Position.objects.create(code="BOSS", name="主管", family=self.family)
        self.boss = Staff.objects.create(
            employee_no="B00000",
            name="主管",
            name_en="Boss",
            hire_date=dt.date(2020, 1, 1),
            unit=self.d1,
            position=boss_position,
        )
        self.campaign = CampaignFactory(name="360 预算", name_en="360 budget")
        self.rating_questions = list(
            self.campaign.questionnaire.questions.filter(kind=QuestionKind.RATING)
        )
        # The cycle the reviews, the review list and the dashboard are about.
        self.cycle = perf.ReviewCycle.objects.create(
            name="2026 Q1 考核",
            name_en="2026 Q1 review",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31),
            stage=CycleStage.CALIBRATION,
            questionnaire=self.campaign.questionnaire,
            feedback_campaign=self.campaign,
            launched_at=timezone.now(),
            scored_at=timezone.now(),
        )
        self.cycle.units.add(self.d1, self.d2)

    def grow(self, size: int) -> None:
        """Add rows until there are ``size`` of each kind (people, KPIs, reviews, 1:1s, ...)."""
        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        now = timezone.now()

        positions = Position.objects.bulk_create(
            Position(
                code=f"BP{i:04d}",
                name=f"岗位{i}",
                name_en=f"Position {i}",
                family=self.family,
                unit=self.teams[i % 4],
                min_level=self.level,
                max_level=self.level,
            )
            for i in new
        )
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"B{i + 1:05d}",
                name=f"员工{i}",
                name_en=f"Staff {i}",
                email=f"b{i}@example.com",
                hire_date=dt.date(2021, 1, 1) + dt.timedelta(days=i),
                unit=self.teams[i % 4],
                position=positions[k],
                level=self.level,
                manager=self.boss,
            )
            for k, i in enumerate(new)
        )
        kpis = perf.Kpi.objects.bulk_create(
            perf.Kpi(
                code=f"BK{i:04d}",
                name=f"指标{i}",
                name_en=f"Indicator {i}",
                category=KpiCategory.values[i % len(KpiCategory.values)],
                unit="%",
                threshold=Decimal("60"),
                target=Decimal("100"),
                stretch=Decimal("120"),
            )
            for i in new
        )
        templates = perf.KpiTemplate.objects.bulk_create(
            perf.KpiTemplate(
                position=position,
                level=self.level,
                status=TemplateStatus.ACTIVE,
                note=f"模板{k}",
            )
            for k, position in enumerate(positions)
        )
        perf.KpiTemplateItem.objects.bulk_create(
            perf.KpiTemplateItem(template=template, kpi=kpi, weight=Decimal("100"))
            for template, kpi in zip(templates, kpis, strict=True)
        )
        perf.Measurement.objects.bulk_create(
            perf.Measurement(
                staff=person,
                kpi=kpi,
                date=dt.date(2026, 1, 1) + dt.timedelta(days=k % 90),
                value=Decimal(80 + k % 30),
                source=MeasurementSource.MANUAL if k % 2 else MeasurementSource.IMPORT,
                batch="" if k % 2 else "2026-01",
                entered_by=self.hr if k % 2 else None,
            )
            for k, (person, kpi) in enumerate(zip(staff, kpis, strict=True))
        )
        # Other cycles: the cycle list and API, the dashboard's cycle menu and score trend.
        cycles = perf.ReviewCycle.objects.bulk_create(
            perf.ReviewCycle(
                name=f"周期{i}",
                name_en=f"Cycle {i}",
                period_start=dt.date(2020, 1, 1) + dt.timedelta(days=i),
                period_end=dt.date(2020, 3, 31) + dt.timedelta(days=i),
                stage=LAUNCHED[i % len(LAUNCHED)],
                scored_at=now if i % 2 else None,
            )
            for i in new
        )
        perf.ReviewCycle.units.through.objects.bulk_create(
            perf.ReviewCycle.units.through(reviewcycle_id=cycle.pk, orgunit_id=self.teams[k % 4].pk)
            for k, cycle in enumerate(cycles)
        )
        perf.ReviewCycle.positions.through.objects.bulk_create(
            perf.ReviewCycle.positions.through(reviewcycle_id=cycle.pk, position_id=position.pk)
            for cycle, position in zip(cycles, positions, strict=True)
        )
        perf.ReviewCycle.people.through.objects.bulk_create(
            perf.ReviewCycle.people.through(reviewcycle_id=cycle.pk, staff_id=person.pk)
            for cycle, person in zip(cycles, staff, strict=True)
        )

        reviews = perf.Review.objects.bulk_create(
            perf.Review(
                cycle=self.cycle,
                staff=person,
                unit_id=person.unit_id,
                position_id=person.position_id,
                level=self.level,
                reviewer=self.boss,
                template=template,
                calibration_group=f"G{k % 4}",
                status=REVIEW_STATUSES[k % 3],
                self_rating=3 + k % 3,
                self_comment=f"自评{k}",
                manager_rating=2 + k % 4,
                manager_comment=f"评语{k}",
                potential=1 + k % 3,
                kpi_score=Decimal(70 + k % 30),
                competency_score=Decimal(60 + k % 40),
                final_score=Decimal(65 + k % 35),
                proposed_grade=GRADES[k % 5],
                grade=GRADES[k % 5],
                grade_source=GradeSource.REVIEW,
                coefficient=COEFFICIENTS[k % 5],
                self_submitted_at=now,
                manager_submitted_at=now,
                acknowledged_at=now if k % 3 == 1 else None,
            )
            for k, (person, template) in enumerate(zip(staff, templates, strict=True))
        )
        perf.Appeal.objects.bulk_create(
            perf.Appeal(
                review=review,
                reason=f"申诉理由{k}",
                status=AppealStatus.REJECTED if k % 2 else AppealStatus.OPEN,
                outcome=f"结果{k}" if k % 2 else "",
                resolved_by=self.hr if k % 2 else None,
                resolved_at=now if k % 2 else None,
            )
            for k, review in enumerate(reviews)
        )
        self._grow_feedback(staff, now)
        self._grow_coaching(staff, reviews)
        self.size = size

    def _grow_feedback(self, staff: list[Any], now: dt.datetime) -> None:
        """The 360 behind the dashboard's heatmap: each new person rated by their manager and
        three peers (from the same step), every answer submitted and released."""
        subjects = Subject.objects.bulk_create(
            Subject(campaign=self.campaign, staff=person) for person in staff
        )
        raters = [
            (subject, Relationship.PEER, staff[(k + offset) % len(staff)])
            for k, subject in enumerate(subjects)
            for offset in range(1, PEERS + 1)
        ] + [(subject, Relationship.MANAGER, self.boss) for subject in subjects]
        invitations = Invitation.objects.bulk_create(
            Invitation(
                subject=subject,
                relationship=relationship,
                rater=rater,
                status=InvitationStatus.SUBMITTED,
                submitted_at=now,
            )
            for subject, relationship, rater in raters
        )
        Answer.objects.bulk_create(
            Answer(invitation=invitation, question=question, rating=1 + (k + q) % 5)
            for k, invitation in enumerate(invitations)
            for q, question in enumerate(self.rating_questions)
        )

    def _grow_coaching(self, staff: list[Any], reviews: list[Any]) -> None:
        """A 1:1 with each new person (one meeting with agenda, an action and the manager's
        private note) and an improvement plan (a goal and a check-in)."""
        series = perf.OneOnOne.objects.bulk_create(
            perf.OneOnOne(
                manager=self.boss,
                report=person,
                cadence="biweekly",
                next_date=dt.date(2026, 5, 1) + dt.timedelta(days=k % 30),
            )
            for k, person in enumerate(staff)
        )
        meetings = perf.OneOnOneMeeting.objects.bulk_create(
            perf.OneOnOneMeeting(
                series=one, date=dt.date(2026, 4, 1), cycle=self.cycle, shared_notes="共享纪要"
            )
            for one in series
        )
        perf.AgendaItem.objects.bulk_create(
            perf.AgendaItem(meeting=meeting, text="目标回顾", added_by=self.boss)
            for meeting in meetings
        )
        perf.ActionItem.objects.bulk_create(
            perf.ActionItem(
                meeting=meeting,
                text="整理复盘",
                owner=one.report,
                due_date=dt.date(2026, 4, 15),
                status=ActionItemStatus.OPEN,
            )
            for meeting, one in zip(meetings, series, strict=True)
        )
        perf.PrivateNote.objects.bulk_create(
            perf.PrivateNote(meeting=meeting, side="manager", author=self.boss, body="私人笔记")
            for meeting in meetings
        )
        plans = perf.ImprovementPlan.objects.bulk_create(
            perf.ImprovementPlan(
                staff=person,
                manager=self.boss,
                hr_owner=self.hr_staff,
                review=review,
                mentor=self.boss,
                state=PlanState.ACTIVE,
                start_date=dt.date(2026, 4, 1),
                end_date=dt.date(2026, 6, 30),
                summary="一起改进",
            )
            for person, review in zip(staff, reviews, strict=True)
        )
        perf.PlanGoal.objects.bulk_create(
            perf.PlanGoal(
                plan=plan,
                description="降低差错率",
                measure="差错率低于 1%",
                status=PlanGoalStatus.MET if k % 2 else PlanGoalStatus.ON_TRACK,
            )
            for k, plan in enumerate(plans)
        )
        perf.PlanCheckIn.objects.bulk_create(
            perf.PlanCheckIn(plan=plan, date=dt.date(2026, 5, 1), recorded_by=self.hr)
            for plan in plans
        )


def _team(code: str, parent: Any) -> Any:
    team = OrgUnit.objects.create(
        code=code, name=f"团队{code}", name_en=f"Team {code}", kind="team", parent=parent
    )
    team.path = parent.path + OrgUnit.path_segment(team.pk)
    team.depth = parent.depth + 1
    team.save(update_fields=["path", "depth"])
    return team


def _cycle(data: Dataset) -> int:
    return data.cycle.pk


REVIEWS = {"pk": _cycle}

ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages (25 rows a page) and the dashboard
    "page KPIs": Endpoint("performance:kpi_list"),
    "page KPI templates": Endpoint("performance:kpitemplate_list"),
    "page measurements": Endpoint("performance:measurement_list"),
    "page cycles": Endpoint("performance:cycle_list"),
    "page reviews": Endpoint("performance:review_list", kwargs=REVIEWS),
    "page reviews by grade": Endpoint(
        "performance:review_list", {"grade": "A", "sort": "-final_score"}, kwargs=REVIEWS
    ),
    "page 1:1s": Endpoint("performance:oneonone_list"),
    "page plans": Endpoint("performance:plan_list"),
    "page dashboard": Endpoint("performance:dashboard", {"cycle": _cycle}),
    "page measurements (manager)": Endpoint("performance:measurement_list", login="manager"),
    "page reviews (manager)": Endpoint("performance:review_list", kwargs=REVIEWS, login="manager"),
    "page 1:1s (manager)": Endpoint("performance:oneonone_list", login="manager"),
    "page plans (manager)": Endpoint("performance:plan_list", login="manager"),
    "page dashboard (manager)": Endpoint(
        "performance:dashboard", {"cycle": _cycle}, login="manager"
    ),
    # UI exports: every row (cycles, 1:1s and plans offer no export)
    "export KPIs": Endpoint("performance:kpi_list", EXPORT, rows="csv"),
    "export KPI templates": Endpoint("performance:kpitemplate_list", EXPORT, rows="csv"),
    "export measurements": Endpoint("performance:measurement_list", EXPORT, rows="csv"),
    "export reviews": Endpoint("performance:review_list", EXPORT, rows="csv", kwargs=REVIEWS),
    "export measurements (manager)": Endpoint(
        "performance:measurement_list", EXPORT, login="manager"
    ),
    "export reviews (manager)": Endpoint(
        "performance:review_list", EXPORT, kwargs=REVIEWS, login="manager"
    ),
    # API lists: 500 rows a page
    "api KPIs": Endpoint("performance-kpi-list", ALL_ROWS, rows="api"),
    "api KPI templates": Endpoint("performance-kpi-template-list", ALL_ROWS, rows="api"),
    "api measurements": Endpoint("performance-measurement-list", ALL_ROWS, rows="api"),
    "api cycles": Endpoint("performance-cycle-list", ALL_ROWS, rows="api"),
    "api reviews": Endpoint("performance-review-list", {**ALL_ROWS, "cycle": _cycle}, rows="api"),
    "api appeals": Endpoint("performance-appeal-list", ALL_ROWS, rows="api"),
    "api 1:1s": Endpoint("coaching-one-on-one-list", ALL_ROWS, rows="api"),
    "api 1:1 meetings": Endpoint("coaching-meeting-list", ALL_ROWS, rows="api"),
    "api action items": Endpoint("coaching-action-item-list", ALL_ROWS, rows="api"),
    "api plans": Endpoint("coaching-plan-list", ALL_ROWS, rows="api"),
    "api measurements (manager)": Endpoint(
        "performance-measurement-list", ALL_ROWS, login="manager"
    ),
    "api reviews (manager)": Endpoint("performance-review-list", ALL_ROWS, login="manager"),
    "api appeals (manager)": Endpoint("performance-appeal-list", ALL_ROWS, login="manager"),
    "api 1:1s (manager)": Endpoint("coaching-one-on-one-list", ALL_ROWS, login="manager"),
    "api 1:1 meetings (manager)": Endpoint("coaching-meeting-list", ALL_ROWS, login="manager"),
    "api action items (manager)": Endpoint("coaching-action-item-list", ALL_ROWS, login="manager"),
    "api plans (manager)": Endpoint("coaching-plan-list", ALL_ROWS, login="manager"),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Measurement]]:
    """Grow one dataset to 10 then 500 rows of each kind, requesting every endpoint at each.

    Built once for the module inside a transaction that is rolled back at the end.
    """
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, StaffFactory

    def build():
        company = OrgUnitFactory(code="CO", name="公司", kind="company")
        d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
        d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
        clients, users = {}, {}
        for role in ("hr", "manager"):
            user = UserFactory(username=f"{role}-budget")
            RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
            StaffFactory(user=user, unit=d1)
            clients[role], users[role] = logged_in_client(user), user
        data = Dataset(d1=d1, d2=d2, hr=users["hr"], hr_staff=users["hr"].staff)
        data.setup()
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
    # Half of the 500 people work in D1's teams: the manager's reviews, measurements, 1:1s
    # and plans are theirs only; HR's hold everyone's.
    assert measured["export reviews (manager)"][500].rows == 250
    assert measured["export reviews"][500].rows == 500
    assert measured["export measurements (manager)"][500].rows == 250
    for kind in ("reviews", "appeals", "1:1s", "1:1 meetings", "action items", "plans"):
        assert measured[f"api {kind} (manager)"][500].rows == 250, kind
        assert measured[f"api {kind}"][500].rows == 500, kind
