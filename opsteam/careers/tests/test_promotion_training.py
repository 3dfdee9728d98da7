"""An approved promotion and the training plans of the new level: given at once, to the promoted
person only, when the promotion takes effect today; given by the nightly rules job on or after
the effective date when it takes effect later."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from opsteam.careers import services
from opsteam.core import audit
from opsteam.core.choices import AuditSource
from opsteam.core.models import AuditEntry
from opsteam.org import services as org_services
from opsteam.org.choices import LevelTrack
from opsteam.org.models import Staff
from opsteam.org.tests.factories import JobLevelFactory, StaffFactory
from opsteam.training import services_catalogue as training
from opsteam.training.models import AssignmentRule, PlanAssignment
from opsteam.training.tests.factories import TrainingPlanFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LOOKBACK = dt.timedelta(days=7)  # the nightly job's window (training.tasks.plan_rules_run_task)


def nightly_run(on: dt.date):
    """The nightly rules job as it runs on ``on``: the system, the last week's events."""
    with audit.context(source=AuditSource.JOB):
        return training.plan_rules_run(actor=None, since=on - LOOKBACK, today=on)


@pytest.fixture
def world(user_as, org_tree):
    """P2 → P3, a plan the rules give everyone reaching P3, HR and a committee member, and a
    T1 operator at P2 to promote."""
    p2 = JobLevelFactory(code="P2", rank=2, track=LevelTrack.PROFESSIONAL)
    p3 = JobLevelFactory(code="P3", name="高级运营", rank=3, track=LevelTrack.PROFESSIONAL)
    plan = TrainingPlanFactory(name="高级运营必修")
    AssignmentRule.objects.create(plan=plan, trigger="level_change", level=p3, due_days=30)
    person = StaffFactory(unit=org_tree.t1, level=p2, hire_date=dt.date(2023, 1, 1))
    return {
        "hr": user_as("hr"),
        "member": user_as("operator", unit=org_tree.t3),
        "p2": p2,
        "p3": p3,
        "plan": plan,
        "person": person,
    }


def approve_promotion(world, *, effective: dt.date) -> None:
    hr = world["hr"]
    promotion_round = services.round_create(
        actor=hr,
        committee=[world["member"]],
        name=f"晋升 {effective.isoformat()}",
        nominations_close=TODAY,
        effective_date=effective,
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)
    nomination = services.nominate(
        actor=hr,
        promotion_round=promotion_round,
        staff=world["person"],
        target_level=world["p3"],
        justification="推荐",
    )
    services.round_advance(actor=hr, promotion_round=promotion_round)
    services.nomination_decide(actor=hr, nomination=nomination, decision="approve")


def plans_of(staff) -> list[str]:
    return list(PlanAssignment.objects.filter(staff=staff).values_list("plan__name", flat=True))


def test_a_promotion_today_gives_the_promoted_person_their_plan_and_nobody_else(world, org_tree):
    # given a colleague moved up to P3 today by a reassignment the nightly job has not run for
    colleague = StaffFactory(unit=org_tree.t2, level=world["p2"], hire_date=dt.date(2023, 1, 1))
    org_services.staff_reassign(
        actor=world["hr"],
        staff=colleague,
        effective_date=TODAY,
        reason="promotion",
        level=world["p3"],
    )

    # when the promotion of the nominee is approved, effective today
    approve_promotion(world, effective=TODAY)

    # then the nominee has the P3 plan at once, the colleague only after the nightly run
    assert plans_of(world["person"]) == ["高级运营必修"]
    assert plans_of(colleague) == []
    assert nightly_run(TODAY).assignments_created == 1
    assert plans_of(colleague) == ["高级运营必修"]
    assert plans_of(world["person"]) == ["高级运营必修"]  # not given twice


def test_a_later_promotion_gets_its_plan_from_the_nightly_job_on_its_day(world):
    effective = TODAY + dt.timedelta(days=30)

    approve_promotion(world, effective=effective)

    # nothing yet, nor from the nightly runs before the effective date
    assert plans_of(world["person"]) == []
    assert nightly_run(TODAY).assignments_created == 0
    assert nightly_run(effective - dt.timedelta(days=1)).assignments_created == 0
    assert plans_of(world["person"]) == []

    # the run on the effective date gives the plan, due 30 days on, written by the job
    first = nightly_run(effective)
    assignment = PlanAssignment.objects.get(staff=world["person"])
    assert first.assignments_created == 1
    assert assignment.plan == world["plan"]
    assert assignment.due_on == effective + dt.timedelta(days=30)
    entry = AuditEntry.objects.get(
        object_type="training.planassignment", object_id=str(assignment.pk)
    )
    assert entry.source == AuditSource.JOB
    # and a run a few days later (the window still covers the date) gives nothing twice
    assert nightly_run(effective + dt.timedelta(days=3)).assignments_created == 0
    assert Staff.objects.get(pk=world["person"].pk).level == world["p3"]


def test_a_rules_run_limited_to_some_people_leaves_the_others_events_alone(world, org_tree):
    other = StaffFactory(unit=org_tree.t3, level=world["p2"], hire_date=dt.date(2023, 1, 1))
    for person in (world["person"], other):
        org_services.staff_reassign(
            actor=world["hr"],
            staff=person,
            effective_date=TODAY,
            reason="promotion",
            level=world["p3"],
        )

    result = training.plan_rules_run(actor=None, today=TODAY, staff_ids=[other.pk])

    assert (result.events, result.assignments_created) == (1, 1)
    assert plans_of(other) == ["高级运营必修"]
    assert plans_of(world["person"]) == []
