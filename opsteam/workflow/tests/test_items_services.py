"""Work-item services: create, move along transitions (and jumps), close and reopen with
their events in the log, assign, edit, comments, attachments, links; and the policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory
from opsteam.workflow import selectors_items, services_items
from opsteam.workflow.choices import ItemStatus, MapStatus, SourceKind, Trigger
from opsteam.workflow.models import EventSource, ProcessEvent, WorkItem, WorkItemLink
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory
from opsteam.workflow.tests.factories_items import make_flow

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def flow(org_tree):
    return make_flow(owner_unit=org_tree.d1, code="AS")


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the services' ``timezone.now``."""

    class Clock:
        now = T0

        def at(self, moment: dt.datetime) -> None:
            self.now = moment

    clock = Clock()
    monkeypatch.setattr(services_items.timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def rules(monkeypatch):
    """Record the automation calls instead of running rules."""
    calls = []
    monkeypatch.setattr(
        services_items.automation,
        "run_event_rules",
        lambda *, item, trigger, actor=None: calls.append((item.pk, trigger)) or [],
    )
    return calls


def _create(actor, flow, **kwargs):
    return services_items.item_create(
        actor=actor, process=flow.process, title=kwargs.pop("title", "退款申请"), **kwargs
    )


def test_create_starts_in_the_first_step_with_a_process_reference(user_as, flow, clock, rules):
    manager = user_as("manager")
    assignee = StaffFactory(unit=manager.staff.unit)

    first = _create(manager, flow, assignee=assignee, priority="high")
    second = _create(manager, flow)

    assert first.reference == "AS-1"
    assert second.reference == "AS-2"
    assert first.step == flow.intake
    assert first.step_started_at == T0
    assert first.status == ItemStatus.OPEN
    assert first.unit == assignee.unit
    assert second.unit == manager.staff.unit  # no assignee: the actor's team
    assert first.reporter == manager
    assert AuditEntry.objects.filter(
        object_type="workflow.workitem", object_id=str(first.pk), action="create"
    ).exists()
    assert rules == [(first.pk, Trigger.ITEM_CREATED), (second.pk, Trigger.ITEM_CREATED)]


def test_create_continues_after_the_highest_reference_used(user_as, flow):
    hr = user_as("hr")
    _create(hr, flow)
    WorkItem.objects.filter(reference="AS-1").update(reference="AS-7")

    assert _create(hr, flow).reference == "AS-8"


def test_create_needs_a_published_map_and_a_step_of_it(user_as, flow):
    hr = user_as("hr")
    draft_only = make_flow(code="DRAFT")
    draft_only.map.status = MapStatus.DRAFT
    draft_only.map.save()
    other_step = StepFactory(map=ProcessMapFactory(status=MapStatus.DRAFT, version=2))

    with pytest.raises(ValidationFailed) as no_map:
        _create(hr, draft_only)
    with pytest.raises(ValidationFailed) as wrong_step:
        _create(hr, flow, step=other_step)

    assert no_map.value.field == "process"
    assert wrong_step.value.field == "step"
    assert not WorkItem.objects.exists()


def test_operator_may_raise_an_item_but_not_for_someone_they_cannot_see(user_as, org_tree, flow):
    operator = user_as("operator")
    colleague = StaffFactory(unit=org_tree.t1)

    own = _create(operator, flow, assignee=operator.staff)
    with pytest.raises(NotVisible):
        _create(operator, flow, assignee=colleague)

    assert own.assignee == operator.staff
    assert WorkItem.objects.count() == 1


def test_auditor_cannot_raise_items(user_as, flow):
    with pytest.raises(PolicyDenied):
        _create(user_as("auditor"), flow)


def test_each_move_writes_the_visit_it_ends_with_its_times(user_as, flow, clock, rules):
    # given an item assigned to a team member, raised at T0
    manager = user_as("manager")
    worker = StaffFactory(unit=manager.staff.unit, employee_no="W001")
    item = _create(manager, flow, assignee=worker)

    # when it moves to "handle" 30 minutes later and to "review" 2 hours after that
    clock.at(T0 + dt.timedelta(minutes=30))
    services_items.item_move(actor=manager, item=item, to_step=flow.handle)
    clock.at(T0 + dt.timedelta(minutes=150))
    item = services_items.item_move(actor=manager, item=item, to_step=flow.review)

    # then the log holds one row per step visit, start to end, by the assignee
    events = list(ProcessEvent.objects.order_by("completed_at"))
    assert [(e.step, e.started_at, e.completed_at) for e in events] == [
        (flow.intake, T0, T0 + dt.timedelta(minutes=30)),
        (flow.handle, T0 + dt.timedelta(minutes=30), T0 + dt.timedelta(minutes=150)),
    ]
    first = events[0]
    assert first.case_id == item.reference
    assert first.step_name == "受理"
    assert first.staff == worker
    assert first.resource == "W001"
    assert first.process == flow.process
    assert first.work_item == item
    assert first.source.kind == SourceKind.WORK_ITEMS
    assert EventSource.objects.filter(process=flow.process).count() == 1
    assert item.step == flow.review
    assert item.step_started_at == T0 + dt.timedelta(minutes=150)
    assert rules[1:] == [(item.pk, Trigger.ITEM_MOVED), (item.pk, Trigger.ITEM_MOVED)]


def test_operator_moves_only_along_a_transition(user_as, flow):
    operator = user_as("operator")
    item = _create(operator, flow, assignee=operator.staff)

    with pytest.raises(InvalidTransition):
        services_items.item_move(actor=operator, item=item, to_step=flow.review)
    moved = services_items.item_move(actor=operator, item=item, to_step=flow.handle)

    assert moved.step == flow.handle
    assert ProcessEvent.objects.count() == 1


@pytest.mark.parametrize("_case", ["manager", "hr", "admin"])
def test_managers_and_hr_may_jump_to_any_step(user_as, flow, _case):
    actor = user_as(_case)
    item = _create(actor, flow, assignee=StaffFactory(unit=actor.staff.unit))

    moved = services_items.item_move(actor=actor, item=item, to_step=flow.close)

    assert moved.step == flow.close


def test_manager_of_another_team_may_not_jump(user_as, org_tree, flow):
    # a manager of T2 raised an item for T1 (they see it as its reporter)
    manager = user_as("manager", unit=org_tree.t2)
    item = _create(manager, flow, unit=org_tree.t1)

    assert selectors_items.may_jump(manager, item) is False
    with pytest.raises(InvalidTransition):
        services_items.item_move(actor=manager, item=item, to_step=flow.close)


def test_move_refuses_a_step_of_another_map_and_the_current_step(user_as, flow):
    hr = user_as("hr")
    item = _create(hr, flow)
    foreign = StepFactory()

    with pytest.raises(ValidationFailed):
        services_items.item_move(actor=hr, item=item, to_step=foreign)
    with pytest.raises(ValidationFailed):
        services_items.item_move(actor=hr, item=item, to_step=flow.intake)
    assert not ProcessEvent.objects.exists()


def test_operator_cannot_move_someone_elses_item(user_as, org_tree, flow):
    hr = user_as("hr")
    operator = user_as("operator")
    item = _create(hr, flow, assignee=StaffFactory(unit=org_tree.t1))

    with pytest.raises(NotVisible):
        services_items.item_move(actor=operator, item=item, to_step=flow.handle)
    item.refresh_from_db()
    assert item.step == flow.intake


def test_auditor_who_raised_an_item_may_comment_but_not_move_it(user_as, flow):
    hr = user_as("hr")
    auditor = user_as("auditor")
    item = _create(hr, flow)
    WorkItem.objects.filter(pk=item.pk).update(reporter=auditor)

    services_items.item_comment(actor=auditor, item=item, body="请尽快处理")
    with pytest.raises(PolicyDenied):
        services_items.item_move(actor=auditor, item=item, to_step=flow.handle)


def test_manager_cannot_see_another_teams_items(user_as, org_tree, flow):
    hr = user_as("hr")
    manager = user_as("manager")  # manages T1
    own_team = _create(hr, flow, unit=org_tree.t1)
    sibling = _create(hr, flow, unit=org_tree.t2)
    other = _create(hr, flow, unit=org_tree.t3)

    visible = set(selectors_items.item_list(user=manager))

    assert visible == {own_team}
    with pytest.raises(NotVisible):
        selectors_items.item_get(user=manager, pk=other.pk)
    with pytest.raises(NotVisible):
        services_items.item_move(actor=manager, item=sibling, to_step=flow.handle)


def test_closing_ends_the_visit_and_reopening_starts_a_new_one(user_as, flow, clock, rules):
    hr = user_as("hr")
    item = _create(hr, flow)

    clock.at(T0 + dt.timedelta(hours=1))
    services_items.item_set_status(actor=hr, item=item, status=ItemStatus.DONE)
    closed_at = WorkItem.objects.get().closed_at
    clock.at(T0 + dt.timedelta(hours=3))
    reopened = services_items.item_set_status(actor=hr, item=item, status=ItemStatus.IN_PROGRESS)

    assert closed_at == T0 + dt.timedelta(hours=1)
    event = ProcessEvent.objects.get()
    assert (event.step, event.started_at, event.completed_at) == (
        flow.intake,
        T0,
        T0 + dt.timedelta(hours=1),
    )
    assert event.attributes == {"via": "done"}
    assert reopened.closed_at is None
    assert reopened.step_started_at == T0 + dt.timedelta(hours=3)
    assert rules[1:] == [(item.pk, Trigger.STATUS_CHANGED)] * 2


def test_a_closed_item_does_not_move(user_as, flow):
    hr = user_as("hr")
    item = _create(hr, flow)
    services_items.item_set_status(actor=hr, item=item, status=ItemStatus.CANCELLED)

    with pytest.raises(InvalidTransition):
        services_items.item_move(actor=hr, item=item, to_step=flow.handle)
    assert selectors_items.allowed_steps(user=hr, item=item) == []


def test_status_between_open_states_writes_no_event(user_as, flow):
    hr = user_as("hr")
    item = _create(hr, flow)

    services_items.item_set_status(actor=hr, item=item, status=ItemStatus.BLOCKED)

    assert not ProcessEvent.objects.exists()
    with pytest.raises(ValidationFailed):
        services_items.item_set_status(actor=hr, item=item, status=ItemStatus.BLOCKED)


def test_update_changes_only_the_explicit_fields(user_as, flow):
    operator = user_as("operator")
    item = _create(operator, flow, assignee=operator.staff)

    updated = services_items.item_update(
        actor=operator, item=item, title="新标题", priority="urgent", due_date=dt.date(2026, 4, 1)
    )
    with pytest.raises(ValidationFailed) as refused:
        services_items.item_update(actor=operator, item=item, status="done")

    assert (updated.title, updated.priority) == ("新标题", "urgent")
    assert refused.value.field == "status"
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    entry = AuditEntry.objects.filter(object_type="workflow.workitem", action="update").get()
    assert set(entry.changed_fields) == {"title", "priority", "due_date"}


def test_assign_needs_a_person_the_actor_can_see(user_as, org_tree, flow):
    manager = user_as("manager")
    item = _create(manager, flow, unit=org_tree.t1)
    team_member = StaffFactory(unit=org_tree.t1)
    outsider = StaffFactory(unit=org_tree.t3)

    services_items.item_assign(actor=manager, item=item, assignee=team_member)
    with pytest.raises(NotVisible):
        services_items.item_assign(actor=manager, item=item, assignee=outsider)

    item.refresh_from_db()
    assert item.assignee == team_member


def test_attachments_follow_the_allow_list(user_as, flow, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    operator = user_as("operator")
    item = _create(operator, flow, assignee=operator.staff)

    attachment = services_items.item_attach(
        actor=operator, item=item, file=SimpleUploadedFile("发票.pdf", b"%PDF-1.4 x")
    )
    with pytest.raises(ValidationFailed) as refused:
        services_items.item_attach(
            actor=operator, item=item, file=SimpleUploadedFile("run.exe", b"MZ")
        )

    assert (attachment.name, attachment.size) == ("发票.pdf", 10)
    assert refused.value.field == "file"
    assert item.attachments.count() == 1


def test_link_and_unlink(user_as, flow):
    hr = user_as("hr")
    first, second = _create(hr, flow), _create(hr, flow)

    link = services_items.item_link(actor=hr, item=first, target=second, kind="blocks")
    with pytest.raises(ValidationFailed):
        services_items.item_link(actor=hr, item=first, target=second, kind="blocks")
    with pytest.raises(ValidationFailed):
        services_items.item_link(actor=hr, item=first, target=first)
    services_items.item_unlink(actor=hr, link=link)

    assert not WorkItemLink.objects.exists()
    assert AuditEntry.objects.filter(object_type="workflow.workitemlink").count() == 2


def test_operator_cannot_link_to_an_item_they_cannot_see(user_as, org_tree, flow):
    hr = user_as("hr")
    operator = user_as("operator")
    own = _create(operator, flow, assignee=operator.staff)
    hidden = _create(hr, flow, unit=org_tree.t3)

    with pytest.raises(NotVisible):
        services_items.item_link(actor=operator, item=own, target=hidden)


def test_system_moves_anywhere_without_running_rules_again(user_as, flow, rules):
    item = _create(user_as("hr"), flow)

    services_items.item_move(actor=None, item=item, to_step=flow.close, run_rules=False)

    assert rules == [(item.pk, Trigger.ITEM_CREATED)]


def test_board_groups_open_items_by_step_and_flags_over_target(user_as, flow, clock):
    manager = user_as("manager")
    item = _create(manager, flow)
    late = _create(manager, flow)
    services_items.item_move(actor=manager, item=late, to_step=flow.handle)
    WorkItem.objects.filter(pk=late.pk).update(
        step_started_at=timezone.now() - dt.timedelta(hours=3)
    )
    closed = _create(manager, flow)
    services_items.item_set_status(actor=manager, item=closed, status="done")
    operator = user_as("operator")

    board = selectors_items.board(
        user=manager, process=flow.process, items=WorkItem.objects.restrict(manager)
    )
    operator_board = selectors_items.board(
        user=operator, process=flow.process, items=WorkItem.objects.restrict(operator)
    )

    columns = {column.step.code: column for column in board.columns}
    assert [card.item for card in columns["intake"].cards] == [item]
    assert columns["handle"].over_target == 1
    assert columns["handle"].cards[0].over_target is True
    assert board.total == 2
    # the team's manager may jump: every other step is offered
    assert {s.code for s in columns["intake"].cards[0].targets} == {"handle", "review", "close"}
    assert operator_board.total == 0


def test_my_work_groups_by_due_date(user_as, flow):
    operator = user_as("operator")
    hr = user_as("hr")
    today = timezone.localdate()
    dues = {
        "overdue": today - dt.timedelta(days=1),
        "today": today,
        "later": today + dt.timedelta(days=30),
    }
    made = {
        key: _create(hr, flow, assignee=operator.staff, due_date=due) for key, due in dues.items()
    }
    raised = _create(operator, flow)

    work = selectors_items.my_work(user=operator, today=today)

    assert work.overdue == [made["overdue"]]
    assert work.today == [made["today"]]
    assert made["later"] in work.later
    assert work.raised == [raised]


def test_workload_counts_per_person_within_the_managers_subtree(user_as, org_tree, flow):
    hr = user_as("hr")
    manager = user_as("manager")
    worker = StaffFactory(unit=org_tree.t1)
    outsider = StaffFactory(unit=org_tree.t3)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _create(hr, flow, assignee=worker, priority="urgent", due_date=yesterday)
    _create(hr, flow, assignee=worker)
    _create(hr, flow, assignee=outsider)

    load = selectors_items.workload(user=manager)
    everyone = selectors_items.workload(user=hr)

    [row] = load.rows
    assert (row.staff, row.open, row.overdue) == (worker, 2, 1)
    assert row.priority_counts == [1, 0, 1, 0]
    assert load.heatmap["series"][0]["data"] == [[0, 0, 2]]
    assert {r.staff for r in everyone.rows} == {worker, outsider}
    team = selectors_items.workload(user=manager, unit=org_tree.t1)
    assert manager.staff in {r.staff for r in team.rows}  # listed with nothing to do
