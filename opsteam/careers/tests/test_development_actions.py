"""Development plans generated from the gap name a mentor (带教) and suggest a rotation (轮岗);
mentoring actions entered by hand need a mentor, chosen among the people the user may name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from opsteam.careers import services
from opsteam.careers.choices import ActionKind
from opsteam.careers.models import DevelopmentAction, DevelopmentPlan
from opsteam.careers.tests.factories import (
    CareerStepFactory,
    CareerTrackFactory,
    DevelopmentPlanFactory,
    LevelStandardFactory,
    StandardCompetencyFactory,
)
from opsteam.core.exceptions import ValidationFailed
from opsteam.org.choices import LevelTrack, StaffStatus
from opsteam.org.models import JobSkillRequirement, Staff, StaffSkill
from opsteam.org.tests.factories import (
    JobDescriptionFactory,
    JobLevelFactory,
    PositionFactory,
    SkillFactory,
    StaffFactory,
)

TODAY = timezone.localdate()


@dataclass
class Gap:
    """P2 → P3, where P3's published standard asks for SQL at 3 (no course teaches it)."""

    p2: Any
    p3: Any
    sql: Any


@pytest.fixture
def gap(db) -> Gap:
    pro = LevelTrack.PROFESSIONAL
    p2 = JobLevelFactory(code="P2", name="运营专员", name_en="Operator", rank=2, track=pro)
    p3 = JobLevelFactory(code="P3", name="高级运营", name_en="Senior", rank=3, track=pro)
    track = CareerTrackFactory(code="PRO")
    CareerStepFactory(track=track, level=p2, order=1)
    CareerStepFactory(track=track, level=p3, order=2)
    sql = SkillFactory(code="SQL", name="数据查询", name_en="SQL")
    StandardCompetencyFactory(standard=LevelStandardFactory(level=p3), skill=sql, min_level=3)
    return Gap(p2, p3, sql)


def skilled(unit, skill, level, *, hired=dt.date(2021, 1, 1), **fields) -> Staff:
    person = StaffFactory(unit=unit, hire_date=hired, **fields)
    StaffSkill.objects.create(
        staff=person, skill=skill, level=level, source="assessment", recorded_on=TODAY
    )
    return person


def person_at_p2(user_as, gap: Gap, unit=None):
    """An operator at P2 with SQL at 1, logged-in user returned."""
    user = user_as("operator", unit=unit, level=gap.p2)
    StaffSkill.objects.create(
        staff=user.staff, skill=gap.sql, level=1, source="assessment", recorded_on=TODAY
    )
    return user


def start_plan(actor, staff, gap: Gap) -> DevelopmentPlan:
    return services.development_plan_create(
        actor=actor, staff=staff, title="冲刺 P3", target_level=gap.p3
    )


def actions_of(plan: DevelopmentPlan, kind: str) -> list[DevelopmentAction]:
    return list(plan.actions.filter(kind=kind).select_related("mentor"))


# Mentors --------------------------------------------------------------------------------------


def test_the_mentor_is_the_most_skilled_then_most_senior_active_colleague_of_the_unit(
    client, user_as, org_tree, gap
):
    # given colleagues in the person's team T1 and a better one in the sibling team T2
    user = person_at_p2(user_as, gap)
    t1 = org_tree.t1
    skilled(t1, gap.sql, 4, hired=dt.date(2020, 1, 1), name="后入职")
    senior = skilled(t1, gap.sql, 4, hired=dt.date(2018, 1, 1), name="老员工", name_en="Old Hand")
    skilled(t1, gap.sql, 5, status=StaffStatus.LEFT, name="已离职")
    skilled(t1, gap.sql, 5, status=StaffStatus.ON_LEAVE, name="休假中")
    skilled(t1, gap.sql, 3, hired=dt.date(2010, 1, 1), name="水平刚够")
    skilled(org_tree.t2, gap.sql, 5, name="隔壁高手")

    # when the person starts a plan towards P3
    plan = start_plan(user, user.staff, gap)

    # then the mentoring action names the level-4 colleague hired first, from their own team
    [mentoring] = actions_of(plan, ActionKind.MENTORING)
    assert mentoring.mentor == senior
    assert mentoring.skill == gap.sql
    assert mentoring.gap == f"competency:{gap.sql.pk}"
    assert mentoring.title == "Mentoring by Old Hand (Store Ops) to reach SQL level 3"
    # the plan page shows the mentor, and so does the preview before starting
    client.force_login(user)
    preview = client.get(
        reverse("careers:plan_create"), {"staff": user.staff.pk, "level": gap.p3.pk}
    )
    assert "Mentoring by Old Hand (Store Ops)" in preview.content.decode()


def test_with_nobody_in_the_team_the_mentor_comes_from_the_nearest_unit_above(
    user_as, org_tree, gap
):
    user = person_at_p2(user_as, gap)
    skilled(org_tree.t1, gap.sql, 2)  # below the level needed
    sibling = skilled(org_tree.t2, gap.sql, 3, name_en="Sibling Team")  # same department D1
    skilled(org_tree.t3, gap.sql, 5)  # another department: only if D1 had nobody

    plan = start_plan(user, user.staff, gap)

    [mentoring] = actions_of(plan, ActionKind.MENTORING)
    assert mentoring.mentor == sibling
    assert "(Content Ops)" in mentoring.title


def test_when_nobody_holds_the_skill_the_action_says_so_and_names_no_mentor(user_as, org_tree, gap):
    user = person_at_p2(user_as, gap)
    skilled(org_tree.t3, gap.sql, 2)  # nobody anywhere at level 3

    plan = start_plan(user, user.staff, gap)

    [mentoring] = actions_of(plan, ActionKind.MENTORING)
    assert mentoring.mentor is None
    assert mentoring.title == (
        "Mentoring to reach SQL level 3: nobody in the unit or above holds it at that level"
        " yet, the manager names a mentor"
    )


# Rotations ------------------------------------------------------------------------------------


def requires(position, skill, level, *, status="published", required=True):
    jd = JobDescriptionFactory(position=position, status=status)
    JobSkillRequirement.objects.create(
        job_description=jd, skill=skill, level=level, is_required=required
    )
    return position


def test_a_rotation_is_suggested_to_a_department_position_that_requires_the_skill(
    user_as, org_tree, gap
):
    # given positions around the person's team T1 (department D1)
    user = person_at_p2(user_as, gap)
    own = user.staff.position
    own.unit = org_tree.t1
    own.save(update_fields=["unit"])
    requires(own, gap.sql, 3)  # the person's own position: no rotation there
    analyst = requires(
        PositionFactory(unit=org_tree.t2, name="数据分析岗", name_en="Data analyst"), gap.sql, 4
    )
    requires(PositionFactory(unit=org_tree.t2), gap.sql, 2)  # asks for too little
    requires(PositionFactory(unit=org_tree.t1), gap.sql, 4, status="draft")  # not in force
    requires(PositionFactory(unit=org_tree.t1), gap.sql, 4, required=False)  # nice to have
    requires(PositionFactory(unit=org_tree.t3), gap.sql, 5)  # another department

    # when the plan is generated
    plan = start_plan(user, user.staff, gap)

    # then one rotation, to the analyst position, for a stated period
    [rotation] = actions_of(plan, ActionKind.ROTATION)
    assert rotation.skill == gap.sql
    assert rotation.gap == f"competency:{gap.sql.pk}"
    assert rotation.title == (
        "Rotate to Data analyst (Content Ops) for 3 months: its job description asks for SQL"
        " at level 4"
    )
    assert analyst.name_en in rotation.title


def test_no_rotation_without_such_a_position_in_the_department(user_as, org_tree, gap):
    user = person_at_p2(user_as, gap)
    requires(PositionFactory(unit=org_tree.t3), gap.sql, 5)

    plan = start_plan(user, user.staff, gap)

    assert actions_of(plan, ActionKind.ROTATION) == []
    assert len(actions_of(plan, ActionKind.MENTORING)) == 1


# A mentoring action needs its mentor ------------------------------------------------------------


@pytest.fixture
def team_plan(org_tree, gap):
    member = StaffFactory(unit=org_tree.t1, level=gap.p2)
    return DevelopmentPlanFactory(staff=member, target_level=gap.p3)


def test_a_mentoring_action_entered_by_hand_needs_its_mentor(user_as, org_tree, team_plan):
    manager = user_as("manager")
    mentor = StaffFactory(unit=org_tree.t1)
    course = services.development_action_save(
        actor=manager, plan=team_plan, kind="course", title="上课"
    )

    for fields in (
        {"kind": "mentoring", "title": "带教"},  # new
        {"action": course, "kind": "mentoring"},  # turned into mentoring
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.development_action_save(actor=manager, plan=team_plan, **fields)
        assert caught.value.field == "mentor"
    mentoring = services.development_action_save(
        actor=manager, plan=team_plan, kind="mentoring", title="带教", mentor=mentor
    )
    with pytest.raises(ValidationFailed):
        services.development_action_save(
            actor=manager, plan=team_plan, action=mentoring, mentor=None
        )

    assert list(team_plan.actions.values_list("kind", "mentor")) == [
        ("course", None),
        ("mentoring", mentor.pk),
    ]


def test_a_generated_mentoring_action_without_mentor_can_still_be_worked_on(
    client, user_as, team_plan
):
    # the gap found nobody: the person updates progress without being forced to pick
    action = DevelopmentAction.objects.create(
        plan=team_plan, kind="mentoring", title="带教（待定）", skill=None
    )
    manager = user_as("manager")
    client.force_login(manager)

    response = client.post(
        reverse("careers:plan_action_edit", args=[team_plan.pk, action.pk]),
        {"kind": "mentoring", "title": "带教（待定）", "status": "in_progress", "progress": "30"},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.progress, action.mentor) == (30, None)


def test_the_action_form_asks_for_the_mentor_and_saves_nothing(client, user_as, team_plan):
    client.force_login(user_as("manager"))

    response = client.post(
        reverse("careers:plan_action_add", args=[team_plan.pk]),
        {"kind": "mentoring", "title": "带教", "status": "planned", "progress": "0"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["mentor"] == [
        "Name the mentor (带教) of a mentoring action."
    ]
    assert not team_plan.actions.exists()


def test_the_api_refuses_a_mentoring_action_without_mentor_naming_the_field(
    api_client_as, team_plan
):
    api = api_client_as("manager")

    response = api.post(
        reverse("careers-development-plan-add-action", args=[team_plan.pk]),
        {"kind": "mentoring", "title": "带教"},
        format="json",
    )

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["mentor"]
    assert not team_plan.actions.exists()


# Whom the mentor list offers ------------------------------------------------------------------


def mentor_options(client, plan) -> list[Staff]:
    form = client.get(reverse("careers:plan_action_add", args=[plan.pk])).context["form"]
    return list(form.fields["mentor"].queryset)


def test_managers_are_offered_their_subtree_and_hr_everyone(client, user_as, org_tree, team_plan):
    colleague = StaffFactory(unit=org_tree.t1, name_en="Team Mate")
    outsider = StaffFactory(unit=org_tree.t3, name_en="Far Away")
    left = StaffFactory(unit=org_tree.t1, status=StaffStatus.LEFT)
    manager = user_as("manager")

    client.force_login(manager)
    for_manager = mentor_options(client, team_plan)
    client.force_login(user_as("hr"))
    for_hr = mentor_options(client, team_plan)

    assert colleague in for_manager
    assert outsider not in for_manager
    assert {colleague, outsider} <= set(for_hr)
    # nobody who left, and never the person the plan is for
    assert left not in for_hr
    assert team_plan.staff not in for_hr
    # the manager may not name someone outside their team through the API either
    api_response = services_error(manager, team_plan, outsider)
    assert api_response == "mentor"


def services_error(actor, plan, mentor) -> str | None:
    try:
        services.development_action_save(
            actor=actor, plan=plan, kind="mentoring", title="带教", mentor=mentor
        )
    except ValidationFailed as error:
        return error.field
    return None


def test_an_operator_on_their_own_plan_is_offered_the_named_and_suggested_mentors_only(
    client, api_client_as, user_as, org_tree, gap
):
    # given an operator's generated plan whose mentor comes from the sibling team
    user = person_at_p2(user_as, gap)
    suggested = skilled(org_tree.t2, gap.sql, 4, name_en="Suggested")
    colleague = StaffFactory(unit=org_tree.t1, name_en="Next Desk")
    plan = start_plan(user, user.staff, gap)
    client.force_login(user)

    # when they add a mentoring action by hand
    options = mentor_options(client, plan)
    refused = client.post(
        reverse("careers:plan_action_add", args=[plan.pk]),
        {
            "kind": "mentoring",
            "title": "带教",
            "mentor": colleague.pk,
            "status": "planned",
            "progress": "0",
        },
    )
    accepted = client.post(
        reverse("careers:plan_action_add", args=[plan.pk]),
        {
            "kind": "mentoring",
            "title": "再带教",
            "mentor": suggested.pk,
            "status": "planned",
            "progress": "0",
        },
    )

    # then only the suggested mentor is offered: not the colleagues, not themself
    assert options == [suggested]
    assert refused.status_code == 400
    assert "mentor" in refused.context["form"].errors
    assert accepted.status_code == 302
    assert plan.actions.filter(title="再带教", mentor=suggested).exists()
    # and through the API: neither a colleague nor themself
    api = api_client_as("operator")
    api.force_authenticate(user)
    url = reverse("careers-development-plan-add-action", args=[plan.pk])
    for mentor in (colleague, user.staff):
        response = api.post(
            url, {"kind": "mentoring", "title": "带教", "mentor": mentor.pk}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "mentor"
