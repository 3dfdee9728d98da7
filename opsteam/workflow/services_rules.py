"""Writes of the automation rules: rule CRUD, applying a rule to an item (the actions and the
run log), the time-trigger scan, "run now", the dry run, and the demo rules.

Actions a rule takes are the system's, not the user's who triggered it: they are audited with
no actor and a note naming the rule, and they are not checked against that user's permissions
(the rule's author, a process owner, decided them). Each rule's actions run in a savepoint: a
failure rolls back that rule's actions only, and is logged in its ``RuleRun``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied
from opsteam.org.choices import StaffStatus
from opsteam.org.models import OrgUnit, Process, Staff
from opsteam.workflow import automation, services_items
from opsteam.workflow.choices import (
    OPEN_STATUSES,
    TIME_TRIGGERS,
    LinkKind,
    MapStatus,
    Priority,
    RuleAction,
    Trigger,
)
from opsteam.workflow.models import (
    AutomationRule,
    RuleRun,
    Step,
    WorkItem,
    WorkItemLink,
)

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "workflow-rule"
WORKING_STATUSES = (StaffStatus.ACTIVE, StaffStatus.PROBATION)
ITEM_RELATED = ("process", "step", "step__position", "assignee", "unit", "reporter")
RULE_FIELDS = ("process", "name", "description", "trigger", "step_code", "conditions", "actions")


# Permissions --------------------------------------------------------------------------------


def can_own_process(user: Any, action: str, process: Process | None) -> bool:
    """Whether ``user`` may ``action`` (add/change/run) rules of ``process``: HR and
    administrators any process and the global rules; a manager the processes their units own."""
    allowed = policy.rule_for(AutomationRule).actions.get(action, {})
    for role, paths in policy.user_roles(user).items():
        scope = allowed.get(role)
        if scope is policy.ALL:
            return True
        if (
            scope is policy.SUBTREE
            and process is not None
            and process.owner_unit_id is not None
            and any(process.owner_unit.path.startswith(path) for path in paths)
        ):
            return True
    return False


def _require_process(actor: Any, action: str, process: Process | None) -> None:
    if not can_own_process(actor, action, process):
        raise PolicyDenied(
            _("Only HR, administrators and the managers of the owning unit maintain these rules.")
        )


# Rule CRUD ----------------------------------------------------------------------------------


def _check_references(
    *, process: Process | None, conditions: list[dict], actions: list[dict]
) -> None:
    """Steps must exist in the process's maps, people must exist (by employee number)."""
    problems: list[automation.Problem] = []
    steps = automation.referenced_steps(conditions, actions)
    if steps and process is not None:
        known = set(
            Step.objects.filter(map__process=process, code__in={code for *_, code in steps})
            .values_list("code", flat=True)
            .distinct()
        )
        problems += [
            automation.Problem(
                part,
                index,
                key,
                _("No step {code!r} in the maps of this process.").format(code=code),
            )
            for part, index, key, code in steps
            if code not in known
        ]
    people = automation.referenced_staff(conditions, actions)
    if people:
        known = set(
            Staff.objects.filter(employee_no__in={no for *_, no in people}).values_list(
                "employee_no", flat=True
            )
        )
        problems += [
            automation.Problem(
                part,
                index,
                key,
                _("Nobody has the employee number {number!r}.").format(number=number),
            )
            for part, index, key, number in people
            if number not in known
        ]
    if problems:
        raise automation.RuleInvalid(sorted(problems, key=lambda p: (p.part, p.index or 0)))


def _validate(
    *,
    process: Process | None,
    trigger: str,
    step_code: str,
    conditions: Any,
    actions: Any,
) -> None:
    automation.clean_definition(
        trigger=trigger, step_code=step_code, conditions=conditions, actions=actions
    )
    if (
        step_code
        and process is not None
        and not Step.objects.filter(map__process=process, code=step_code).exists()
    ):
        raise automation.RuleInvalid(
            [
                automation.Problem(
                    "step_code",
                    None,
                    "step_code",
                    _("No step {code!r} in the maps of this process.").format(code=step_code),
                )
            ]
        )
    _check_references(process=process, conditions=conditions, actions=actions)


@transaction.atomic
def rule_create(
    *,
    actor: Any,
    process: Process | None,
    name: str,
    trigger: str,
    actions: list[dict],
    conditions: list[dict] | None = None,
    step_code: str = "",
    description: str = "",
    enabled: bool = True,
) -> AutomationRule:
    """Create a rule of ``process`` (None: a global rule, HR and administrators only)."""
    policy.require(actor, "add", AutomationRule)
    _require_process(actor, "add", process)
    conditions = [] if conditions is None else conditions  # anything else: _validate says why
    _validate(
        process=process,
        trigger=trigger,
        step_code=step_code,
        conditions=conditions,
        actions=actions,
    )
    rule = AutomationRule.objects.create(
        process=process,
        name=name,
        description=description,
        trigger=trigger,
        step_code=step_code,
        conditions=conditions,
        actions=actions,
        enabled=enabled,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=rule)
    return rule


@transaction.atomic
def rule_update(*, actor: Any, rule: AutomationRule, **changes: Any) -> AutomationRule:
    """Change a rule's definition (any of name, description, process, trigger, step_code,
    conditions, actions); a manager cannot move it to a process they do not own."""
    policy.require(actor, "change", rule)
    unknown = set(changes) - set(RULE_FIELDS) - {"enabled"}
    if unknown:
        raise TypeError(f"rule_update() got unexpected fields {sorted(unknown)}")
    process = changes.get("process", rule.process)
    if "process" in changes:
        _require_process(actor, "change", process)
    merged = {name: changes.get(name, getattr(rule, name)) for name in RULE_FIELDS}
    _validate(
        process=process,
        trigger=merged["trigger"],
        step_code=merged["step_code"],
        conditions=merged["conditions"],
        actions=merged["actions"],
    )
    before = audit.snapshot(rule)
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.save(update_fields=[*changes, "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rule, before=before)
    return rule


@transaction.atomic
def rule_set_enabled(*, actor: Any, rule: AutomationRule, enabled: bool) -> AutomationRule:
    """Switch a rule on or off."""
    policy.require(actor, "change", rule)
    if rule.enabled == enabled:
        return rule
    before = audit.snapshot(rule)
    rule.enabled = enabled
    rule.save(update_fields=["enabled", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=rule, before=before)
    return rule


@transaction.atomic
def rule_delete(*, actor: Any, rule: AutomationRule) -> None:
    """Delete a rule and its run log (disable it instead to keep the log)."""
    policy.require(actor, "delete", rule)
    before = audit.snapshot(rule)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=rule, before=before)
    rule.delete()


# Resolving people ---------------------------------------------------------------------------


def _open_load(staff_ids: list[int]) -> dict[int, int]:
    rows = (
        WorkItem.objects.filter(assignee_id__in=staff_ids, status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def _position_holders(step: Step | None, unit: OrgUnit | None) -> list[Staff]:
    """Working people holding the step's responsible position (main or concurrent), those in
    the item's unit first; nobody when the step has no position."""
    if step is None or step.position_id is None:
        return []
    holders = Staff.objects.filter(status__in=WORKING_STATUSES).filter(
        Q(position_id=step.position_id) | Q(concurrent_positions=step.position_id)
    )
    if unit is not None:
        local = list(holders.filter(unit__path__startswith=unit.path).distinct())
        if local:
            return local
    return list(holders.distinct())


def _least_loaded(candidates: list[Staff]) -> tuple[Staff | None, dict[int, int]]:
    if not candidates:
        return None, {}
    load = _open_load([person.pk for person in candidates])
    chosen = min(candidates, key=lambda person: (load.get(person.pk, 0), person.employee_no))
    return chosen, load


def _pick(item: WorkItem, target: str, step: Step | None) -> tuple[Staff | None, str]:
    """The person ``target`` names for ``item`` (an employee number, least_loaded,
    step_owner, same) and how they were chosen."""
    if target == "same":
        return item.assignee, _("the item's assignee")
    if target in automation.ASSIGN_TARGETS:
        candidates = _position_holders(step, item.unit)
        if not candidates and target == "least_loaded":
            candidates = list(
                Staff.objects.filter(
                    status__in=WORKING_STATUSES, unit__path__startswith=item.unit.path
                )
            )
        chosen, load = _least_loaded(candidates)
        if chosen is None:
            return None, _("nobody holds the step's position")
        return chosen, _("{how}: {count} open items among {candidates} candidates").format(
            how=target, count=load.get(chosen.pk, 0), candidates=len(candidates)
        )
    person = Staff.objects.filter(employee_no=target).first()
    if person is None or person.status not in WORKING_STATUSES:
        return None, _("{number} is unknown or no longer working").format(number=target)
    return person, target


def _unit_managers(unit: OrgUnit) -> list[int]:
    """User ids of the managers of ``unit``: those granted the unit itself, else the nearest
    ancestor that has managers; the unit's lead too."""
    from opsteam.accounts.models import RoleGrant

    segments = [unit.path[: end + 1] for end, char in enumerate(unit.path) if char == "/"]
    grants = RoleGrant.objects.filter(
        role="manager", unit__path__in=segments, user__is_active=True
    ).values_list("user_id", "unit__path")
    by_path: dict[str, list[int]] = {}
    for user_id, path in grants:
        by_path.setdefault(path, []).append(user_id)
    users: list[int] = []
    for path in reversed(segments):  # nearest first
        if path in by_path:
            users = by_path[path]
            break
    if unit.lead_id is not None:
        lead_user = Staff.objects.filter(pk=unit.lead_id).values_list("user_id", flat=True).first()
        if lead_user:
            users = [*users, lead_user]
    return users


def _recipients(item: WorkItem, target: str) -> tuple[list[int], str]:
    if target == "assignee":
        user = item.assignee.user_id if item.assignee_id else None
        return ([user] if user else []), _("the assignee")
    if target == "reporter":
        return ([item.reporter_id] if item.reporter_id else []), _("the reporter")
    if target == "team_managers":
        return _unit_managers(item.unit), _("the team's managers")
    if target == "step_owner_position":
        holders = _position_holders(item.step, item.unit)
        return [p.user_id for p in holders if p.user_id], _("the step's responsible position")
    number = target[len(automation.STAFF_PREFIX) :]
    user = Staff.objects.filter(employee_no=number).values_list("user_id", flat=True).first()
    return ([user] if user else []), number


# Applying a rule ----------------------------------------------------------------------------


@dataclass
class Context:
    rule: AutomationRule
    item: WorkItem
    trigger: str
    actor: Any
    now: dt.datetime
    dry_run: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        self.note = _("Automation rule #{pk}: {name}").format(pk=self.rule.pk, name=self.rule.name)


def _item_url(item: WorkItem) -> str:
    try:
        return item.get_absolute_url()
    except NoReverseMatch:  # the work-item pages are not installed
        return ""


def _values(ctx: Context) -> dict[str, Any]:
    item = ctx.item
    facts = automation.item_facts(item, ctx.now)
    return {
        "reference": item.reference,
        "title": item.title,
        "step": item.step.display_name if item.step_id else "",
        "assignee": item.assignee.display_name if item.assignee_id else "",
        "priority": item.get_priority_display(),
        "status": item.get_status_display(),
        "due_date": item.due_date.isoformat() if item.due_date else "",
        "waiting_hours": facts["waiting_hours"] if facts["waiting_hours"] is not None else "",
        "process": item.process.display_name,
        "rule": ctx.rule.name,
    }


def _outcome(action: dict, status: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"action": action["type"], "status": status, "detail": str(detail), **extra}


def _save_item(ctx: Context, fields: list[str], before: dict[str, Any]) -> None:
    ctx.item.save(update_fields=[*fields, "updated_at"])
    audit.record(actor=None, action=AuditAction.UPDATE, obj=ctx.item, before=before, note=ctx.note)


def _do_assign(ctx: Context, action: dict) -> dict[str, Any]:
    person, how = _pick(ctx.item, action["to"], ctx.item.step)
    if person is None:
        return _outcome(action, "skipped", how)
    if person.pk == ctx.item.assignee_id:
        return _outcome(
            action,
            "unchanged",
            _("already assigned to {name}").format(name=person.display_name),
            staff=person.employee_no,
        )
    detail = _("assign to {name} ({number}); {how}").format(
        name=person.display_name, number=person.employee_no, how=how
    )
    if not ctx.dry_run:
        before = audit.snapshot(ctx.item)
        ctx.item.assignee = person
        _save_item(ctx, ["assignee"], before)
    return _outcome(action, "done", detail, staff=person.employee_no)


def _target_step(item: WorkItem, code: str) -> Step | None:
    if item.step_id:
        step = Step.objects.filter(map_id=item.step.map_id, code=code).first()
        if step is not None:
            return step
    return Step.objects.filter(
        map__process_id=item.process_id, map__status=MapStatus.PUBLISHED, code=code
    ).first()


def _do_move(ctx: Context, action: dict) -> dict[str, Any]:
    item = ctx.item
    step = _target_step(item, action["step"])
    if step is None:
        return _outcome(
            action, "skipped", _("no step {code!r} in the item's map").format(code=action["step"])
        )
    if step.pk == item.step_id:
        return _outcome(action, "unchanged", _("already in {step}").format(step=step.display_name))
    detail = _("move to {step}").format(step=step.display_name)
    if not ctx.dry_run:
        # The event log names the visit exactly as the work-item services do.
        services_items.write_exit_event(item, now=ctx.now, via=f"rule:{ctx.rule.pk}")
        before = audit.snapshot(item)
        item.step = step
        item.step_started_at = ctx.now
        _save_item(ctx, ["step", "step_started_at"], before)
    return _outcome(action, "done", detail, step=step.code)


def _do_set_priority(ctx: Context, action: dict) -> dict[str, Any]:
    return _set_priority(ctx, action, action["priority"])


def _set_priority(ctx: Context, action: dict, priority: str) -> dict[str, Any]:
    label = Priority(priority).label
    if ctx.item.priority == priority:
        return _outcome(
            action,
            "unchanged",
            _("priority already {priority}").format(priority=label),
            priority=priority,
        )
    if not ctx.dry_run:
        before = audit.snapshot(ctx.item)
        ctx.item.priority = priority
        _save_item(ctx, ["priority"], before)
    return _outcome(
        action, "done", _("set priority to {priority}").format(priority=label), priority=priority
    )


def _send(ctx: Context, action: dict, user_ids: list[int], whom: list[str], title: str) -> dict:
    from opsteam.collab import services as collab_services

    message = automation.render(action.get("message") or "", _values(ctx))
    unique = sorted(set(user_ids))
    detail = _("notify {whom}: {count} people").format(whom=", ".join(whom), count=len(unique))
    if not unique:
        return _outcome(
            action, "skipped", _("nobody to notify ({whom})").format(whom=", ".join(whom))
        )
    sent = len(unique)
    if not ctx.dry_run:
        sent = collab_services.notify(
            recipients=unique,
            kind=NOTIFICATION_KIND,
            title=title,
            body=message,
            url=_item_url(ctx.item),
        )
    return _outcome(action, "done", detail, recipients=sent, message=message)


def _do_notify(ctx: Context, action: dict) -> dict[str, Any]:
    targets = action["to"] if isinstance(action["to"], list) else [action["to"]]
    user_ids: list[int] = []
    whom: list[str] = []
    for target in targets:
        ids, label = _recipients(ctx.item, target)
        user_ids += ids
        whom.append(str(label))
    title = _("{rule}: {reference} {title}").format(
        rule=ctx.rule.name, reference=ctx.item.reference, title=ctx.item.title
    )
    return _send(ctx, action, user_ids, whom, title)


def _do_escalate(ctx: Context, action: dict) -> dict[str, Any]:
    user_ids = _unit_managers(ctx.item.unit) + _recipients(ctx.item, "step_owner_position")[0]
    title = _("Escalated: {reference} {title}").format(
        reference=ctx.item.reference, title=ctx.item.title
    )
    sent = _send(ctx, action, user_ids, [_("the team's managers"), _("the step's position")], title)
    rank = automation.PRIORITY_RANK.get(ctx.item.priority, 1)
    higher = automation.PRIORITY_ORDER[min(rank + 1, len(automation.PRIORITY_ORDER) - 1)]
    raised = _set_priority(ctx, action, str(higher))
    status = "done" if "done" in (sent["status"], raised["status"]) else "unchanged"
    return _outcome(
        action,
        status,
        f"{sent['detail']}; {raised['detail']}",
        recipients=sent.get("recipients", 0),
        priority=str(higher),
    )


def _first_step(process_id: int) -> Step | None:
    return (
        Step.objects.filter(map__process_id=process_id, map__status=MapStatus.PUBLISHED)
        .order_by("order", "code")
        .first()
    )


def _do_create_follow_up(ctx: Context, action: dict) -> dict[str, Any]:
    item = ctx.item
    title = automation.render(action["title"], _values(ctx))[: automation.MAX_TITLE]
    step = (
        _target_step(item, action["step"]) if action.get("step") else _first_step(item.process_id)
    )
    assignee = _pick(item, action["assignee"], step)[0] if action.get("assignee") else None
    detail = _("create follow-up “{title}” in {step}, assigned to {assignee}").format(
        title=title,
        step=step.display_name if step else "—",
        assignee=assignee.display_name if assignee else "—",
    )
    if ctx.dry_run:
        return _outcome(action, "done", detail)
    follow_up = WorkItem.objects.create(
        process=item.process,
        step=step,
        reference=services_items.next_reference(item.process),
        title=title,
        description=_("Follow-up of {reference}, created by the rule “{rule}”.").format(
            reference=item.reference, rule=ctx.rule.name
        ),
        kind=item.kind,
        priority=item.priority,
        assignee=assignee,
        unit=item.unit,
        step_started_at=ctx.now,
    )
    WorkItemLink.objects.create(source=follow_up, target=item, kind=LinkKind.FOLLOWS_UP)
    audit.record(actor=None, action=AuditAction.CREATE, obj=follow_up, note=ctx.note)
    return _outcome(action, "done", detail, item=follow_up.pk, reference=follow_up.reference)


EXECUTORS = {
    RuleAction.ASSIGN: _do_assign,
    RuleAction.MOVE: _do_move,
    RuleAction.SET_PRIORITY: _do_set_priority,
    RuleAction.NOTIFY: _do_notify,
    RuleAction.ESCALATE: _do_escalate,
    RuleAction.CREATE_FOLLOW_UP: _do_create_follow_up,
}

ITEM_STATE = ("assignee_id", "step_id", "step_started_at", "priority")


def _run_actions(ctx: Context) -> tuple[list[dict[str, Any]], str]:
    """Run the rule's actions in a savepoint: on failure roll them all back (the item object
    too) and return the error instead of raising it."""
    outcome: list[dict[str, Any]] = []
    state = {name: getattr(ctx.item, name) for name in ITEM_STATE}
    try:
        with transaction.atomic(), automation.running_rules():
            for action in ctx.rule.actions:
                outcome.append(EXECUTORS[action["type"]](ctx, action))
    except Exception as exc:  # a rule must never break the write that triggered it
        logger.exception("Automation rule %s failed on item %s", ctx.rule.pk, ctx.item.pk)
        for name, value in state.items():
            setattr(ctx.item, name, value)
        for entry in outcome:
            entry["status"] = "rolled_back"
        return outcome, f"{type(exc).__name__}: {exc}"[:2000]
    return outcome, ""


def rule_apply(
    *,
    rule: AutomationRule,
    item: WorkItem,
    trigger: str,
    actor: Any | None = None,
    now: dt.datetime | None = None,
) -> RuleRun | None:
    """Evaluate ``rule`` on ``item``; when its conditions hold, run its actions and log the
    run (with the error, if an action failed). Returns the run, or None when they do not hold.

    Runs inside the caller's transaction (an item write or the scan).
    """
    now = now or timezone.now()
    held, _results = automation.evaluate(rule.conditions, automation.item_facts(item, now))
    if not held:
        return None
    ctx = Context(rule=rule, item=item, trigger=trigger, actor=actor, now=now)
    outcome, error = _run_actions(ctx)
    run = RuleRun.objects.create(
        rule=rule, item=item, trigger=trigger, matched=True, outcome=outcome, error=error
    )
    AutomationRule.objects.filter(pk=rule.pk).update(last_run_at=now)
    return run


# Time triggers ------------------------------------------------------------------------------


@dataclass
class ScanReport:
    """What a scan (or "run now") did: per rule, items matched, skipped as already handled,
    and the runs that failed."""

    rules: int = 0
    evaluated: int = 0
    matched: int = 0
    failed: int = 0
    run_ids: list[int] = field(default_factory=list)


def _since(rule: AutomationRule, now: dt.datetime) -> Any:
    """From when an earlier run of ``rule`` on the item counts as "already fired": the start
    of the item's current step visit, or of today (daily) / this week (weekly)."""
    if rule.trigger in (Trigger.SCHEDULE_DAILY, Trigger.SCHEDULE_WEEKLY):
        today = timezone.localdate(now)
        if rule.trigger == Trigger.SCHEDULE_WEEKLY:
            today -= dt.timedelta(days=today.weekday())
        return timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return Coalesce(OuterRef("step_started_at"), OuterRef("created_at"))


def time_candidates(rule: AutomationRule, now: dt.datetime) -> QuerySet[WorkItem]:
    """Open items ``rule``'s time trigger concerns now that it has not fired on yet."""
    items = WorkItem.objects.filter(status__in=OPEN_STATUSES)
    if rule.process_id is not None:
        items = items.filter(process_id=rule.process_id)
    if rule.step_code:
        items = items.filter(step__code=rule.step_code)
    if rule.trigger == Trigger.WAITING_OVER_TARGET:
        targets = set(
            items.filter(step__target_minutes__isnull=False)
            .values_list("step__target_minutes", flat=True)
            .distinct()
        )
        if not targets:
            return items.none()
        over = Q()
        for minutes in targets:
            over |= Q(
                step__target_minutes=minutes,
                step_started_at__lt=now - dt.timedelta(minutes=minutes),
            )
        items = items.filter(over)
    elif rule.trigger == Trigger.DUE_PASSED:
        items = items.filter(due_date__lt=timezone.localdate(now))
    fired = RuleRun.objects.filter(rule=rule, item=OuterRef("pk"), ran_at__gte=_since(rule, now))
    return items.exclude(Exists(fired)).select_related(*ITEM_RELATED).order_by("pk")


def _scan_rule(rule: AutomationRule, now: dt.datetime, report: ScanReport) -> None:
    with transaction.atomic():
        locked = (
            AutomationRule.objects.select_for_update().filter(pk=rule.pk).order_by("pk").first()
        )
        if locked is None:
            return
        report.rules += 1
        for item in time_candidates(locked, now).iterator(chunk_size=500):
            report.evaluated += 1
            run = rule_apply(rule=locked, item=item, trigger=locked.trigger, now=now)
            if run is not None:
                report.matched += 1
                report.failed += bool(run.error)
                report.run_ids.append(run.pk)
        AutomationRule.objects.filter(pk=rule.pk).update(last_run_at=now)


def rules_scan(*, now: dt.datetime | None = None) -> ScanReport:
    """Evaluate every enabled time rule against the open items (the periodic task).

    Weekly rules run on Mondays. An item is acted on once per step visit (waiting over target,
    past due) or once per day / week (schedules), however often the scan runs.
    """
    now = now or timezone.now()
    report = ScanReport()
    rules = AutomationRule.objects.filter(enabled=True, trigger__in=TIME_TRIGGERS).order_by("pk")
    for rule in rules:
        if rule.trigger == Trigger.SCHEDULE_WEEKLY and timezone.localdate(now).weekday() != 0:
            continue
        _scan_rule(rule, now, report)
    return report


@transaction.atomic
def rule_run_now(*, actor: Any, rule: AutomationRule) -> ScanReport:
    """Run a time rule now (whatever the weekday), with the same "once per visit / day /
    week" guard as the scan. Audited as "other" with the counts."""
    policy.require(actor, "run", rule)
    if rule.trigger not in TIME_TRIGGERS:
        raise InvalidTransition(_("Only time rules run on demand; event rules run on events."))
    report = ScanReport()
    _scan_rule(rule, timezone.now(), report)
    audit.record(
        actor=actor,
        action=AuditAction.OTHER,
        obj=rule,
        after={"run_now": {"evaluated": report.evaluated, "matched": report.matched}},
        note=_("Run now"),
    )
    return report


# Dry run ------------------------------------------------------------------------------------


@dataclass
class DryRun:
    """What the rule would do to the item now: each condition with the item's value, whether
    they all hold, each action's outcome, and whether a time rule already fired this visit."""

    matched: bool
    conditions: list[automation.ConditionResult]
    actions: list[dict[str, Any]]
    already_fired: bool = False
    error: str = ""


def rule_dry_run(*, actor: Any, rule: AutomationRule, item: WorkItem) -> DryRun:
    """Show what ``rule`` would do to ``item``, writing nothing (not even the run log)."""
    policy.require(actor, "view", rule)
    policy.require(actor, "view", item)
    now = timezone.now()
    held, results = automation.evaluate(rule.conditions, automation.item_facts(item, now))
    already = False
    if rule.trigger in TIME_TRIGGERS:
        since = _since(rule, now)
        if not isinstance(since, dt.datetime):
            since = item.step_started_at or item.created_at
        already = RuleRun.objects.filter(rule=rule, item=item, ran_at__gte=since).exists()
    actions: list[dict[str, Any]] = []
    error = ""
    if held:
        ctx = Context(
            rule=rule, item=item, trigger=rule.trigger, actor=actor, now=now, dry_run=True
        )
        state = {name: getattr(item, name) for name in ITEM_STATE}
        with transaction.atomic():
            try:
                for action in rule.actions:
                    actions.append(EXECUTORS[action["type"]](ctx, action))
            except Exception as exc:  # shown to the user as what would fail
                error = f"{type(exc).__name__}: {exc}"
            transaction.set_rollback(True)
        for name, value in state.items():
            setattr(item, name, value)
    return DryRun(
        matched=held, conditions=results, actions=actions, already_fired=already, error=error
    )


# Demo ---------------------------------------------------------------------------------------


DEMO_NAMES = (
    gettext_noop("SLA alert: waiting over target"),
    gettext_noop("Auto-assign new tickets to the least-loaded operator"),
)


def demo_rules(process: Process, actor: Any) -> list[AutomationRule]:
    """The demo's two rules for ``process``, created once (matched by name):

    - SLA alert: an item waiting longer than its step's target notifies the assignee and
      escalates (managers and the step's position notified, priority raised);
    - auto-assign: a new ticket goes to the least-loaded holder of its first step's position.
    """
    specs = [
        {
            "name": _(DEMO_NAMES[0]),
            "description": _(
                "When an open item has waited in a step longer than the step's target, remind"
                " the assignee and escalate to the team's managers and the step's position."
            ),
            "trigger": Trigger.WAITING_OVER_TARGET,
            "conditions": [],
            "actions": [
                {
                    "type": RuleAction.NOTIFY.value,
                    "to": "assignee",
                    "message": _(
                        "{reference} has waited {waiting_hours} hours in {step}, over its target."
                    ),
                },
                {
                    "type": RuleAction.ESCALATE.value,
                    "message": _("{reference} ({title}) is over its target in {step}."),
                },
            ],
        },
        {
            "name": _(DEMO_NAMES[1]),
            "description": _(
                "A new ticket without an assignee goes to whoever holding the step's position"
                " has the fewest open items."
            ),
            "trigger": Trigger.ITEM_CREATED,
            "conditions": [
                {"field": "kind", "op": "eq", "value": "ticket"},
                {"field": "assignee", "op": "eq", "value": ""},
            ],
            "actions": [{"type": RuleAction.ASSIGN.value, "to": "least_loaded"}],
        },
    ]
    rules = []
    for english, spec in zip(DEMO_NAMES, specs, strict=True):
        # Matched by the name in any language: the demo may be loaded in Chinese or English.
        names = {english, spec["name"]}
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                names.add(_(english))
        existing = AutomationRule.objects.filter(process=process, name__in=names).first()
        if existing is None:
            existing = rule_create(actor=actor, process=process, **spec)
        rules.append(existing)
    return rules
