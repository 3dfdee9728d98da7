"""Every write to 1:1s and improvement plans: one transaction each, permission-checked, audited.

Errors raised: ``NotVisible`` (the row is outside the actor's view: answered 404),
``PolicyDenied`` (visible, not allowed: 403), ``InvalidTransition`` (the state machine refuses:
409 in the API) and ``ValidationFailed`` (bad input, with the field: 400).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.models import Staff
from opsteam.performance import coaching_states as states
from opsteam.performance.choices import (
    ActionItemStatus,
    OneOnOneCadence,
    OneOnOneSide,
    PlanGoalStatus,
    PlanOutcome,
    PlanState,
)
from opsteam.performance.models import ReviewCycle
from opsteam.performance.models_coaching import (
    ActionItem,
    AgendaItem,
    ImprovementPlan,
    OneOnOne,
    OneOnOneMeeting,
    PlanCheckIn,
    PlanGoal,
    PrivateNote,
)

CADENCE_DAYS = {
    OneOnOneCadence.WEEKLY: 7,
    OneOnOneCadence.BIWEEKLY: 14,
    OneOnOneCadence.MONTHLY: 28,
}


def _full_clean(obj: Any, exclude: tuple[str, ...] = ()) -> None:
    full_clean(obj, exclude=exclude, validate_constraints=False)


def _actor_staff(actor: Any) -> Staff:
    """Return the actor's staff record; 1:1 content is always written as a person."""
    staff = Staff.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if staff is None:
        raise PolicyDenied(_("Only people with a staff record take part in 1:1s."))
    return staff


def _require_visible_staff(actor: Any, staff: Staff, field: str) -> None:
    if not Staff.objects.restrict(actor, "view").filter(pk=staff.pk).exists():
        raise ValidationFailed(_("Choose a person you can see."), field=field)


# 1:1 series and meetings


@transaction.atomic
def one_on_one_create(
    *,
    actor: Any,
    report: Staff,
    manager: Staff | None = None,
    cadence: str = OneOnOneCadence.BIWEEKLY,
    next_date: dt.date | None = None,
) -> OneOnOne:
    """Start a recurring 1:1 between ``manager`` (default: the report's manager) and ``report``.

    Raises PolicyDenied without the right to add 1:1s, ValidationFailed when the report is
    outside the actor's view, has no manager, or already has an active 1:1 with this manager.
    Audit: create.
    """
    policy.require(actor, "add", OneOnOne)
    _require_visible_staff(actor, report, "report")
    manager = manager or report.manager
    if manager is None:
        raise ValidationFailed(_("Choose the manager who holds the 1:1."), field="manager")
    if manager.pk == report.pk:
        raise ValidationFailed(_("A 1:1 needs two different people."), field="manager")
    series = OneOnOne(manager=manager, report=report, cadence=cadence, next_date=next_date)
    if not _may_add_for(actor, OneOnOne, report):
        raise PolicyDenied(_("You may start 1:1s only for people in your teams."))
    if OneOnOne.objects.filter(manager=manager, report=report, is_active=True).exists():
        raise ValidationFailed(_("These two people already have an active 1:1."), field="report")
    _full_clean(series)
    series.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=series)
    return series


def _may_add_for(actor: Any, model: type, staff: Staff) -> bool:
    """Whether the actor's "add" scope on ``model`` covers ``staff`` (all, or their subtree)."""
    return policy.can_for_person(actor, "add", model, staff)


@transaction.atomic
def one_on_one_update(*, actor: Any, series: OneOnOne, **fields: Any) -> OneOnOne:
    """Change a 1:1's cadence, next date or whether it is active. Audit: update."""
    policy.require(actor, "change", series)
    before = audit.snapshot(series)
    for name, value in fields.items():
        if name not in {"cadence", "next_date", "is_active"}:
            raise ValidationFailed(
                _("Field {name} cannot be changed here.").format(name=name), field=name
            )
        setattr(series, name, value)
    if (
        fields.get("is_active")
        and OneOnOne.objects.filter(
            manager_id=series.manager_id, report_id=series.report_id, is_active=True
        )
        .exclude(pk=series.pk)
        .exists()
    ):
        raise ValidationFailed(_("These two people already have an active 1:1."), field="is_active")
    _full_clean(series)
    series.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=series, before=before)
    return series


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    series: OneOnOne,
    date: dt.date,
    cycle: ReviewCycle | None = None,
    shared_notes: str = "",
) -> OneOnOneMeeting:
    """Record a 1:1 meeting on ``date``; the series' next date moves one cadence past it.

    Only the two sides may. Raises ValidationFailed when the pair already met that day.
    Audit: create (and update of the series when its next date moves).
    """
    policy.require(actor, "participate", series)
    if not series.is_active:
        raise ValidationFailed(
            _("This 1:1 has ended; make it active again to record meetings."), field="date"
        )
    if OneOnOneMeeting.objects.filter(series=series, date=date).exists():
        raise ValidationFailed(_("There is already a 1:1 on this day."), field="date")
    meeting = OneOnOneMeeting(series=series, date=date, cycle=cycle, shared_notes=shared_notes)
    _full_clean(meeting)
    meeting.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=meeting)
    following = date + dt.timedelta(days=CADENCE_DAYS.get(series.cadence, 14))
    if series.next_date is None or series.next_date <= date:
        before = audit.snapshot(series)
        series.next_date = following
        series.save(update_fields=["next_date", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=series, before=before)
    return meeting


@transaction.atomic
def meeting_update_notes(
    *, actor: Any, meeting: OneOnOneMeeting, shared_notes: str
) -> OneOnOneMeeting:
    """Replace the shared notes both sides read. Audit: update."""
    policy.require(actor, "participate", meeting)
    before = audit.snapshot(meeting)
    meeting.shared_notes = shared_notes
    meeting.save(update_fields=["shared_notes", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=meeting, before=before)
    return meeting


@transaction.atomic
def agenda_item_add(*, actor: Any, meeting: OneOnOneMeeting, text: str) -> AgendaItem:
    """Put a topic on the shared agenda (either side). Audit: create."""
    policy.require(actor, "participate", meeting)
    text = text.strip()
    if not text:
        raise ValidationFailed(_("Write the topic."), field="text")
    item = AgendaItem(meeting=meeting, text=text, added_by=_actor_staff(actor))
    _full_clean(item)
    item.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=item)
    return item


@transaction.atomic
def agenda_item_set_discussed(*, actor: Any, item: AgendaItem, discussed: bool) -> AgendaItem:
    """Tick a topic off (or back on). Audit: update."""
    policy.require(actor, "participate", item.meeting)
    before = audit.snapshot(item)
    item.is_discussed = discussed
    item.save(update_fields=["is_discussed"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    return item


def side_of(*, series: OneOnOne, staff: Staff) -> str | None:
    """Return which side of ``series`` ``staff`` is on, or None for anyone else."""
    if staff.pk == series.manager_id:
        return OneOnOneSide.MANAGER
    if staff.pk == series.report_id:
        return OneOnOneSide.REPORT
    return None


@transaction.atomic
def private_note_save(*, actor: Any, meeting: OneOnOneMeeting, body: str) -> PrivateNote:
    """Write the actor's own private note on a meeting (created on first save).

    Only the two sides may, each their own note. Audit: create/update with the text masked.
    """
    policy.require(actor, "participate", meeting)
    staff = _actor_staff(actor)
    side = side_of(series=meeting.series, staff=staff)
    if side is None:
        raise PolicyDenied()
    note = PrivateNote.objects.filter(meeting=meeting, side=side).first()
    if note is None:
        note = PrivateNote.objects.create(meeting=meeting, side=side, author=staff, body=body)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=note)
        return note
    if note.author_id != staff.pk:
        # The side changed hands (a new manager): the earlier author's note stays theirs.
        raise PolicyDenied(_("This side's private note belongs to someone else."))
    before = audit.snapshot(note)
    note.body = body
    note.save(update_fields=["body", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=note, before=before)
    return note


@transaction.atomic
def action_item_add(
    *,
    actor: Any,
    meeting: OneOnOneMeeting,
    text: str,
    owner: Staff,
    due_date: dt.date | None = None,
) -> ActionItem:
    """Agree an action owned by one of the two sides. Audit: create."""
    policy.require(actor, "participate", meeting)
    if side_of(series=meeting.series, staff=owner) is None:
        raise ValidationFailed(
            _("The owner must be one of the two people in the 1:1."), field="owner"
        )
    text = text.strip()
    if not text:
        raise ValidationFailed(_("Write the action."), field="text")
    item = ActionItem(meeting=meeting, text=text, owner=owner, due_date=due_date)
    _full_clean(item)
    item.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=item)
    return item


ITEM_MESSAGES = {
    "same": gettext_lazy("The action item is already {target}."),
    "not_allowed": gettext_lazy(
        "An action item that is {current} cannot become {target}; reopen it first."
    ),
    "unknown": gettext_lazy("Unknown status: {target}."),
    "final": gettext_lazy("The action item is {current} and can no longer change."),
}


@transaction.atomic
def action_item_set_status(*, actor: Any, item: ActionItem, status: str) -> ActionItem:
    """Mark an action item done or cancelled, or reopen it.

    Raises InvalidTransition for a change the state machine refuses (e.g. done -> cancelled).
    Audit: update.
    """
    policy.require(actor, "participate", item)
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    try:
        states.check_transition(states.ITEM_TRANSITIONS, item.status, status)
    except states.TransitionError as exc:
        labels = dict(ActionItemStatus.choices)
        raise InvalidTransition(
            str(ITEM_MESSAGES[exc.reason]).format(
                current=str(labels.get(exc.current, exc.current)).lower(),
                target=str(labels.get(exc.target, exc.target)).lower(),
            ),
            field="status",
        ) from exc
    before = audit.snapshot(item)
    item.status = status
    item.closed_at = None if status == ActionItemStatus.OPEN else timezone.now()
    item.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=item, before=before)
    return item


# Improvement plans


def _require_plan_change(actor: Any, plan: ImprovementPlan) -> None:
    policy.require(actor, "change", plan)
    if plan.staff.user_id is not None and plan.staff.user_id == actor.pk:
        raise PolicyDenied(_("Your own improvement plan is managed by your manager and HR."))


def _require_editable(plan: ImprovementPlan) -> None:
    if plan.state not in states.PLAN_EDITABLE:
        raise InvalidTransition(
            _("The plan is closed; start a new plan to continue the work."), field="state"
        )


PLAN_FIELDS = (
    "manager",
    "hr_owner",
    "review",
    "start_date",
    "end_date",
    "summary",
    "support_training",
    "mentor",
    "support_other",
)


def _check_plan(plan: ImprovementPlan) -> None:
    if plan.end_date <= plan.start_date:
        raise ValidationFailed(_("The plan must end after it starts."), field="end_date")
    if plan.manager_id == plan.staff_id:
        raise ValidationFailed(_("The manager cannot be the person on the plan."), field="manager")
    if plan.mentor_id is not None and plan.mentor_id == plan.staff_id:
        raise ValidationFailed(_("The mentor must be someone else."), field="mentor")
    if plan.review_id is not None and plan.review.staff_id != plan.staff_id:
        raise ValidationFailed(_("The review must be this person's review."), field="review")


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    staff: Staff,
    start_date: dt.date,
    end_date: dt.date,
    manager: Staff | None = None,
    goals: Iterable[dict[str, Any]] = (),
    check_in_dates: Iterable[dt.date] = (),
    **fields: Any,
) -> ImprovementPlan:
    """Draft an improvement plan for ``staff`` (manager defaults to the person's manager).

    ``goals`` are dicts with ``description``, ``measure`` and optionally ``target_date``;
    ``fields`` may set ``hr_owner``, ``review`` (the review that led to it), ``summary``,
    ``support_training``, ``mentor`` and ``support_other``. Raises NotVisible when the person
    is outside the actor's view, PolicyDenied outside the actor's teams, ValidationFailed for
    bad dates or people. Audit: create (plan, each goal and check-in).
    """
    policy.require(actor, "add", ImprovementPlan)
    if not Staff.objects.restrict(actor, "view").filter(pk=staff.pk).exists():
        raise NotVisible()
    if staff.user_id is not None and staff.user_id == actor.pk:
        raise PolicyDenied(_("Your own improvement plan is managed by your manager and HR."))
    manager = manager or staff.manager
    if manager is None:
        raise ValidationFailed(_("Choose the manager who supports the plan."), field="manager")
    if ImprovementPlan.objects.filter(staff=staff).exclude(state=PlanState.CLOSED).exists():
        raise ValidationFailed(
            _("This person already has an open improvement plan; continue that one."),
            field="staff",
        )
    plan = ImprovementPlan(staff=staff, manager=manager, start_date=start_date, end_date=end_date)
    for name, value in fields.items():
        if name not in PLAN_FIELDS:
            raise ValidationFailed(
                _("Field {name} cannot be changed here.").format(name=name), field=name
            )
        setattr(plan, name, value)
    if not _may_add_for(actor, ImprovementPlan, staff):
        raise PolicyDenied(_("You may start plans only for people in your teams."))
    _check_plan(plan)
    _full_clean(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=plan)
    for order, goal in enumerate(goals):
        _goal_create(actor=actor, plan=plan, order=order, **goal)
    for day in check_in_dates:
        _check_in_create(actor=actor, plan=plan, date=day)
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: ImprovementPlan, **fields: Any) -> ImprovementPlan:
    """Change a draft or active plan's dates, people or support. Audit: update."""
    _require_plan_change(actor, plan)
    _require_editable(plan)
    before = audit.snapshot(plan)
    for name, value in fields.items():
        if name not in PLAN_FIELDS:
            raise ValidationFailed(
                _("Field {name} cannot be changed here.").format(name=name), field=name
            )
        setattr(plan, name, value)
    _check_plan(plan)
    _full_clean(plan)
    plan.save()
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, before=before)
    return plan


def _goal_create(
    *,
    actor: Any,
    plan: ImprovementPlan,
    description: str,
    measure: str,
    target_date: dt.date | None = None,
    order: int = 0,
) -> PlanGoal:
    if not description.strip():
        raise ValidationFailed(_("Describe the goal."), field="description")
    if not measure.strip():
        raise ValidationFailed(
            _("Say how the goal is measured, so everyone knows when it is met."), field="measure"
        )
    if target_date is not None and not plan.start_date <= target_date <= plan.end_date:
        raise ValidationFailed(_("The goal's date must fall within the plan."), field="target_date")
    goal = PlanGoal(
        plan=plan,
        description=description.strip(),
        measure=measure.strip(),
        target_date=target_date,
        order=order,
    )
    _full_clean(goal)
    goal.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=goal)
    return goal


@transaction.atomic
def plan_goal_add(
    *,
    actor: Any,
    plan: ImprovementPlan,
    description: str,
    measure: str,
    target_date: dt.date | None = None,
) -> PlanGoal:
    """Add a measurable goal to a draft or active plan. Audit: create."""
    _require_plan_change(actor, plan)
    _require_editable(plan)
    order = plan.goals.count()
    return _goal_create(
        actor=actor,
        plan=plan,
        description=description,
        measure=measure,
        target_date=target_date,
        order=order,
    )


@transaction.atomic
def plan_goal_set_status(*, actor: Any, goal: PlanGoal, status: str) -> PlanGoal:
    """Record where a goal stands (only while the plan is active). Audit: update."""
    plan = goal.plan
    _require_plan_change(actor, plan)
    if plan.state != PlanState.ACTIVE:
        raise InvalidTransition(
            _("Goal progress is recorded while the plan is active."), field="status"
        )
    if status not in PlanGoalStatus.values:
        raise ValidationFailed(_("Unknown status: {target}.").format(target=status), field="status")
    before = audit.snapshot(goal)
    goal.status = status
    goal.save(update_fields=["status"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=goal, before=before)
    return goal


def _check_in_create(*, actor: Any, plan: ImprovementPlan, date: dt.date) -> PlanCheckIn:
    if not plan.start_date <= date <= plan.end_date:
        raise ValidationFailed(_("Check-ins fall within the plan's dates."), field="date")
    if plan.check_ins.filter(date=date).exists():
        raise ValidationFailed(_("There is already a check-in on this day."), field="date")
    check_in = PlanCheckIn.objects.create(plan=plan, date=date)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=check_in)
    return check_in


@transaction.atomic
def plan_check_in_add(*, actor: Any, plan: ImprovementPlan, date: dt.date) -> PlanCheckIn:
    """Schedule a check-in on the plan. Audit: create."""
    _require_plan_change(actor, plan)
    _require_editable(plan)
    return _check_in_create(actor=actor, plan=plan, date=date)


@transaction.atomic
def plan_check_in_record(*, actor: Any, check_in: PlanCheckIn, notes: str) -> PlanCheckIn:
    """Write what was discussed at a check-in of an active plan. Audit: update."""
    plan = check_in.plan
    _require_plan_change(actor, plan)
    if plan.state != PlanState.ACTIVE:
        raise InvalidTransition(
            _("Check-ins are recorded while the plan is active."), field="notes"
        )
    if not notes.strip():
        raise ValidationFailed(_("Write what was discussed."), field="notes")
    before = audit.snapshot(check_in)
    check_in.notes = notes.strip()
    check_in.held_at = check_in.held_at or timezone.now()
    check_in.recorded_by = actor
    check_in.save(update_fields=["notes", "held_at", "recorded_by"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=check_in, before=before)
    return check_in


PLAN_MESSAGES = {
    "same": gettext_lazy("The plan is already {target}."),
    "final": gettext_lazy("The plan is closed and cannot change state; start a new plan instead."),
    "not_allowed": gettext_lazy("A {current} plan cannot become {target} directly."),
    "unknown": gettext_lazy("Unknown state: {target}."),
}
ACTIVATION_MESSAGES = {
    "no_goals": gettext_lazy("Add at least one measurable goal before starting the plan."),
    "no_check_ins": gettext_lazy("Schedule at least one check-in before starting the plan."),
    "dates": gettext_lazy("The plan must end after it starts."),
}


def _transition(plan: ImprovementPlan, target: str) -> None:
    try:
        states.check_transition(states.PLAN_TRANSITIONS, plan.state, target)
    except states.TransitionError as exc:
        labels = dict(PlanState.choices)
        raise InvalidTransition(
            str(PLAN_MESSAGES[exc.reason]).format(
                current=str(labels.get(exc.current, exc.current)).lower(),
                target=str(labels.get(exc.target, exc.target)).lower(),
            ),
            field="state",
        ) from exc


@transaction.atomic
def plan_activate(*, actor: Any, plan: ImprovementPlan) -> ImprovementPlan:
    """Start a draft plan: it needs at least one goal and one check-in date.

    Raises InvalidTransition when the plan is not a draft or lacks goals or check-ins.
    Audit: update.
    """
    _require_plan_change(actor, plan)
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    _transition(plan, PlanState.ACTIVE)
    problems = states.plan_activation_problems(
        goal_count=plan.goals.count(),
        check_in_count=plan.check_ins.count(),
        start=plan.start_date,
        end=plan.end_date,
    )
    if problems:
        raise InvalidTransition(
            " ".join(str(ACTIVATION_MESSAGES[code]) for code in problems), field="state"
        )
    before = audit.snapshot(plan)
    plan.state = PlanState.ACTIVE
    plan.activated_at = timezone.now()
    plan.save(update_fields=["state", "activated_at", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, before=before)
    return plan


@transaction.atomic
def plan_close(
    *,
    actor: Any,
    plan: ImprovementPlan,
    outcome: str,
    comment: str,
    outcome_date: dt.date | None = None,
    new_end_date: dt.date | None = None,
) -> ImprovementPlan:
    """Close an active plan with its outcome, date and comment.

    "Extended" needs ``new_end_date`` after the plan's end: the plan closes and a new active
    plan continues it until then, with the same people and support, the goals not yet met
    and no check-ins (schedule them on the new plan). Returns the closed plan. Raises
    InvalidTransition unless the plan is active, ValidationFailed for a missing comment or
    end date. Audit: update (and create for the continuation).
    """
    _require_plan_change(actor, plan)
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    _transition(plan, PlanState.CLOSED)
    if outcome not in PlanOutcome.values:
        raise ValidationFailed(_("Choose an outcome."), field="outcome")
    if not comment.strip():
        raise ValidationFailed(_("Explain the outcome to the person."), field="comment")
    if outcome == PlanOutcome.EXTENDED and (new_end_date is None or new_end_date <= plan.end_date):
        raise ValidationFailed(
            _("An extension needs a new end date after the current end."), field="new_end_date"
        )
    outcome_date = outcome_date or timezone.localdate()
    if outcome_date < plan.start_date:
        raise ValidationFailed(_("The outcome cannot come before the plan."), field="outcome_date")
    before = audit.snapshot(plan)
    plan.state = PlanState.CLOSED
    plan.outcome = outcome
    plan.outcome_date = outcome_date
    plan.outcome_comment = comment.strip()
    plan.closed_at = timezone.now()
    plan.save(
        update_fields=[
            "state",
            "outcome",
            "outcome_date",
            "outcome_comment",
            "closed_at",
            "updated_at",
        ]
    )
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=plan, before=before)
    if outcome == PlanOutcome.EXTENDED:
        _continue_plan(actor=actor, plan=plan, start=outcome_date, end=new_end_date)
    return plan


def _continue_plan(
    *, actor: Any, plan: ImprovementPlan, start: dt.date, end: dt.date | None
) -> ImprovementPlan:
    follow_up = ImprovementPlan.objects.create(
        staff=plan.staff,
        manager=plan.manager,
        hr_owner=plan.hr_owner,
        review=plan.review,
        continues=plan,
        state=PlanState.ACTIVE,
        start_date=start,
        end_date=end,
        summary=plan.summary,
        support_training=plan.support_training,
        mentor=plan.mentor,
        support_other=plan.support_other,
        activated_at=timezone.now(),
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=follow_up)
    open_goals = plan.goals.exclude(status=PlanGoalStatus.MET)
    for order, goal in enumerate(open_goals):
        copy = PlanGoal.objects.create(
            plan=follow_up,
            description=goal.description,
            measure=goal.measure,
            status=PlanGoalStatus.OPEN,
            order=order,
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=copy)
    return follow_up
