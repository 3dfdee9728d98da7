"""The ``training_assign`` command and the nightly task."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory
from opsteam.training.models import AssignmentRule, PlanAssignment
from opsteam.training.tasks import plan_rules_run_task
from opsteam.training.tests.factories import PlanCourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hire_rule(org_tree):
    plan = PlanCourseFactory().plan
    AssignmentRule.objects.create(plan=plan, trigger="hire")
    return StaffFactory(unit=org_tree.t1, hire_date=timezone.localdate())


def test_command_assigns_and_prints_a_summary(hire_rule):
    out = io.StringIO()

    call_command("training_assign", "--days", "3", stdout=out)
    call_command("training_assign", "--days", "3", stdout=out)

    assert PlanAssignment.objects.get().staff == hire_rule
    assert "Plans assigned" in out.getvalue()
    assert AuditEntry.objects.get(object_type="training.planassignment").source == "cli"


def test_command_refuses_a_user_who_may_not_run_rules(hire_rule, user_as):
    user_as("manager", username="boss")

    with pytest.raises(CommandError):
        call_command("training_assign", "--user", "boss", stdout=io.StringIO())
    assert not PlanAssignment.objects.exists()


def test_nightly_task_is_idempotent(hire_rule):
    first = plan_rules_run_task.delay(lookback_days=2).get()
    second = plan_rules_run_task.delay(lookback_days=2).get()

    assert (first["assignments_created"], second["assignments_created"]) == (1, 0)
    assert AuditEntry.objects.get(object_type="training.planassignment").source == "job"
