"""Every automation-rule list page and API list runs a fixed number of queries, however many
rules and runs there are (``opsteam/core/tests/query_budgets.py``): the rule list, a rule's
page with its (paginated) run log, the rules and runs API lists and a rule's runs.

Rules alternate between a process owned by D1 (the manager's) and one owned by D2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from opsteam.core.tests.query_budgets import (
    ALL_ROWS,
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)
from opsteam.workflow.models import AutomationRule, RuleRun

pytestmark = pytest.mark.django_db

BUDGET = 15
TRIGGERS = ("item_created", "waiting_over_target", "due_passed")


@dataclass
class Dataset:
    processes: list[Any]
    rule: Any = None
    size: int = 0

    def setup(self) -> None:
        self.rule = AutomationRule.objects.create(
            process=self.processes[0],
            name="超时提醒",
            trigger="waiting_over_target",
            actions=[{"type": "escalate"}],
        )

    def grow(self, size: int) -> None:
        new = range(self.size, size)
        if not new:
            return
        AutomationRule.objects.bulk_create(
            AutomationRule(
                process=self.processes[i % 2],
                name=f"规则{i}",
                trigger=TRIGGERS[i % 3],
                conditions=[{"field": "priority", "op": "eq", "value": "high"}],
                actions=[{"type": "notify", "to": "assignee", "message": "{reference}"}],
            )
            for i in new
        )
        RuleRun.objects.bulk_create(
            RuleRun(
                rule=self.rule,
                trigger="waiting_over_target",
                matched=True,
                outcome=[{"action": "escalate", "status": "done", "detail": f"第{i}次"}],
                error="" if i % 5 else "RuntimeError: down",
            )
            for i in new
        )
        self.size = size


def _rule(data: Dataset) -> int:
    return data.rule.pk


RULE = {"pk": _rule}

ENDPOINTS: dict[str, Endpoint] = {
    "page rules": Endpoint("workflow:rule_list"),
    "page rules (manager)": Endpoint("workflow:rule_list", login="manager"),
    "page rules by trigger": Endpoint("workflow:rule_list", {"trigger": "due_passed"}),
    "page rule with runs": Endpoint("workflow:rule_detail", kwargs=RULE),
    "api rules": Endpoint("workflow-rule-list", ALL_ROWS, rows="api"),
    "api rules (manager)": Endpoint("workflow-rule-list", ALL_ROWS, login="manager"),
    "api rule runs": Endpoint("workflow-rule-run-list", ALL_ROWS, rows="api"),
    "api runs of a rule": Endpoint("workflow-rule-runs", ALL_ROWS, kwargs=RULE),
}


def build_dataset() -> tuple[Dataset, dict[str, Any]]:
    from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
    from opsteam.org.tests.factories import OrgUnitFactory, ProcessFactory, StaffFactory

    company = OrgUnitFactory(code="CO", name="公司", kind="company")
    d1 = OrgUnitFactory(code="D1", name="运营部", kind="department", parent=company)
    d2 = OrgUnitFactory(code="D2", name="财务部", kind="department", parent=company)
    clients = {}
    for role in ("hr", "manager"):
        user = UserFactory(username=f"{role}-rules-budget")
        RoleGrantFactory(user=user, role=role, unit=d1 if role == "manager" else None)
        StaffFactory(user=user, unit=d1)
        clients[role] = logged_in_client(user)
    data = Dataset(processes=[ProcessFactory(owner_unit=d1), ProcessFactory(owner_unit=d2)])
    data.setup()
    return data, clients


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build():
        data, clients = build_dataset()
        return measure(ENDPOINTS, clients=clients, data=data, grow=data.grow)

    return measured_in_rollback(django_db_blocker, build)


@pytest.mark.parametrize(
    ("name", "size"),
    [pytest.param(name, size, id=f"{name}-{size}") for name in ENDPOINTS for size in SIZES],
)
def test_endpoint_stays_within_the_query_budget(measured, name, size):
    assert_within_budget(measured, ENDPOINTS, name, size, BUDGET)


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_does_not_grow_with_rows(measured, name):
    assert_constant(measured, name)


def test_manager_sees_only_rules_of_processes_their_unit_owns(measured):
    # setup's rule + half of 500 in D1's process
    assert measured["api rules"][500].rows == 500  # one page of 500 out of 501
    assert measured["api rules (manager)"][500].rows == 251
