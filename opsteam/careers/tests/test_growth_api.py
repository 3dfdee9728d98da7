"""The growth API as clients use it: my growth explained, team readiness, tracks, standards and
development plans (scoped reads, audited writes, 400/403/404/409 as documented)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opsteam.careers.choices import PlanStatus, StandardStatus
from opsteam.careers.models import CareerTrack, DevelopmentAction, DevelopmentPlan, LevelStandard
from opsteam.careers.tests.factories import DevelopmentPlanFactory
from opsteam.careers.tests.test_growth_pages import (
    TODAY,
    build_world,
    entries,
    make_partly_ready,
    make_ready,
)
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory


@pytest.fixture
def world(db):
    return build_world()


def test_my_growth_returns_each_check_with_its_evidence_and_sentence(api_client_as, world):
    api = api_client_as("operator", level=world.levels["P3"], hire_date=dt.date(2023, 1, 1))
    make_partly_ready(api.user.staff, world)

    body = api.get(reverse("careers-my-growth")).json()

    assert body["level_code"] == "P3"
    assert [level["code"] for level in body["next_levels"]] == ["P4", "M1"]
    p4 = body["next_levels"][0]
    assert (p4["ready"], p4["met"], p4["total"]) == (False, 3, 6)
    assert p4["standard_version"] == 1
    checks = {check["kind"]: check for check in p4["checks"]}
    count = checks["appraisal_count"]
    assert count["evidence"] == [str(world.q4.pk)]
    assert count["gap"] == 1.0
    assert count["text"].startswith(
        "2 grades of A or better needed in the last 4 cycles; you have 1 (2025 Q4)."
    )
    assert checks["competency"]["key"] == str(world.sql.pk)
    assert (checks["competency"]["required"], checks["competency"]["actual"]) == (3, 2)
    assert checks["certificate"]["key"] == "name:pmp"
    assert body["next_levels"][1]["checks"] == []
    assert body["plan"] is None


def test_my_growth_for_a_login_without_staff_is_not_found(db):
    from rest_framework.test import APIClient

    from opsteam.accounts.tests.factories import UserFactory

    api = APIClient()
    api.force_authenticate(UserFactory(username="robot"))

    response = api.get(reverse("careers-my-growth"))

    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_team_readiness_ranks_the_managers_team_and_filters(api_client_as, world, org_tree):
    ready = StaffFactory(unit=org_tree.t1, level=world.levels["P3"])
    make_ready(ready, world)
    partly = StaffFactory(unit=org_tree.t1, level=world.levels["P3"])
    make_partly_ready(partly, world)
    outside = StaffFactory(unit=org_tree.t3, level=world.levels["P3"])
    make_ready(outside, world)
    api = api_client_as("manager")
    url = reverse("careers-team-readiness")

    everything = api.get(url, {"target": world.levels["P4"].pk}).json()
    only_ready = api.get(url, {"target": world.levels["P4"].pk, "ready": "true"}).json()

    assert [row["staff"] for row in everything["results"]] == [ready.pk, partly.pk]
    assert everything["results"][1]["missing"] == [
        "SQL 2/3",
        "Advanced analytics",
        "1/2 grades A or better",
    ]
    assert [row["staff"] for row in only_ready["results"]] == [ready.pk]


def test_team_readiness_refuses_operators_and_unknown_filters(api_client_as, world):
    operator = api_client_as("operator")
    hr = api_client_as("hr")
    url = reverse("careers-team-readiness")

    assert operator.get(url).status_code == 403
    bad = hr.get(url, {"unit": 999999})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "unit"


def test_a_scope_too_large_to_rank_at_once_needs_a_unit(
    api_client_as, world, org_tree, monkeypatch
):
    from opsteam.careers import selectors_growth

    monkeypatch.setattr(selectors_growth, "READINESS_PAGE_LIMIT", 1)
    for unit in (org_tree.t1, org_tree.t3):
        make_ready(StaffFactory(unit=unit, level=world.levels["P3"]), world)
    hr = api_client_as("hr")
    url = reverse("careers-team-readiness")

    refused = hr.get(url)
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["attr"] == "unit"
    assert "choose a department or team" in error["detail"]
    one_team = hr.get(url, {"unit": org_tree.t1.pk})
    assert one_team.status_code == 200
    assert one_team.json()["count"] >= 1


def test_hr_creates_and_reorders_a_track_and_operators_cannot(api_client_as, world):
    hr, operator = api_client_as("hr"), api_client_as("operator")
    levels = world.levels
    body = {
        "code": "SPEC",
        "name": "专项通道",
        "kind": "professional",
        "steps": [
            {"level": levels["P3"].pk},
            {"level": levels["P4"].pk, "entry_from": [levels["M1"].pk]},
        ],
    }

    created = hr.post(reverse("careers-track-list"), body, format="json")
    track = CareerTrack.objects.get(code="SPEC")
    reordered = hr.patch(
        reverse("careers-track-detail", args=[track.pk]),
        {"steps": [{"level": levels["P4"].pk}, {"level": levels["P3"].pk}]},
        format="json",
    )
    renamed = hr.patch(
        reverse("careers-track-detail", args=[track.pk]), {"name": "专项"}, format="json"
    )
    denied = operator.post(reverse("careers-track-list"), {**body, "code": "X"}, format="json")

    assert created.status_code == 201
    assert [step["level_code"] for step in created.json()["steps"]] == ["P3", "P4"]
    assert created.json()["steps"][1]["entry_from"] == [levels["M1"].pk]
    assert [step["level_code"] for step in reordered.json()["steps"]] == ["P4", "P3"]
    assert [step["level_code"] for step in renamed.json()["steps"]] == ["P4", "P3"]
    assert renamed.json()["name"] == "专项"
    assert denied.status_code == 403
    assert not CareerTrack.objects.filter(code="X").exists()


def test_a_track_with_an_unknown_level_is_refused_and_nothing_written(api_client_as, world):
    hr = api_client_as("hr")
    audit_before = AuditEntry.objects.count()

    response = hr.post(
        reverse("careers-track-list"),
        {"code": "BAD", "name": "坏", "kind": "professional", "steps": [{"level": 987654}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "steps"
    assert not CareerTrack.objects.filter(code="BAD").exists()
    assert AuditEntry.objects.count() == audit_before


def test_hr_opens_edits_and_publishes_a_draft_through_the_api(api_client_as, world):
    hr = api_client_as("hr")
    p4 = world.levels["P4"]

    opened = hr.post(reverse("careers-standard-new-draft"), {"level": p4.pk}, format="json")
    draft_id = opened.json()["id"]
    edited = hr.patch(
        reverse("careers-standard-detail", args=[draft_id]),
        {
            "min_months_in_level": 24,
            "competencies": [{"skill": world.sql.pk, "min_level": 4}],
            "certificates": [{"name": "CDA"}],
        },
        format="json",
    )
    published = hr.post(reverse("careers-standard-publish", args=[draft_id]))
    again = hr.patch(
        reverse("careers-standard-detail", args=[draft_id]),
        {"min_months_in_level": 6},
        format="json",
    )

    assert opened.status_code == 201
    assert opened.json()["version"] == 2
    assert edited.status_code == 200
    assert edited.json()["competencies"] == [
        {"skill": world.sql.pk, "skill_code": "SQL", "min_level": 4}
    ]
    assert edited.json()["courses"][0]["course_code"] == "DA201"
    assert published.json()["status"] == "published"
    assert again.status_code == 409
    assert LevelStandard.objects.get(pk=draft_id).min_months_in_level == 24
    world.standard.refresh_from_db()
    assert world.standard.status == StandardStatus.RETIRED
    assert entries("careers.levelstandard", object_id=str(draft_id)).count() >= 3


def test_a_zero_defence_score_is_refused(api_client_as, world):
    hr = api_client_as("hr")
    draft = hr.post(
        reverse("careers-standard-new-draft"), {"level": world.levels["P4"].pk}, format="json"
    ).json()

    response = hr.patch(
        reverse("careers-standard-detail", args=[draft["id"]]),
        {"min_assessment_score": "0"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "min_assessment_score"
    assert LevelStandard.objects.get(pk=draft["id"]).min_assessment_score is None


def test_standards_are_listed_by_level_for_everyone(api_client_as, world):
    operator = api_client_as("operator")

    body = operator.get(
        reverse("careers-standard-list"), {"level": world.levels["P4"].pk, "status": "published"}
    ).json()

    assert [row["version"] for row in body["results"]] == [1]
    assert body["results"][0]["certificates"] == [{"course": None, "name": "PMP"}]
    assert (
        operator.post(reverse("careers-standard-publish", args=[world.standard.pk])).status_code
        == 403
    )


def test_a_plan_is_created_from_the_gap_and_worked_on(api_client_as, world):
    api = api_client_as("operator", level=world.levels["P3"], hire_date=dt.date(2023, 1, 1))
    make_partly_ready(api.user.staff, world)

    created = api.post(
        reverse("careers-development-plan-list"),
        {
            "staff": api.user.staff.pk,
            "target_level": world.levels["P4"].pk,
            "title": "冲刺专家",
            "end_date": (TODAY + dt.timedelta(days=90)).isoformat(),
        },
        format="json",
    )
    plan_id = created.json()["id"]
    action_id = created.json()["actions"][0]["id"]
    updated = api.patch(
        reverse("careers-development-plan-update-action", args=[plan_id, action_id]),
        {"status": "done"},
        format="json",
    )
    added = api.post(
        reverse("careers-development-plan-add-action", args=[plan_id]),
        {"kind": "rotation", "title": "轮岗到内容组"},
        format="json",
    )
    checkin = api.post(
        reverse("careers-development-plan-checkin", args=[plan_id]),
        {"notes": "第一阶段完成"},
        format="json",
    )
    closed = api.post(
        reverse("careers-development-plan-close", args=[plan_id]),
        {"status": "cancelled"},
        format="json",
    )
    late = api.post(
        reverse("careers-development-plan-checkin", args=[plan_id]), {"notes": "x"}, format="json"
    )

    assert created.status_code == 201
    assert len(created.json()["actions"]) == 3
    assert (updated.json()["status"], updated.json()["progress"]) == ("done", 100)
    assert added.status_code == 201
    assert added.json()["kind"] == "rotation"
    # one of four actions done: progress 25
    assert checkin.json()["progress"] == 25
    assert closed.json()["status"] == "cancelled"
    assert closed.json()["progress"] == 25
    assert late.status_code == 409
    assert DevelopmentPlan.objects.get(pk=plan_id).status == PlanStatus.CANCELLED
    mine = api.get(reverse("careers-my-growth")).json()
    assert mine["plan"] is None  # closed plans are not the active one


def test_plans_of_people_outside_the_scope_are_not_found(api_client_as, world, org_tree):
    api = api_client_as("manager")
    outsider = StaffFactory(unit=org_tree.t3)
    plan = DevelopmentPlanFactory(staff=outsider)
    team_plan = DevelopmentPlanFactory(staff=StaffFactory(unit=org_tree.t1))

    create = api.post(
        reverse("careers-development-plan-list"),
        {"staff": outsider.pk, "title": "x"},
        format="json",
    )
    detail = api.get(reverse("careers-development-plan-detail", args=[plan.pk]))
    listing = api.get(reverse("careers-development-plan-list")).json()
    add = api.post(
        reverse("careers-development-plan-add-action", args=[plan.pk]),
        {"kind": "other", "title": "x"},
        format="json",
    )

    assert create.status_code == 404
    assert detail.status_code == 404
    assert add.status_code == 404
    assert [row["id"] for row in listing["results"]] == [team_plan.pk]
    assert not DevelopmentAction.objects.exists()


def test_an_auditor_reads_nobodys_plans_but_may_plan_their_own(api_client_as, world, org_tree):
    api = api_client_as("auditor")
    DevelopmentPlanFactory(staff=StaffFactory(unit=org_tree.t1))

    listing = api.get(reverse("careers-development-plan-list")).json()
    own = api.post(
        reverse("careers-development-plan-list"),
        {"staff": api.user.staff.pk, "title": "自我提升", "generate": False},
        format="json",
    )
    other = api.post(
        reverse("careers-development-plan-list"),
        {"staff": StaffFactory(unit=org_tree.t1).pk, "title": "x"},
        format="json",
    )

    assert listing["count"] == 0
    assert own.status_code == 201
    assert other.status_code == 403
