"""1:1s and improvement plans through the services and selectors: privacy, visibility,
state machine refusals, action-item lifecycle and the audit of every write."""

from __future__ import annotations

import datetime as dt

import pytest

from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import StaffFactory
from opsteam.performance import selectors_coaching as selectors
from opsteam.performance import services_coaching as services
from opsteam.performance.choices import PlanOutcome, PlanState
from opsteam.performance.models_coaching import (
    ActionItem,
    ImprovementPlan,
    OneOnOne,
    OneOnOneMeeting,
    PrivateNote,
)

MARCH = dt.date(2026, 3, 2)


@pytest.fixture
def people(org_tree, user_as):
    """A manager of T1 with a report in T1, a peer of the report, a manager of T2, HR,
    an administrator and an auditor (all with staff records)."""
    manager = user_as("manager", unit=org_tree.t1, username="lead")
    report = user_as("operator", unit=org_tree.t1, username="report", manager=manager.staff)
    return {
        "manager": manager,
        "report": report,
        "peer": user_as("operator", unit=org_tree.t1, username="peer", manager=manager.staff),
        "other_manager": user_as("manager", unit=org_tree.t2, username="lead2"),
        "hr": user_as("hr", unit=org_tree.d1, username="hr"),
        "admin": user_as("admin", unit=org_tree.company, username="admin"),
        "auditor": user_as("auditor", unit=org_tree.d2, username="auditor"),
    }


@pytest.fixture
def meeting(people):
    series = services.one_on_one_create(
        actor=people["manager"], report=people["report"].staff, cadence="weekly"
    )
    return services.meeting_create(actor=people["manager"], series=series, date=MARCH)


def test_manager_starts_a_1_1_with_their_report_and_it_is_audited(people):
    series = services.one_on_one_create(actor=people["manager"], report=people["report"].staff)

    assert series.manager == people["manager"].staff
    assert AuditEntry.objects.filter(
        object_type="performance.oneonone", object_id=str(series.pk), action="create"
    ).exists()


def test_manager_cannot_start_a_1_1_outside_their_teams(people, org_tree):
    stranger = StaffFactory(unit=org_tree.t3)

    with pytest.raises(ValidationFailed):
        services.one_on_one_create(actor=people["manager"], report=stranger, manager=stranger)
    with pytest.raises(PolicyDenied):
        services.one_on_one_create(actor=people["report"], report=people["peer"].staff)


def test_meeting_moves_the_next_date_one_cadence_on(meeting):
    meeting.series.refresh_from_db()

    assert meeting.series.next_date == MARCH + dt.timedelta(days=7)


def test_private_note_is_readable_by_its_author_only(people, meeting):
    # given each side writes a private note
    services.private_note_save(actor=people["manager"], meeting=meeting, body="担心他的状态")
    services.private_note_save(actor=people["report"], meeting=meeting, body="想换项目")

    # when each person reads the meeting
    def note(user):
        found = selectors.private_note_for(user=user, meeting=meeting)
        return found.body if found else None

    # then each sees only their own, and HR, administrators and auditors see none
    assert note(people["manager"]) == "担心他的状态"
    assert note(people["report"]) == "想换项目"
    for role in ("hr", "admin", "auditor", "peer", "other_manager"):
        assert note(people[role]) is None, role
    assert PrivateNote.objects.restrict(people["admin"], "view").count() == 0


def test_audit_trail_keeps_no_private_text(people, meeting):
    note = services.private_note_save(actor=people["report"], meeting=meeting, body="想换项目")
    services.private_note_save(actor=people["report"], meeting=meeting, body="想换到内容组")

    entries = AuditEntry.objects.filter(object_type="performance.privatenote", object_id=note.pk)

    assert entries.count() == 2
    for entry in entries:
        text = f"{entry.before} {entry.after} {entry.object_repr}"
        assert "想换" not in text
        assert entry.after["body"].startswith("encrypted:")


def test_nobody_else_can_write_into_a_1_1(people, meeting):
    with pytest.raises(PolicyDenied):
        services.private_note_save(actor=people["hr"], meeting=meeting, body="x")
    with pytest.raises(PolicyDenied):
        services.agenda_item_add(actor=people["admin"], meeting=meeting, text="x")
    with pytest.raises(NotVisible):
        services.agenda_item_add(actor=people["peer"], meeting=meeting, text="x")
    with pytest.raises(NotVisible):
        services.meeting_update_notes(
            actor=people["other_manager"], meeting=meeting, shared_notes=""
        )


def test_either_side_adds_to_the_shared_agenda(people, meeting):
    services.agenda_item_add(actor=people["report"], meeting=meeting, text="晋升路径")
    services.agenda_item_add(actor=people["manager"], meeting=meeting, text="大促复盘")

    detail = selectors.meeting_detail(user=people["hr"], meeting=meeting)

    assert [item.text for item in detail["agenda"]] == ["晋升路径", "大促复盘"]
    assert detail["private_note"] is None
    assert detail["side"] is None


def test_1_1s_are_visible_to_both_sides_their_managers_and_hr_only(people, meeting):
    def visible(role):
        return OneOnOneMeeting.objects.restrict(people[role], "view").filter(pk=meeting.pk).exists()

    assert {role: visible(role) for role in people} == {
        "manager": True,
        "report": True,
        "peer": False,
        "other_manager": False,
        "hr": True,
        "admin": True,
        "auditor": False,
    }


def test_action_item_lifecycle(people, meeting):
    # given an action the report owns
    item = services.action_item_add(
        actor=people["manager"],
        meeting=meeting,
        text="整理差评原因",
        owner=people["report"].staff,
        due_date=MARCH + dt.timedelta(days=5),
    )
    assert list(selectors.my_open_action_items(user=people["report"])) == [item]
    assert list(selectors.my_open_action_items(user=people["manager"])) == []

    # when it is done, a done item cannot be cancelled, and reopening brings it back
    services.action_item_set_status(actor=people["report"], item=item, status="done")
    assert list(selectors.my_open_action_items(user=people["report"])) == []
    with pytest.raises(InvalidTransition, match="reopen it first"):
        services.action_item_set_status(actor=people["report"], item=item, status="cancelled")
    services.action_item_set_status(actor=people["manager"], item=item, status="open")
    item.refresh_from_db()

    # then the item is open again without a closing time, and every change is audited
    assert item.status == "open"
    assert item.closed_at is None
    assert (
        AuditEntry.objects.filter(object_type="performance.actionitem", object_id=item.pk).count()
        == 3
    )


def test_action_owner_must_be_one_of_the_two(people, meeting):
    with pytest.raises(ValidationFailed) as caught:
        services.action_item_add(
            actor=people["manager"], meeting=meeting, text="x", owner=people["peer"].staff
        )

    assert caught.value.field == "owner"
    assert not ActionItem.objects.exists()


def test_home_lists_my_1_1s_from_both_sides(people, meeting):
    assert selectors.coaching_home(user=people["report"])["my_one_on_ones"] == [meeting.series]
    assert selectors.coaching_home(user=people["manager"])["my_one_on_ones"] == [meeting.series]
    assert selectors.coaching_home(user=people["peer"])["my_one_on_ones"] == []


# Improvement plans


def _plan(people, **overrides):
    fields = {
        "actor": people["manager"],
        "staff": people["report"].staff,
        "start_date": MARCH,
        "end_date": MARCH + dt.timedelta(days=60),
        "summary": "一起把订单差错率降下来",
        "support_training": "订单审核培训",
        "mentor": people["peer"].staff,
        "goals": [{"description": "差错率", "measure": "月差错率低于1%"}],
        "check_in_dates": [MARCH + dt.timedelta(days=14), MARCH + dt.timedelta(days=28)],
    }
    return services.plan_create(**{**fields, **overrides})


def test_plan_is_visible_to_the_person_managers_and_hr_only(people):
    plan = _plan(people)

    def visible(role):
        return ImprovementPlan.objects.restrict(people[role], "view").filter(pk=plan.pk).exists()

    assert {role: visible(role) for role in people} == {
        "manager": True,
        "report": True,
        "peer": False,  # a peer, even the plan's mentor, does not see it
        "other_manager": False,
        "hr": True,
        "admin": True,
        "auditor": False,
    }


def test_plan_runs_draft_active_closed_and_refuses_other_orders(people):
    plan = _plan(people)
    manager = people["manager"]

    with pytest.raises(InvalidTransition, match="cannot become closed directly"):
        services.plan_close(actor=manager, plan=plan, outcome="successful", comment="好")
    plan = services.plan_activate(actor=manager, plan=plan)
    with pytest.raises(InvalidTransition, match="already active"):
        services.plan_activate(actor=manager, plan=plan)
    plan = services.plan_close(
        actor=manager, plan=plan, outcome="successful", comment="进步很大", outcome_date=MARCH
    )
    with pytest.raises(InvalidTransition, match="closed"):
        services.plan_activate(actor=manager, plan=plan)
    with pytest.raises(InvalidTransition, match="closed"):
        services.plan_goal_add(actor=manager, plan=plan, description="x", measure="y")

    assert plan.state == PlanState.CLOSED
    assert plan.outcome == PlanOutcome.SUCCESSFUL


def test_plan_does_not_start_without_goals_and_check_ins(people):
    plan = _plan(people, goals=[], check_in_dates=[])

    with pytest.raises(InvalidTransition) as caught:
        services.plan_activate(actor=people["manager"], plan=plan)

    assert "at least one measurable goal" in caught.value.message
    assert "at least one check-in" in caught.value.message
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_extension_closes_the_plan_and_continues_it_with_open_goals(people):
    manager = people["manager"]
    plan = services.plan_activate(actor=manager, plan=_plan(people))
    services.plan_goal_add(actor=manager, plan=plan, description="响应时长", measure="<2小时")
    first = plan.goals.first()
    services.plan_goal_set_status(actor=manager, goal=first, status="met")

    with pytest.raises(ValidationFailed) as caught:
        services.plan_close(actor=manager, plan=plan, outcome="extended", comment="再给一个月")
    assert caught.value.field == "new_end_date"
    services.plan_close(
        actor=manager,
        plan=plan,
        outcome="extended",
        comment="再给一个月",
        outcome_date=plan.end_date,
        new_end_date=plan.end_date + dt.timedelta(days=30),
    )

    follow_up = ImprovementPlan.objects.get(continues=plan)
    assert follow_up.state == PlanState.ACTIVE
    assert [goal.description for goal in follow_up.goals.all()] == ["响应时长"]
    assert follow_up.mentor == people["peer"].staff


def test_nobody_manages_their_own_plan(people, org_tree):
    # the person on the plan is a manager: their subtree includes themself
    boss = people["other_manager"]
    plan = services.plan_create(
        actor=people["hr"],
        staff=people["manager"].staff,
        manager=boss.staff,
        start_date=MARCH,
        end_date=MARCH + dt.timedelta(days=30),
        goals=[{"description": "团队周会", "measure": "每周一次"}],
        check_in_dates=[MARCH + dt.timedelta(days=7)],
    )

    with pytest.raises(PolicyDenied):
        services.plan_activate(actor=people["manager"], plan=plan)
    services.plan_activate(actor=boss, plan=plan)  # the plan's named manager may


def test_operators_and_other_managers_cannot_create_or_touch_plans(people, org_tree):
    plan = _plan(people)

    with pytest.raises(PolicyDenied):
        _plan(people, actor=people["peer"])
    with pytest.raises(PolicyDenied):
        services.plan_activate(actor=people["report"], plan=plan)
    with pytest.raises(NotVisible):
        services.plan_activate(actor=people["other_manager"], plan=plan)
    with pytest.raises(NotVisible):
        _plan(people, actor=people["other_manager"])


def test_plan_checks_dates_and_goal_measures(people):
    with pytest.raises(ValidationFailed) as dates:
        _plan(people, end_date=MARCH)
    with pytest.raises(ValidationFailed) as measure:
        _plan(people, goals=[{"description": "更好", "measure": " "}])

    assert dates.value.field == "end_date"
    assert measure.value.field == "measure"
    assert not ImprovementPlan.objects.exists()


def test_plan_text_is_not_in_the_audit_trail(people):
    plan = _plan(people)

    entry = AuditEntry.objects.get(object_type="performance.improvementplan", object_id=plan.pk)

    assert "差错率" not in str(entry.after)
    assert entry.after["summary"].startswith("encrypted:")
    assert entry.after["state"] == "draft"


def test_one_active_1_1_per_pair(people):
    services.one_on_one_create(actor=people["manager"], report=people["report"].staff)

    with pytest.raises(ValidationFailed, match="already have an active 1:1"):
        services.one_on_one_create(actor=people["hr"], report=people["report"].staff)

    assert OneOnOne.objects.count() == 1


def test_personal_data_export_keeps_private_notes_and_plans_to_their_people(people, meeting):
    # given the report's private note and a plan on which the peer is the mentor
    import io
    import zipfile

    from opsteam.org.personal_data import personal_data_export

    services.private_note_save(actor=people["report"], meeting=meeting, body="想换到内容组")
    _plan(people)

    def export(actor, staff):
        archive = zipfile.ZipFile(io.BytesIO(personal_data_export(actor=actor, staff=staff)))
        return archive.read("data.json").decode()

    # then the person's own export has their note; one HR makes for them does not
    assert "想换到内容组" in export(people["report"], people["report"].staff)
    assert "想换到内容组" not in export(people["hr"], people["report"].staff)
    # and the mentor's export does not carry the plan they only support
    assert "订单审核培训" not in export(people["peer"], people["peer"].staff)
    assert "订单审核培训" in export(people["hr"], people["report"].staff)


def test_one_open_plan_per_person(people):
    _plan(people)

    with pytest.raises(ValidationFailed, match="already has an open improvement plan") as caught:
        _plan(people, actor=people["hr"])

    assert caught.value.field == "staff"
    assert ImprovementPlan.objects.count() == 1


def test_an_ended_1_1_records_no_meetings_until_it_is_active_again(people, meeting):
    series = services.one_on_one_update(
        actor=people["report"], series=meeting.series, is_active=False
    )
    replacement = services.one_on_one_create(actor=people["hr"], report=people["report"].staff)

    with pytest.raises(ValidationFailed, match="has ended"):
        services.meeting_create(actor=people["manager"], series=series, date=MARCH)
    with pytest.raises(ValidationFailed, match="already have an active 1:1"):
        services.one_on_one_update(actor=people["manager"], series=series, is_active=True)

    assert replacement.is_active
