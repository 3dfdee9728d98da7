"""Access-matrix rows of the growth pages and API (my growth, team readiness, ladders,
standards, the competency framework, development plans). Walked by
core/tests/test_permission_matrix.py.

Every role's user is in T1 (the manager manages T1). Ladders, standards and the competency
framework are reference data: everyone reads them, HR and administrators change them.
Development plans follow the coaching rule: the person, their managers' subtree, HR and
administrators; auditors only their own.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import (
    EDITORS,
    EDITORS_400,
    EVERYONE,
    Check,
    _all,
    _roles,
)

PLAN_TEAM = _roles(200, operator=404, auditor=404)
PLAN_OTHER = _roles(200, manager=404, operator=404, auditor=404)
PLAN_TEAM_POST = _roles(302, operator=404, auditor=404)
PLAN_OTHER_POST = _roles(302, manager=404, operator=404, auditor=404)
EDITORS_302 = _roles(403, admin=302, hr=302)
NO_OPERATORS = _roles(200, operator=403)
ACTION = (("action_pk", "growth_team_action"),)
OWN_ACTION = (("action_pk", "growth_own_action"),)

EXPECTED: dict[str, list[Check]] = {
    # UI: my growth, team readiness
    "careers:my_growth": [Check(EVERYONE)],
    "careers:team_readiness": [Check(NO_OPERATORS), Check(NO_OPERATORS, query="export=csv")],
    # UI: ladders and standards
    "careers:track_list": [Check(EVERYONE), Check(EVERYONE, query="export=csv")],
    "careers:track_create": [Check(EDITORS), Check(EDITORS_400, method="post")],
    "careers:track_detail": [
        Check(EVERYONE, obj="growth_track"),
        Check(EVERYONE, obj="growth_track", query="version=1"),
    ],
    "careers:track_edit": [
        Check(EDITORS, obj="growth_track"),
        Check(EDITORS_400, method="post", obj="growth_track"),
    ],
    "careers:standard_detail": [
        Check(EVERYONE, obj="growth_standard"),
        Check(EVERYONE, obj="growth_draft"),
    ],
    "careers:standard_edit": [
        Check(EDITORS, obj="growth_draft"),
        Check(EDITORS_400, method="post", obj="growth_draft"),
    ],
    "careers:standard_publish": [Check(EDITORS_302, method="post", obj="growth_draft")],
    "careers:standard_new_draft": [
        Check(EDITORS_302, method="post", obj="growth_level", kwarg="level_pk")
    ],
    # UI: competency framework
    "careers:competency_list": [Check(EVERYONE)],
    "careers:competency_edit": [
        Check(EDITORS, obj="growth_skill", kwarg="skill_pk"),
        Check(
            EDITORS_302,
            method="post",
            obj="growth_skill",
            kwarg="skill_pk",
            data={"level_1": "会用基础函数"},
        ),
    ],
    "careers:competency_group_create": [
        Check(EDITORS),
        Check(EDITORS_400, method="post", data={"code": ""}),
    ],
    "careers:competency_group_edit": [Check(EDITORS, obj="growth_skill_group")],
    # UI: development plans
    "careers:plan_list": [Check(EVERYONE)],
    "careers:plan_create": [Check(EVERYONE), Check(_all(400), method="post")],
    "careers:plan_detail": [
        Check(EVERYONE, obj="growth_own_plan"),
        Check(PLAN_TEAM, obj="growth_team_plan"),
        Check(PLAN_OTHER, obj="growth_other_plan"),
    ],
    "careers:plan_action_add": [
        Check(EVERYONE, obj="growth_own_plan"),
        Check(PLAN_TEAM, obj="growth_team_plan"),
        Check(
            PLAN_TEAM_POST,
            method="post",
            obj="growth_team_plan",
            data={"kind": "other", "title": "跟岗学习", "status": "planned", "progress": "0"},
        ),
    ],
    "careers:plan_action_edit": [
        Check(EVERYONE, obj="growth_own_plan", extra_kwargs=OWN_ACTION),
        Check(PLAN_TEAM, obj="growth_team_plan", extra_kwargs=ACTION),
        Check(
            PLAN_OTHER,
            obj="growth_other_plan",
            extra_kwargs=(("action_pk", "growth_other_action"),),
        ),
    ],
    "careers:plan_checkin": [
        Check(_all(302), method="post", obj="growth_own_plan", data={"notes": "进展顺利"}),
        Check(PLAN_TEAM_POST, method="post", obj="growth_team_plan", data={"notes": "进展顺利"}),
        Check(PLAN_OTHER_POST, method="post", obj="growth_other_plan", data={"notes": "x"}),
    ],
    "careers:plan_close": [
        Check(PLAN_TEAM_POST, method="post", obj="growth_team_plan", data={"status": "completed"}),
    ],
    # API: my growth, team readiness
    "careers-my-growth": [Check(EVERYONE)],
    "careers-team-readiness": [Check(NO_OPERATORS)],
    # API: tracks and standards
    "careers-track-list": [Check(EVERYONE), Check(EDITORS_400, method="post")],
    "careers-track-detail": [
        Check(EVERYONE, obj="growth_track"),
        Check(EDITORS, method="patch", obj="growth_track", data={"name": "专业通道（新）"}),
    ],
    "careers-track-versions": [Check(EVERYONE, obj="growth_track")],
    "careers-track-version": [
        Check(EVERYONE, obj="growth_track", extra_kwargs=(("number", "growth_track_v1"),))
    ],
    "careers-standard-list": [Check(EVERYONE)],
    "careers-standard-detail": [
        Check(EVERYONE, obj="growth_standard"),
        Check(EDITORS, method="patch", obj="growth_draft", data={"min_months_in_level": 6}),
    ],
    "careers-standard-publish": [Check(EDITORS, method="post", obj="growth_draft")],
    "careers-standard-new-draft": [Check(EDITORS_400, method="post")],
    # API: development plans
    "careers-development-plan-list": [Check(EVERYONE), Check(_all(400), method="post")],
    "careers-development-plan-detail": [
        Check(EVERYONE, obj="growth_own_plan"),
        Check(PLAN_TEAM, obj="growth_team_plan"),
        Check(PLAN_OTHER, obj="growth_other_plan"),
    ],
    "careers-development-plan-add-action": [
        Check(
            _roles(201, operator=404, auditor=404),
            method="post",
            obj="growth_team_plan",
            data={"kind": "other", "title": "跟岗学习"},
        ),
    ],
    "careers-development-plan-update-action": [
        Check(
            PLAN_TEAM,
            method="patch",
            obj="growth_team_plan",
            extra_kwargs=ACTION,
            data={"progress": 50},
        ),
        Check(
            _all(200),
            method="patch",
            obj="growth_own_plan",
            extra_kwargs=OWN_ACTION,
            data={"progress": 50},
        ),
    ],
    "careers-development-plan-checkin": [
        Check(
            _roles(201, operator=404, auditor=404),
            method="post",
            obj="growth_team_plan",
            data={"notes": "进展顺利"},
        ),
        Check(
            _roles(201, manager=404, operator=404, auditor=404),
            method="post",
            obj="growth_other_plan",
            data={"notes": "进展顺利"},
        ),
    ],
    "careers-development-plan-close": [
        Check(_all(200), method="post", obj="growth_own_plan", data={"status": "completed"}),
        Check(PLAN_TEAM, method="post", obj="growth_team_plan", data={"status": "completed"}),
    ],
}

GUARDED = (
    "careers.CareerTrack",
    "careers.CareerStep",
    "careers.CareerTrackVersion",
    "careers.LevelStandard",
    "careers.StandardCompetency",
    "careers.StandardCourse",
    "careers.StandardCertificate",
    "careers.DevelopmentPlan",
    "careers.DevelopmentAction",
    "careers.DevelopmentCheckIn",
    "org.Skill",
    "org.SkillGroup",
    "org.SkillLevelDescriptor",
)


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A professional track P2 → GRW-P3 (its ladder kept as version 1) with a published
    GRW-P3 standard and its draft; a competency in a group; development plans (with an action)
    of the user, a T1 colleague and a T3 person."""
    from types import SimpleNamespace

    from opsteam.careers import services
    from opsteam.careers.models import DevelopmentAction
    from opsteam.careers.tests.factories import (
        CareerStepFactory,
        CareerTrackFactory,
        DevelopmentPlanFactory,
        LevelStandardFactory,
        StandardCompetencyFactory,
    )
    from opsteam.org.models import SkillGroup
    from opsteam.org.tests.factories import JobLevelFactory, SkillFactory

    current = user.staff.level
    target = JobLevelFactory(code="GRW-P3", name="高级运营", name_en="Senior", rank=3)
    track = CareerTrackFactory(code="GRW-PRO")
    CareerStepFactory(track=track, level=current, order=1)
    CareerStepFactory(track=track, level=target, order=2)
    group = SkillGroup.objects.create(code="GRW-DATA", name="数据能力", name_en="Data")
    skill = SkillFactory(code="GRW-SQL", group=group)
    standard = LevelStandardFactory(level=target, version=1, min_months_in_level=12)
    StandardCompetencyFactory(standard=standard, skill=skill, min_level=3)
    draft = LevelStandardFactory(level=target, version=2, status="draft", min_months_in_level=12)
    version = services.track_version_record(actor=users["hr"], track=track)
    made: dict[str, Any] = {
        "growth_track": track,
        "growth_track_v1": SimpleNamespace(pk=version.number),
        "growth_level": target,
        "growth_standard": standard,
        "growth_draft": draft,
        "growth_skill": skill,
        "growth_skill_group": group,
    }
    for key, person in (
        ("own", user.staff),
        ("team", objects["team_staff"]),
        ("other", objects["other_staff"]),
    ):
        plan = DevelopmentPlanFactory(staff=person, target_level=target, title=f"{key} plan")
        made[f"growth_{key}_plan"] = plan
        made[f"growth_{key}_action"] = DevelopmentAction.objects.create(
            plan=plan, kind="course", title="上课"
        )
    return made
