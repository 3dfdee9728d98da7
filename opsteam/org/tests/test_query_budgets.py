"""Every list page, export and API list runs a fixed number of queries, however many rows.

The module builds one dataset of 10 rows of every kind (staff, assignments, positions, units,
job descriptions, activities, RACI cells, audit entries, import jobs, users), requests every
endpoint, grows the dataset to 500 rows and requests every endpoint again. Each endpoint must
stay within ``BUDGET`` at both sizes, and its count at 500 rows must equal its count at 10 (a
query per row would show as a difference of 490). API lists ask for ``page_size=500`` so all
500 rows are serialised; UI pages show 25 rows, so their CSV exports are measured too, with
every row in the file.

Rows are bulk-inserted (one ``bulk_create`` per model per step) and the measurements are taken
once per module inside a rolled-back transaction, so the module runs in seconds on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from opsteam.accounts.models import ApiToken, RoleGrant, User
from opsteam.core import audit
from opsteam.core.choices import AuditAction, ImportStatus
from opsteam.core.models import ImportJob
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
from opsteam.org import selectors
from opsteam.org.models import (
    Activity,
    Assignment,
    JobDescription,
    JobDuty,
    JobLevel,
    JobRelation,
    JobSkillRequirement,
    OrgUnit,
    Position,
    Process,
    RaciAssignment,
    RoleFamily,
    Skill,
    Staff,
)

# Every test here uses the database, including those reading the module's measurements: the mark
# makes pytest-django create the test database however the tests are selected.
pytestmark = pytest.mark.django_db

# The home page is the largest: every module's summary, the menu and the unread count.
BUDGET = 27
RACI_ROLES = ("R", "A", "C", "I")


@dataclass
class Dataset:
    """Rows of every listed kind, grown in bulk: ``grow(n)`` makes ``n`` of each."""

    org_tree: Any
    size: int = 0
    family: Any = None
    level: Any = None
    skill: Any = None
    processes: list[Any] = field(default_factory=list)
    boss: Any = None
    hr: Any = None

    def setup(self) -> None:
        self.family = RoleFamily.objects.create(code="budget", name="预算", name_en="Budget")
        self.level = JobLevel.objects.create(
            code="B2", name="专员", name_en="Specialist", track="professional", rank=2
        )
        self.skill = Skill.objects.create(
            code="SK-BUDGET", name="技能", name_en="Skill", category="professional"
        )
        boss_position = Position.objects.create(code="BOSS", name="主管", family=self.family)
        self.boss = Staff.objects.create(
            employee_no="B00000",
            name="主管",
            hire_date=dt.date(2020, 1, 1),
            unit=self.org_tree.d1,
            position=boss_position,
        )

    def grow(self, size: int) -> None:
        """Add rows until there are ``size`` of each kind (units, positions, staff, ...)."""
        start, stop = self.size, size
        if stop <= start:
            return
        new = range(start, stop)
        # A new process every 10 activities: the RACI matrix is asked for one process.
        processes = Process.objects.bulk_create(
            Process(code=f"BPR{i:04d}", name=f"流程{i}", name_en=f"Process {i}")
            for i in range(start // 10, (stop + 9) // 10)
            if i >= len(self.processes)
        )
        self.processes += processes

        parents = [self.org_tree.d1, self.org_tree.d2]
        units = OrgUnit.objects.bulk_create(
            OrgUnit(
                code=f"BU{i:04d}",
                name=f"团队{i}",
                name_en=f"Team {i}",
                kind="team",
                parent=parents[i % 2],
                depth=2,
            )
            for i in new
        )
        for unit in units:
            unit.path = unit.parent.path + OrgUnit.path_segment(unit.pk)
        OrgUnit.objects.bulk_update(units, ["path"])

        positions = Position.objects.bulk_create(
            Position(
                code=f"BP{i:04d}",
                name=f"岗位{i}",
                name_en=f"Position {i}",
                family=self.family,
                unit=units[k],
                min_level=self.level,
                max_level=self.level,
                headcount_plan=3,
            )
            for k, i in enumerate(new)
        )
        staff = Staff.objects.bulk_create(
            Staff(
                employee_no=f"B{i + 1:05d}",
                name=f"员工{i}",
                name_en=f"Staff {i}",
                email=f"b{i}@example.com",
                hire_date=dt.date(2021, 1, 1) + dt.timedelta(days=i),
                status="probation" if i % 7 == 0 else "active",
                unit=units[k],
                position=positions[k % 3],
                level=self.level,
                manager=self.boss,
            )
            for k, i in enumerate(new)
        )
        Assignment.objects.bulk_create(
            Assignment(
                staff=member,
                start_date=member.hire_date,
                unit_id=member.unit_id,
                position_id=member.position_id,
                level=self.level,
                manager=self.boss,
                reason="hire",
            )
            for member in staff
        )
        Staff.concurrent_positions.through.objects.bulk_create(
            Staff.concurrent_positions.through(staff_id=member.pk, position_id=positions[-1].pk)
            for member in staff[::5]
        )
        activities = Activity.objects.bulk_create(
            Activity(
                process=self.processes[i // 10],
                code=f"BA{i:04d}",
                name=f"活动{i}",
                name_en=f"Activity {i}",
                order=i % 10,
            )
            for i in new
        )
        RaciAssignment.objects.bulk_create(
            RaciAssignment(activity=activity, position=position, role=RACI_ROLES[k % 4])
            for k, (activity, position) in enumerate(zip(activities, positions, strict=True))
        )
        jds = JobDescription.objects.bulk_create(
            JobDescription(
                position=position,
                version=1,
                status="published",
                purpose=f"岗位目的{k}",
                purpose_en=f"Purpose {k}",
            )
            for k, position in enumerate(positions)
        )
        JobDuty.objects.bulk_create(
            JobDuty(job_description=jd, title=f"职责{k}", time_share=50, activity=activity)
            for k, (jd, activity) in enumerate(zip(jds, activities, strict=True))
        )
        JobSkillRequirement.objects.bulk_create(
            JobSkillRequirement(job_description=jd, skill=self.skill, level=3) for jd in jds
        )
        JobRelation.objects.bulk_create(
            JobRelation(job_description=jd, kind="unit", unit=self.org_tree.d1) for jd in jds
        )
        audit.record_many(
            audit.build_entry(actor=None, action=AuditAction.CREATE, obj=member) for member in staff
        )
        users = User.objects.bulk_create(
            User(username=f"budget{i:04d}", password="!", display_name=f"用户{i}") for i in new
        )
        RoleGrant.objects.bulk_create(
            RoleGrant(user=user, role="manager", unit=units[k])
            if k % 2 == 0
            else RoleGrant(user=user, role="operator")
            for k, user in enumerate(users)
        )
        hr = User.objects.filter(username__startswith="hr").first()
        ApiToken.objects.bulk_create(
            ApiToken(user=hr, name=f"令牌{i}", prefix=f"bt{i:06d}", key_hash=f"{i:064d}")
            for i in new
        )
        ImportJob.objects.bulk_create(
            ImportJob(
                kind="staff",
                file_name=f"staff-{i}.csv",
                status=ImportStatus.COMMITTED,
                actor=hr,
                rows_total=10,
                rows_created=10,
                errors=[],
            )
            for i in new
        )
        self.size = size


ENDPOINTS: dict[str, Endpoint] = {
    # UI list pages (25 rows a page) and dashboards
    "page staff": Endpoint("org:staff_list"),
    "page staff search": Endpoint("org:staff_list", {"q": "Staff"}),
    "page staff filter": Endpoint("org:staff_list", {"status": "active", "sort": "-hire_date"}),
    "page positions": Endpoint("org:position_list"),
    "page units": Endpoint("org:orgunit_list"),
    "page job descriptions": Endpoint("org:jobdescription_list"),
    "page audit": Endpoint("core:audit_list"),
    "page imports": Endpoint("core:import_list"),
    "page users": Endpoint("accounts:user_list"),
    "page API tokens": Endpoint("accounts:token_list"),
    "page home": Endpoint("insights:home"),
    # The matrix is activities x positions: one process's activities against every position.
    "page RACI matrix": Endpoint("org:raci_matrix", {"process": lambda data: data.processes[0].pk}),
    "page RACI analysis": Endpoint("org:raci_analysis"),
    "page who does what": Endpoint("org:who_does_what"),
    "page org chart": Endpoint("org:orgchart"),
    "page staff (manager)": Endpoint("org:staff_list", login="manager"),
    # UI exports: every row
    "export staff": Endpoint("org:staff_list", EXPORT, rows="csv"),
    "export positions": Endpoint("org:position_list", EXPORT, rows="csv"),
    "export units": Endpoint("org:orgunit_list", EXPORT, rows="csv"),
    "export job descriptions": Endpoint("org:jobdescription_list", EXPORT, rows="csv"),
    "export audit": Endpoint("core:audit_list", EXPORT, rows="csv"),
    "export users": Endpoint("accounts:user_list", EXPORT, rows="csv"),
    "export staff (manager)": Endpoint("org:staff_list", EXPORT, login="manager"),
    # API lists: 500 rows a page
    "api staff": Endpoint("org-staff-list", ALL_ROWS, rows="api"),
    "api positions": Endpoint("org-position-list", ALL_ROWS, rows="api"),
    "api units": Endpoint("org-unit-list", ALL_ROWS, rows="api"),
    "api job descriptions": Endpoint("org-job-description-list", ALL_ROWS, rows="api"),
    "api assignments": Endpoint("org-assignment-list", ALL_ROWS, rows="api"),
    "api activities": Endpoint("org-activity-list", ALL_ROWS, rows="api"),
    "api RACI cells": Endpoint("org-raci-list", ALL_ROWS, rows="api"),
    "api processes": Endpoint("org-process-list", ALL_ROWS),
    "api role families": Endpoint("org-role-family-list", ALL_ROWS),
    "api levels": Endpoint("org-level-list", ALL_ROWS),
    "api audit": Endpoint("audit-entry-list", ALL_ROWS, rows="api"),
    "api imports": Endpoint("import-job-list", ALL_ROWS, rows="api"),
    "api who does what": Endpoint("org-who-does-what"),
    "api RACI analysis": Endpoint("org-raci-analysis"),
    "api units chart": Endpoint("org-unit-chart"),
    "api staff export": Endpoint("org-staff-export", {"file_format": "csv"}, rows="csv"),
    "api audit export": Endpoint("audit-entry-export", {"file_format": "csv"}, rows="csv"),
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
        clients = {}
        for role in ("hr", "manager"):
            user = UserFactory(username=f"{role}-budget")
            RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
            StaffFactory(user=user, unit=d1)
            clients[role] = logged_in_client(user)
        data = Dataset(org_tree=_Tree(d1=d1, d2=d2))
        data.setup()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@dataclass(frozen=True)
class _Tree:
    d1: Any
    d2: Any


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
    # D1 holds half the new teams: half the staff, plus the boss and the two logins
    assert measured["export staff (manager)"][500].rows == 250 + 3
    assert measured["export staff"][500].rows == 500 + 3


@pytest.fixture
def dataset(org_tree, user_as):
    """A dataset to grow inside one test (HR's login is ``dataset.hr``)."""
    hr = user_as("hr")
    data = Dataset(org_tree)
    data.setup()
    data.hr = hr
    return data


def test_who_does_what_names_a_bounded_number_of_holders(dataset):
    dataset.grow(500)
    holders_limit = selectors.WHO_DOES_WHAT_HOLDERS
    crowded = Position.objects.get(code="BP0000")  # main position of a third of the staff

    with CaptureQueriesContext(connection) as queries:
        results = selectors.who_does_what(query="BA0000")

    cell = results[0]["cells"][0]
    assert cell["position"] == crowded
    expected = Staff.objects.filter(position=crowded).exclude(status="left").count()
    assert cell["holder_count"] == expected > holders_limit
    assert len(cell["holders"]) == holders_limit
    assert cell["more"] == expected - holders_limit
    numbers = [person.employee_no for person in cell["holders"]]
    assert numbers == sorted(numbers)
    assert len(queries) <= 6

    everyone = selectors.who_does_what(query="BA0000", holder_limit=None)
    assert len(everyone[0]["cells"][0]["holders"]) == expected


def test_raci_analysis_loads_no_staff_rows_it_does_not_name(dataset):
    dataset.grow(500)

    with CaptureQueriesContext(connection) as queries:
        analysis = selectors.raci_analysis()

    assert analysis["position_count"] >= 500
    assert len(queries) <= 6
    staff_selects = [
        q["sql"]
        for q in queries
        if 'FROM "org_staff"' in q["sql"] and '"org_staff"."name"' in q["sql"]
    ]
    assert len(staff_selects) <= 1  # only the people named by load findings, if any


def test_exports_fill_annotated_columns_without_the_list_queryset(client, dataset):
    """The export reads rows without the list page's annotations: the table fills them."""
    dataset.grow(10)
    client.force_login(dataset.hr)

    positions = client.get(reverse("org:position_list"), {"export": "csv", "q": "BP0000"})
    units = client.get(reverse("org:orgunit_list"), {"export": "csv", "q": "BU0000"})

    position_rows = b"".join(positions.streaming_content).decode("utf-8-sig").splitlines()
    unit_rows = b"".join(units.streaming_content).decode("utf-8-sig").splitlines()
    holders = Staff.objects.filter(position__code="BP0000").exclude(status="left").count()
    assert len(position_rows) == 2
    assert position_rows[1].split(",")[5] == str(holders)  # holder count
    assert position_rows[1].endswith("v1 published")
    assert len(unit_rows) == 2
    assert unit_rows[1].endswith(",1")  # headcount
