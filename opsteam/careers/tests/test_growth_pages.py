"""Growth pages as people use them: my growth, team readiness, the ladder and standard
editors, the competency framework and development plans."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from opsteam.careers.choices import ActionStatus, PlanStatus, RoundStatus, StandardStatus
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    DevelopmentAction,
    DevelopmentCheckIn,
    DevelopmentPlan,
    LevelStandard,
)
from opsteam.careers.tests.factories import (
    CareerStepFactory,
    CareerTrackFactory,
    DevelopmentPlanFactory,
    LevelStandardFactory,
    PromotionRoundFactory,
    StandardCertificateFactory,
    StandardCompetencyFactory,
    StandardCourseFactory,
)
from opsteam.core.models import AuditEntry
from opsteam.incentives.models import RewardEntry
from opsteam.org.choices import LevelTrack
from opsteam.org.models import SkillGroup, SkillLevelDescriptor, Staff, StaffSkill
from opsteam.org.tests.factories import JobLevelFactory, SkillFactory, StaffFactory
from opsteam.performance.choices import ReviewStatus
from opsteam.performance.models import Review, ReviewCycle
from opsteam.training.models import Certificate
from opsteam.training.tests.factories import CourseFactory, EnrolmentFactory

TODAY = timezone.localdate()


@dataclass
class World:
    """P1 → P2 → P3 → P4 (professional) and M1 → M2 (management, entered from P3); a
    published P4 standard asking for 12 months, SQL at 3, a course, a PMP certificate and two
    A grades with none below B in the last four cycles. M1 has no standard."""

    levels: dict[str, Any]
    pro: Any
    mgt: Any
    standard: Any
    sql: Any
    course: Any
    q3: Any
    q4: Any


def build_world() -> World:
    pro_kind, mgt_kind = LevelTrack.PROFESSIONAL, LevelTrack.MANAGEMENT
    levels = {
        code: JobLevelFactory(code=code, name=name, name_en=name_en, rank=rank, track=kind)
        for code, name, name_en, rank, kind in (
            ("P1", "运营助理", "Assistant", 1, pro_kind),
            ("P2", "运营专员", "Operator", 2, pro_kind),
            ("P3", "高级运营", "Senior operator", 3, pro_kind),
            ("P4", "运营专家", "Expert", 4, pro_kind),
            ("M1", "组长", "Team lead", 3, mgt_kind),
            ("M2", "主管", "Supervisor", 4, mgt_kind),
        )
    }
    pro = CareerTrackFactory(code="PRO", name="专业通道", name_en="Professional", kind=pro_kind)
    mgt = CareerTrackFactory(code="MGT", name="管理通道", name_en="Management", kind=mgt_kind)
    for order, code in enumerate(("P1", "P2", "P3", "P4"), start=1):
        CareerStepFactory(track=pro, level=levels[code], order=order)
    lead = CareerStepFactory(track=mgt, level=levels["M1"], order=1)
    CareerStepFactory(track=mgt, level=levels["M2"], order=2)
    lead.entry_from.add(levels["P3"])
    standard = LevelStandardFactory(
        level=levels["P4"],
        min_months_in_level=12,
        appraisal_window=4,
        appraisal_min_count=2,
        appraisal_at_least="A",
        appraisal_none_below="B",
    )
    sql = SkillFactory(code="SQL", name="数据查询", name_en="SQL")
    StandardCompetencyFactory(standard=standard, skill=sql, min_level=3)
    course = CourseFactory(code="DA201", name="数据分析进阶", name_en="Advanced analytics")
    StandardCourseFactory(standard=standard, course=course)
    StandardCertificateFactory(standard=standard, name="PMP")
    q3 = ReviewCycle.objects.create(
        name="2025年第三季度",
        name_en="2025 Q3",
        period_start=TODAY - dt.timedelta(days=200),
        period_end=TODAY - dt.timedelta(days=120),
    )
    q4 = ReviewCycle.objects.create(
        name="2025年第四季度",
        name_en="2025 Q4",
        period_start=TODAY - dt.timedelta(days=119),
        period_end=TODAY - dt.timedelta(days=30),
    )
    return World(levels, pro, mgt, standard, sql, course, q3, q4)


def grade(staff: Staff, cycle: ReviewCycle, value: str) -> Review:
    return Review.objects.create(
        cycle=cycle,
        staff=staff,
        unit=staff.unit,
        level=staff.level,
        status=ReviewStatus.PUBLISHED,
        grade=value,
    )


def make_partly_ready(staff: Staff, world: World) -> None:
    """SQL at 2, PMP held, one A (2025 Q4) and one B (2025 Q3); the course not taken."""
    StaffSkill.objects.create(
        staff=staff, skill=world.sql, level=2, source="assessment", recorded_on=TODAY
    )
    Certificate.objects.create(
        staff=staff, source="external", name="PMP", issued_on=dt.date(2024, 1, 1)
    )
    grade(staff, world.q4, "A")
    grade(staff, world.q3, "B")


def make_ready(staff: Staff, world: World) -> None:
    """Every P4 standard met."""
    StaffSkill.objects.create(
        staff=staff, skill=world.sql, level=4, source="assessment", recorded_on=TODAY
    )
    Certificate.objects.create(
        staff=staff, source="external", name="pmp", issued_on=dt.date(2024, 1, 1)
    )
    EnrolmentFactory(
        staff=staff, course=world.course, status="completed", completed_on=dt.date(2025, 3, 1)
    )
    grade(staff, world.q4, "A")
    grade(staff, world.q3, "S")


def entries(model_label: str, **filters: Any):
    return AuditEntry.objects.filter(object_type=model_label, **filters)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def p3_operator(client, user_as, world):
    """An operator at P3 since 2023, partly ready for P4, logged in."""
    user = user_as("operator", level=world.levels["P3"], hire_date=dt.date(2023, 1, 1))
    make_partly_ready(user.staff, world)
    client.force_login(user)
    client.user = user
    return client


# My growth ------------------------------------------------------------------------------------


def test_my_growth_explains_every_standard_of_each_next_level(p3_operator):
    response = p3_operator.get(reverse("careers:my_growth"))

    assert response.status_code == 200
    page = response.content.decode()
    growth = response.context["growth"]
    assert growth.level.code == "P3"
    # both branches: the next professional level and the management track
    assert [item.level.code for item in growth.next_levels] == ["P4", "M1"]
    p4 = growth.next_levels[0]
    assert (p4.result.met_count, p4.result.total) == (3, 6)
    texts = {row.check.kind: row.text for row in p4.checks}
    assert texts["appraisal_count"] == (
        "2 grades of A or better needed in the last 4 cycles; you have 1 (2025 Q4)."
        " At least 1 more cycle graded A or better is needed."
    )
    assert texts["competency"] == "SQL: level 3 required; assessed at level 2, 1 level to go."
    assert texts["course"] == "Course “Advanced analytics” not completed yet."
    assert texts["certificate"] == "Certificate “PMP” held; it does not expire."
    assert texts["appraisal_floor"] == (
        "No grade below B allowed in the last 4 cycles; the lowest is B."
    )
    assert "2 grades of A or better needed in the last 4 cycles; you have 1 (2025 Q4)." in page
    assert "3 of 6 met" in page
    # a level without a published standard asks nothing
    assert "nothing is required for this level yet" in page
    assert f"?staff={p3_operator.user.staff.pk}&amp;level={p4.level.pk}" in page


def test_my_growth_without_a_staff_record_says_so(client, db):
    from opsteam.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="no-staff"))

    response = client.get(reverse("careers:my_growth"))

    assert response.status_code == 200
    assert "Your login has no staff record." in response.content.decode()


def test_managers_see_their_teams_growth_and_operators_only_their_own(
    client, user_as, world, org_tree
):
    member = StaffFactory(unit=org_tree.t1, level=world.levels["P3"], name_en="Li Lei")
    outsider = StaffFactory(unit=org_tree.t3, level=world.levels["P3"])
    manager, operator = user_as("manager"), user_as("operator")
    url = reverse("careers:my_growth")

    client.force_login(manager)
    team = client.get(url, {"staff": member.pk})
    other = client.get(url, {"staff": outsider.pk})
    client.force_login(operator)
    colleague = client.get(url, {"staff": member.pk})

    assert team.status_code == 200
    assert "Growth: Li Lei" in team.content.decode()
    assert other.status_code == 404
    assert colleague.status_code == 404


def test_my_growth_lists_my_rewards_newest_first_and_nobody_elses(p3_operator, org_tree):
    staff = p3_operator.user.staff
    RewardEntry.objects.create(
        staff=staff, kind="points", title="季度之星", points=50, granted_on=dt.date(2025, 3, 1)
    )
    RewardEntry.objects.create(
        staff=staff,
        kind="bonus",
        title="年终奖",
        amount=Decimal("8000.00"),
        currency="CNY",
        granted_on=dt.date(2025, 12, 31),
    )
    RewardEntry.objects.create(
        staff=StaffFactory(unit=org_tree.t1),
        kind="bonus",
        title="别人的奖金",
        granted_on=dt.date(2025, 12, 31),
    )

    response = p3_operator.get(reverse("careers:my_growth"))

    growth = response.context["growth"]
    assert [entry.title for entry in growth.rewards] == ["年终奖", "季度之星"]
    assert growth.reward_points == 50
    page = response.content.decode()
    assert "8000.00 CNY" in page
    assert "别人的奖金" not in page


# Team readiness -------------------------------------------------------------------------------


@pytest.fixture
def team(world, org_tree):
    """Three P3 people in T1 (ready, partly ready, new), one ready P3 person in T2."""
    ready = StaffFactory(unit=org_tree.t1, level=world.levels["P3"], name_en="Ready Rui")
    make_ready(ready, world)
    partly = StaffFactory(unit=org_tree.t1, level=world.levels["P3"], name_en="Partly Pan")
    make_partly_ready(partly, world)
    new = StaffFactory(
        unit=org_tree.t1, level=world.levels["P3"], name_en="New Niu", hire_date=TODAY
    )
    sibling = StaffFactory(unit=org_tree.t2, level=world.levels["P3"], name_en="Sibling Song")
    make_ready(sibling, world)
    return {"ready": ready, "partly": partly, "new": new, "sibling": sibling}


def test_team_readiness_ranks_the_managers_team_ready_first(client, user_as, team, world):
    client.force_login(user_as("manager"))

    response = client.get(reverse("careers:team_readiness"), {"target": world.levels["P4"].pk})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.staff.name_en for row in rows] == ["Ready Rui", "Partly Pan", "New Niu"]
    assert rows[0].result.ready
    assert rows[1].missing == [
        "SQL 2/3",
        "Advanced analytics",
        "1/2 grades A or better",
    ]
    assert "Sibling Song" not in response.content.decode()


def test_a_scope_too_large_to_rank_at_once_asks_for_a_team_and_the_export_ranks_all(
    client, user_as, team, world, org_tree, monkeypatch
):
    from opsteam.careers import selectors_growth

    monkeypatch.setattr(selectors_growth, "READINESS_PAGE_LIMIT", 2)
    client.force_login(user_as("hr"))
    url = reverse("careers:team_readiness")

    everyone = client.get(url)
    html = everyone.content.decode()
    assert everyone.context["choose_unit"] is True
    assert everyone.context["rows"] == []
    assert 'id="choose-unit"' in html
    assert "Choose a department or team above to rank them" in html
    assert "Ready Rui" not in html

    one_team = client.get(url, {"unit": org_tree.t1.pk})
    assert one_team.context["choose_unit"] is False
    assert "Ready Rui" in [row.staff.name_en for row in one_team.context["rows"]]

    export = client.get(url, {"export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Ready Rui" in body
    assert "Sibling Song" in body


def test_team_readiness_export_has_every_row_of_the_filter(client, user_as, team, world):
    client.force_login(user_as("hr"))

    response = client.get(
        reverse("careers:team_readiness"),
        {"export": "csv", "target": world.levels["P4"].pk, "ready": "yes"},
    )

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Rank", "Employee number", "Staff member"]
    assert sorted(row[2] for row in rows[1:]) == ["Ready Rui", "Sibling Song"]
    assert {row[7] for row in rows[1:]} == {"✓"}


def test_operators_have_no_team_readiness(p3_operator):
    assert p3_operator.get(reverse("careers:team_readiness")).status_code == 403


def test_nominate_links_show_only_while_a_round_takes_nominations(client, user_as, team, world):
    try:
        reverse("careers:nominate")
    except NoReverseMatch:
        pytest.skip("the promotion round pages are not installed")
    client.force_login(user_as("manager"))
    url = reverse("careers:team_readiness")

    closed = client.get(url).content.decode()
    PromotionRoundFactory(status=RoundStatus.NOMINATING)
    open_ = client.get(url).content.decode()

    link = f"{reverse('careers:nominate')}?staff={team['ready'].pk}&amp;level="
    assert link not in closed
    assert link in open_


# Ladders --------------------------------------------------------------------------------------


def test_hr_creates_a_track_with_its_ladder_and_an_entry_from_another_track(client, user_as, world):
    client.force_login(user_as("hr"))
    levels = world.levels
    specialist = JobLevelFactory(code="S1", name="专项", rank=3, track=LevelTrack.PROFESSIONAL)
    data = {
        "code": "SPEC",
        "name": "专项通道",
        "name_en": "Specialist",
        "kind": "professional",
        "is_active": "on",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-order": "2",
        "steps-0-level": levels["P4"].pk,
        "steps-1-order": "1",
        "steps-1-level": specialist.pk,
        "steps-1-entry_from": [levels["P2"].pk, levels["M1"].pk],
    }

    response = client.post(reverse("careers:track_create"), data)

    track = CareerTrack.objects.get(code="SPEC")
    assert response.status_code == 302
    assert response.url == track.get_absolute_url()
    assert list(track.steps.order_by("order").values_list("level__code", flat=True)) == [
        "S1",
        "P4",
    ]
    first = track.steps.get(order=1)
    assert sorted(first.entry_from.values_list("code", flat=True)) == ["M1", "P2"]
    assert entries("careers.careertrack", object_id=str(track.pk)).count() == 2


def test_a_level_twice_on_a_track_shows_the_error_and_saves_nothing(client, user_as, world):
    client.force_login(user_as("hr"))
    p1 = world.levels["P1"].pk
    data = {
        "code": "DUP",
        "name": "重复",
        "kind": "professional",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-0-level": p1,
        "steps-1-level": p1,
    }
    audit_before = AuditEntry.objects.count()

    response = client.post(reverse("careers:track_create"), data)

    assert response.status_code == 400
    assert "A level appears twice on the track." in response.content.decode()
    assert not CareerTrack.objects.filter(code="DUP").exists()
    assert AuditEntry.objects.count() == audit_before


def test_operators_cannot_edit_ladders(p3_operator, world):
    assert p3_operator.get(reverse("careers:track_create")).status_code == 403
    assert p3_operator.get(reverse("careers:track_edit", args=[world.pro.pk])).status_code == 403


def test_track_page_draws_the_ladder_with_each_published_standard(client, user_as, world):
    client.force_login(user_as("hr"))

    response = client.get(reverse("careers:track_detail", args=[world.pro.pk]))

    assert response.status_code == 200
    ladder = response.context["ladder"]
    assert [row.step.level.code for row in ladder] == ["P4", "P3", "P2", "P1"]
    assert ladder[0].standard == world.standard
    p3 = ladder[1]
    assert [level.code for level, _tracks in p3.exits] == ["M1"]
    page = response.content.decode()
    assert "Published standard v1" in page
    assert "leads on to M1" in page
    assert reverse("careers:standard_new_draft", args=[world.levels["P4"].pk]) in page
    chart = response.context["ladder_chart"]["series"][0]
    assert len(chart["data"]) == 6
    assert any(link.get("lineStyle", {}).get("type") == "dashed" for link in chart["links"])


def test_ladder_list_exports_the_tracks(client, user_as, world):
    client.force_login(user_as("auditor"))

    page = client.get(reverse("careers:track_list"))
    export = client.get(reverse("careers:track_list"), {"export": "csv"})

    assert page.status_code == 200
    assert page.context["ladder_chart"] is not None
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "P1 → P2 → P3 → P4" in body
    assert "M1 → M2" in body


# Standards ------------------------------------------------------------------------------------


def _standard_post(standard: LevelStandard, **overrides: Any) -> dict[str, Any]:
    data = {
        "min_months_in_level": "18",
        "appraisal_window": "4",
        "appraisal_min_count": "2",
        "appraisal_at_least": "A",
        "appraisal_none_below": "B",
        "min_assessment_score": "75",
        "notes": "",
        "notes_en": "",
        "courses": [row.course_id for row in standard.courses.all()],
        "competencies-TOTAL_FORMS": "1",
        "competencies-INITIAL_FORMS": "1",
        "competencies-0-skill": standard.competencies.get().skill_id,
        "competencies-0-min_level": "4",
        "certificates-TOTAL_FORMS": "1",
        "certificates-INITIAL_FORMS": "1",
        "certificates-0-course": "",
        "certificates-0-name": "PMP",
    }
    data.update(overrides)
    return data


def test_hr_drafts_edits_and_publishes_a_new_version_and_the_history_shows_the_change(
    client, user_as, world
):
    client.force_login(user_as("hr"))
    p4 = world.levels["P4"]

    opened = client.post(reverse("careers:standard_new_draft", args=[p4.pk]))
    draft = LevelStandard.objects.get(level=p4, status=StandardStatus.DRAFT)
    edited = client.post(
        reverse("careers:standard_edit", args=[draft.pk]),
        _standard_post(draft, publish="1"),
    )

    assert opened.url == reverse("careers:standard_edit", args=[draft.pk])
    assert edited.status_code == 302
    draft.refresh_from_db()
    world.standard.refresh_from_db()
    assert (draft.version, draft.status) == (2, StandardStatus.PUBLISHED)
    assert world.standard.status == StandardStatus.RETIRED
    assert draft.min_months_in_level == 18
    assert draft.min_assessment_score == Decimal("75.0")
    assert draft.competencies.get().min_level == 4
    assert entries("careers.levelstandard", object_id=str(draft.pk)).count() >= 3

    page = client.get(reverse("careers:standard_detail", args=[draft.pk]))
    versions = page.context["versions"]
    assert [version.standard.version for version in versions] == [2, 1]
    changes = {aspect: (before, after) for aspect, before, after in versions[0].changes}
    assert changes["Minimum months in the current level"] == ("12", "18")
    assert changes["Competencies"] == ("SQL ≥ 3", "SQL ≥ 4")
    assert changes["Minimum defence score (答辩)"] == ("—", "75")


def test_more_good_grades_than_cycles_shows_the_field_error_and_writes_nothing(
    client, user_as, world
):
    client.force_login(user_as("hr"))
    p4 = world.levels["P4"]
    client.post(reverse("careers:standard_new_draft", args=[p4.pk]))
    draft = LevelStandard.objects.get(level=p4, status=StandardStatus.DRAFT)
    audit_before = AuditEntry.objects.count()

    response = client.post(
        reverse("careers:standard_edit", args=[draft.pk]),
        _standard_post(draft, appraisal_min_count="5", publish="1"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["appraisal_min_count"] == [
        "More good grades are required than cycles are considered."
    ]
    draft.refresh_from_db()
    assert (draft.appraisal_min_count, draft.status) == (2, StandardStatus.DRAFT)
    assert AuditEntry.objects.count() == audit_before


def test_a_published_standard_is_read_only(client, user_as, world):
    client.force_login(user_as("hr"))

    response = client.get(reverse("careers:standard_edit", args=[world.standard.pk]))
    detail = client.get(reverse("careers:standard_detail", args=[world.standard.pk]))

    assert response.status_code == 404
    assert detail.context["can_new_draft"]
    assert not detail.context["can_edit"]


def test_operators_read_standards_but_cannot_publish(p3_operator, world):
    draft = LevelStandardFactory(level=world.levels["P3"], version=1, status=StandardStatus.DRAFT)

    page = p3_operator.get(reverse("careers:standard_detail", args=[world.standard.pk]))
    publish = p3_operator.post(reverse("careers:standard_publish", args=[draft.pk]))

    assert page.status_code == 200
    assert "SQL" in page.content.decode()
    assert publish.status_code == 403
    draft.refresh_from_db()
    assert draft.status == StandardStatus.DRAFT


# Competency framework -------------------------------------------------------------------------


def test_competency_framework_shows_groups_with_their_level_descriptors(client, user_as, world):
    data = SkillGroup.objects.create(code="DATA", name="数据能力", name_en="Data", order=1)
    world.sql.group = data
    world.sql.save(update_fields=["group"])
    SkillLevelDescriptor.objects.create(
        skill=world.sql, level=3, description="能独立写多表查询", description_en="Writes joins"
    )
    client.force_login(user_as("operator"))

    response = client.get(reverse("careers:competency_list"))

    assert response.status_code == 200
    groups = response.context["groups"]
    assert groups[0].group == data
    assert groups[0].skills == [world.sql]
    assert "Writes joins" in response.content.decode()
    assert not response.context["can_change"]


def test_hr_describes_the_levels_of_a_competency(client, user_as, world):
    group = SkillGroup.objects.create(code="DATA", name="数据能力", order=1)
    client.force_login(user_as("hr"))
    data = {"group": group.pk, "level_1": "会用筛选", "level_3": "能写多表查询"}
    data["level_3_en"] = "Writes joins"

    response = client.post(reverse("careers:competency_edit", args=[world.sql.pk]), data)

    assert response.status_code == 302
    world.sql.refresh_from_db()
    assert world.sql.group == group
    descriptors = dict(
        SkillLevelDescriptor.objects.filter(skill=world.sql).values_list("level", "description")
    )
    assert descriptors == {1: "会用筛选", 3: "能写多表查询"}
    assert entries("org.skillleveldescriptor").count() == 2
    assert entries("org.skill", object_id=str(world.sql.pk)).exists()


def test_an_english_descriptor_without_the_chinese_one_is_refused(client, user_as, world):
    client.force_login(user_as("hr"))

    response = client.post(
        reverse("careers:competency_edit", args=[world.sql.pk]), {"level_2_en": "Basic"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["level_2"] == ["Describe level 2 in Chinese as well."]
    assert not SkillLevelDescriptor.objects.exists()


def test_operators_cannot_edit_the_framework(p3_operator, world):
    response = p3_operator.post(
        reverse("careers:competency_edit", args=[world.sql.pk]), {"level_1": "x"}
    )

    assert response.status_code == 403
    assert not SkillLevelDescriptor.objects.exists()


def test_hr_adds_a_competency_group(client, user_as, db):
    client.force_login(user_as("hr"))

    response = client.post(
        reverse("careers:competency_group_create"),
        {"code": "COMM", "name": "沟通协作", "name_en": "Communication", "order": "2"},
    )

    group = SkillGroup.objects.get(code="COMM")
    assert response.status_code == 302
    assert entries("org.skillgroup", object_id=str(group.pk), action="create").exists()


# Development plans ----------------------------------------------------------------------------


def test_a_plan_started_from_the_gap_has_an_action_per_missed_standard(p3_operator, world):
    p4 = world.levels["P4"]
    staff = p3_operator.user.staff
    url = f"{reverse('careers:plan_create')}?staff={staff.pk}&level={p4.pk}"

    form = p3_operator.get(url)
    response = p3_operator.post(
        url,
        {
            "target_level": p4.pk,
            "title": "冲刺专家",
            "goals": "半年内达到 P4 标准",
            "end_date": (TODAY + dt.timedelta(days=180)).isoformat(),
            "generate": "on",
        },
    )

    assert form.status_code == 200
    assert len(form.context["preview"]) == 3
    plan = DevelopmentPlan.objects.get(staff=staff)
    assert response.url == plan.get_absolute_url()
    assert plan.target_level == p4
    assert sorted(plan.actions.values_list("gap", flat=True)) == sorted(
        [f"competency:{world.sql.pk}", f"course:{world.course.pk}", "appraisal_count"]
    )
    assert entries("careers.developmentplan", object_id=str(plan.pk)).exists()
    detail = p3_operator.get(plan.get_absolute_url())
    assert detail.context["gap"].result.met_count == 3


def test_plan_actions_are_edited_checked_in_and_the_plan_closed(client, user_as, world, org_tree):
    member = StaffFactory(unit=org_tree.t1, level=world.levels["P3"])
    plan = DevelopmentPlanFactory(staff=member, target_level=world.levels["P4"])
    action = DevelopmentAction.objects.create(plan=plan, kind="course", title="上课")
    mentor = StaffFactory(unit=org_tree.t1, name="带教老师")
    client.force_login(user_as("manager"))

    edit = client.post(
        reverse("careers:plan_action_edit", args=[plan.pk, action.pk]),
        {"kind": "course", "title": "上课", "status": "in_progress", "progress": "60"},
    )
    added = client.post(
        reverse("careers:plan_action_add", args=[plan.pk]),
        {
            "kind": "mentoring",
            "title": "带教",
            "mentor": mentor.pk,
            "status": "planned",
            "progress": "0",
        },
    )
    checkin = client.post(
        reverse("careers:plan_checkin", args=[plan.pk]), {"notes": "进展顺利", "progress": ""}
    )
    closed = client.post(reverse("careers:plan_close", args=[plan.pk]), {"status": "completed"})

    assert edit.status_code == added.status_code == checkin.status_code == closed.status_code
    assert edit.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.progress) == (ActionStatus.IN_PROGRESS, 60)
    assert plan.actions.count() == 2
    # the check-in's progress is the mean of the two actions (60 and 0)
    assert DevelopmentCheckIn.objects.get(plan=plan).progress == 30
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    page = client.get(plan.get_absolute_url())
    assert page.context["progress_chart"]["series"][0]["data"] == [30]
    assert page.context["checkin_form"] is None


def test_a_check_in_without_notes_is_refused_and_writes_nothing(p3_operator, world):
    plan = DevelopmentPlanFactory(staff=p3_operator.user.staff)

    response = p3_operator.post(reverse("careers:plan_checkin", args=[plan.pk]), {"notes": ""})
    page = p3_operator.get(response.url)

    assert response.status_code == 302
    assert not DevelopmentCheckIn.objects.exists()
    assert "This field is required." in page.content.decode()


def test_operators_see_only_their_own_plans(p3_operator, world, org_tree):
    mine = DevelopmentPlanFactory(staff=p3_operator.user.staff, title="我的计划")
    theirs = DevelopmentPlanFactory(staff=StaffFactory(unit=org_tree.t1), title="同事的计划")

    listing = p3_operator.get(reverse("careers:plan_list"))
    other = p3_operator.get(reverse("careers:plan_detail", args=[theirs.pk]))
    own = p3_operator.get(reverse("careers:plan_detail", args=[mine.pk]))

    assert [plan.title for plan in listing.context["object_list"]] == ["我的计划"]
    assert other.status_code == 404
    assert own.status_code == 200


def test_a_plan_for_someone_outside_the_team_is_not_found(client, user_as, world, org_tree):
    outsider = StaffFactory(unit=org_tree.t3, level=world.levels["P3"])
    client.force_login(user_as("manager"))

    response = client.get(reverse("careers:plan_create"), {"staff": outsider.pk})

    assert response.status_code == 404


def test_ladder_edit_keeps_entries_and_reorders(client, user_as, world):
    client.force_login(user_as("hr"))
    levels = world.levels
    data = {
        "code": "MGT",
        "name": "管理通道",
        "name_en": "Management",
        "kind": "management",
        "is_active": "on",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "2",
        "steps-0-order": "1",
        "steps-0-level": levels["M1"].pk,
        "steps-0-entry_from": [levels["P3"].pk, levels["P4"].pk],
        "steps-1-order": "2",
        "steps-1-level": levels["M2"].pk,
    }

    response = client.post(reverse("careers:track_edit", args=[world.mgt.pk]), data)

    assert response.status_code == 302
    step = CareerStep.objects.get(track=world.mgt, level=levels["M1"])
    assert sorted(step.entry_from.values_list("code", flat=True)) == ["P3", "P4"]


def test_a_zero_defence_score_is_refused_whoever_calls(user_as, world):
    from opsteam.careers import services
    from opsteam.core.exceptions import ValidationFailed

    hr = user_as("hr")
    draft = services.standard_start_draft(actor=hr, level=world.levels["P4"])

    # the eligibility engine cannot evaluate a minimum of 0: every page would fail
    with pytest.raises(ValidationFailed) as caught:
        services.standard_update(actor=hr, standard=draft, min_assessment_score=Decimal(0))

    assert caught.value.field == "min_assessment_score"
    draft.refresh_from_db()
    assert draft.min_assessment_score is None


def test_my_growth_of_someone_without_a_level_has_no_next_level(client, user_as, world):
    user = user_as("operator", level=None)
    client.force_login(user)

    response = client.get(reverse("careers:my_growth"))

    assert response.status_code == 200
    assert response.context["growth"].next_levels == []
    assert "No next level" in response.content.decode()
