"""Improvement actions: who may create and change them, what a change needs, the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from opsteam.core.exceptions import NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import ProcessFactory, StaffFactory
from opsteam.workflow import services_actions as services
from opsteam.workflow.choices import ActionStatus
from opsteam.workflow.models import ImprovementAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(org_tree):
    return ProcessFactory(owner_unit=org_tree.t1)


def test_manager_creates_action_for_own_unit_with_evidence_and_audit(user_as, process, org_tree):
    manager = user_as("manager")
    owner = StaffFactory(unit=org_tree.t1)

    action = services.improvement_action_create(
        actor=manager,
        process=process,
        title="  上架权限开放  ",
        bottleneck_key="handoff:审核→上架",
        evidence={"total_wait": 3600.0, "evidence": [{"kind": "median"}] * 30},
        owner=owner,
        due_date=dt.date(2026, 1, 31),
    )

    assert action.title == "上架权限开放"
    assert action.status == ActionStatus.PLAN
    assert action.created_by == manager
    assert action.evidence["total_wait"] == 3600.0
    assert len(action.evidence["evidence"]) == services.MAX_EVIDENCE_ITEMS
    entry = AuditEntry.objects.get(object_type="workflow.improvementaction")
    assert entry.action == "create"
    assert entry.actor == manager


def test_manager_of_another_unit_cannot_create_and_nothing_is_written(user_as, org_tree):
    manager = user_as("manager")
    other = ProcessFactory(owner_unit=org_tree.t3)

    with pytest.raises(NotVisible):
        services.improvement_action_create(actor=manager, process=other, title="x")

    assert not ImprovementAction.objects.exists()


def test_auditor_reads_but_cannot_create(user_as, process):
    with pytest.raises(PolicyDenied):
        services.improvement_action_create(actor=user_as("auditor"), process=process, title="x")


def test_empty_title_is_refused_naming_the_field(user_as, process):
    with pytest.raises(ValidationFailed) as error:
        services.improvement_action_create(actor=user_as("hr"), process=process, title=" ")
    assert error.value.field == "title"


def test_owner_the_actor_cannot_see_is_refused(user_as, process, org_tree):
    manager = user_as("manager")
    stranger = StaffFactory(unit=org_tree.t3)

    with pytest.raises(ValidationFailed) as error:
        services.improvement_action_create(
            actor=manager, process=process, title="x", owner=stranger
        )
    assert error.value.field == "owner"


def test_checking_needs_effective_date_and_closing_needs_result(user_as, process):
    hr = user_as("hr")
    action = services.improvement_action_create(actor=hr, process=process, title="x")

    with pytest.raises(ValidationFailed) as no_date:
        services.improvement_action_update(actor=hr, action=action, status=ActionStatus.CHECK)
    with pytest.raises(ValidationFailed) as no_result:
        services.improvement_action_update(
            actor=hr, action=action, status=ActionStatus.DONE, effective_date=dt.date(2026, 1, 1)
        )
    closed = services.improvement_action_update(
        actor=hr,
        action=action,
        status=ActionStatus.DONE,
        effective_date=dt.date(2026, 1, 1),
        result_note="等待时间从 26 小时降到 5 小时",
    )

    assert no_date.value.field == "effective_date"
    assert no_result.value.field == "result_note"
    assert closed.status == ActionStatus.DONE
    action.refresh_from_db()
    assert action.result_note.startswith("等待")
    update = AuditEntry.objects.get(object_type="workflow.improvementaction", action="update")
    assert set(update.changed_fields) == {"status", "effective_date", "result_note"}


def test_operator_owner_reports_progress_but_cannot_reassign(user_as, process, org_tree):
    hr = user_as("hr")
    operator = user_as("operator")
    action = services.improvement_action_create(
        actor=hr, process=process, title="x", owner=operator.staff
    )

    services.improvement_action_update(actor=operator, action=action, status=ActionStatus.DO)
    with pytest.raises(PolicyDenied):
        services.improvement_action_update(actor=operator, action=action, title="改名")

    action.refresh_from_db()
    assert action.status == ActionStatus.DO
    assert action.title == "x"


def test_operator_cannot_touch_an_action_they_do_not_own(user_as, process):
    action = services.improvement_action_create(actor=user_as("hr"), process=process, title="x")

    with pytest.raises(NotVisible):
        services.improvement_action_update(
            actor=user_as("operator"), action=action, status=ActionStatus.DO
        )


def test_unknown_fields_are_refused(user_as, process):
    hr = user_as("hr")
    action = services.improvement_action_create(actor=hr, process=process, title="x")

    with pytest.raises(ValidationFailed) as error:
        services.improvement_action_update(actor=hr, action=action, process=None)
    assert error.value.field == "process"


def test_update_that_changes_nothing_writes_no_audit_entry(user_as, process):
    hr = user_as("hr")
    action = services.improvement_action_create(actor=hr, process=process, title="x")

    services.improvement_action_update(actor=hr, action=action, title="x")

    assert not AuditEntry.objects.filter(action="update").exists()
