"""Reads of the automation rules: rule lists, a rule's run log, and what the rule forms offer."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from opsteam.core import policy
from opsteam.core.choices import Role
from opsteam.org.models import Process
from opsteam.workflow.choices import OPEN_STATUSES
from opsteam.workflow.models import AutomationRule, RuleRun, Step, WorkItem

RULE_RELATED = ("process", "created_by")


def rule_list(
    *, user: Any, action: str = "view", process: Process | None = None
) -> QuerySet[AutomationRule]:
    """Rules the user may ``action``, with their run counts; only ``process``'s if given."""
    queryset = (
        AutomationRule.objects.restrict(user, action)
        .select_related(*RULE_RELATED)
        .annotate(run_count=Count("runs"))
    )
    if process is not None:
        queryset = queryset.filter(process=process)
    return queryset.order_by("process__code", "name", "pk")


def rule_runs(*, user: Any, rule: AutomationRule | None = None) -> QuerySet[RuleRun]:
    """Run log entries the user may read (of ``rule``), newest first, with their items."""
    queryset = RuleRun.objects.restrict(user, "view").select_related(
        "rule", "item", "item__process"
    )
    if rule is not None:
        queryset = queryset.filter(rule=rule)
    return queryset.order_by("-ran_at", "-pk")


def rule_processes(*, user: Any) -> QuerySet[Process]:
    """Processes whose rules the user may maintain (a manager's: owned by their subtree)."""
    roles = policy.user_roles(user)
    allowed = policy.rule_for(AutomationRule).actions.get("add", {})
    processes = Process.objects.select_related("owner_unit").order_by("code")
    paths: list[str] = []
    for role, role_paths in roles.items():
        scope = allowed.get(role)
        if scope is policy.ALL:
            return processes
        if scope is policy.SUBTREE and role == Role.MANAGER:
            paths += role_paths
    if not paths:
        return processes.none()
    subtree = Q()
    for path in paths:
        subtree |= Q(owner_unit__path__startswith=path)
    return processes.filter(subtree)


def step_codes(*, process: Process | None) -> list[tuple[str, str]]:
    """(code, label) of the steps of the process's maps, the published version's names first."""
    if process is None:
        return []
    seen: dict[str, str] = {}
    steps = Step.objects.filter(map__process=process).order_by("-map__version", "order", "code")
    for step in steps:
        seen.setdefault(step.code, f"{step.code} · {step.display_name}")
    return sorted(seen.items(), key=lambda pair: pair[0])


def dry_run_items(*, user: Any, rule: AutomationRule, limit: int = 50) -> list[WorkItem]:
    """Recent open items of the rule's process the user may see: the dry run's choices."""
    items = WorkItem.objects.restrict(user, "view").filter(status__in=OPEN_STATUSES)
    if rule.process_id is not None:
        items = items.filter(process_id=rule.process_id)
    return list(items.select_related("process").order_by("-created_at", "-pk")[:limit])


def item_for_test(*, user: Any, rule: AutomationRule, reference: str) -> WorkItem | None:
    """The visible item with ``reference`` (in the rule's process) or id, for a dry run."""
    items = WorkItem.objects.restrict(user, "view").select_related(
        "process", "step", "step__position", "assignee", "unit", "reporter"
    )
    if rule.process_id is not None:
        items = items.filter(process_id=rule.process_id)
    found = items.filter(reference=reference.strip()).first()
    if found is None and reference.strip().isdigit():
        found = items.filter(pk=int(reference.strip())).first()
    return found
