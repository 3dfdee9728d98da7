"""Access-matrix rows of the automation-rule pages and API. Walked by
core/tests/test_permission_matrix.py.

Objects: a waiting-over-target rule of a process owned by T1 (the manager's team) with one
run, and a rule of a process owned by T3 (another department). Process owners (HR,
administrators, the owning unit's managers) maintain rules; auditors read them; operators
have no access at all.
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import Check, _roles

READ = _roles(200, operator=403)  # lists: no rule for operators at all
READ_OWN = _roles(200, operator=404)
READ_OTHER = _roles(200, manager=404, operator=404)
OWNERS = _roles(403, admin=200, hr=200, manager=200)
OWNERS_400 = _roles(403, admin=400, hr=400, manager=400)
CHANGE_OWN_PAGE = _roles(302, auditor=403, operator=404)
CHANGE_OWN_API = _roles(200, auditor=403, operator=404)
EDIT_OWN_PAGE = _roles(200, auditor=403, operator=404)
CHANGE_OTHER_PAGE = _roles(302, manager=404, auditor=403, operator=404)

EXPECTED: dict[str, list[Check]] = {
    "workflow:rule_list": [Check(READ), Check(READ, query="scope=global")],
    "workflow:rule_create": [
        Check(OWNERS),
        Check(OWNERS_400, method="post", data={"name": "x"}),
    ],
    "workflow:rule_detail": [
        Check(READ_OWN, obj="own_rule"),
        Check(READ_OTHER, obj="other_rule"),
    ],
    "workflow:rule_edit": [
        Check(EDIT_OWN_PAGE, obj="own_rule"),
        Check(_roles(200, manager=404, auditor=403, operator=404), obj="other_rule"),
        Check(_roles(400, auditor=403, operator=404), method="post", obj="own_rule"),
    ],
    "workflow:rule_toggle": [
        Check(CHANGE_OWN_PAGE, method="post", obj="own_rule"),
        Check(CHANGE_OTHER_PAGE, method="post", obj="other_rule"),
    ],
    "workflow:rule_run": [Check(CHANGE_OWN_PAGE, method="post", obj="own_rule")],
    "workflow:rule_test": [
        Check(READ_OWN, obj="own_rule"),
        # an unknown item answers the form back (400) to those who see the rule
        Check(_roles(400, manager=404, operator=404), obj="other_rule", query="item=NOPE-1"),
    ],
    "workflow:rule_delete": [
        Check(CHANGE_OWN_PAGE, method="post", obj="own_rule"),
        Check(CHANGE_OTHER_PAGE, method="post", obj="other_rule"),
    ],
    "workflow-rule-list": [Check(READ), Check(OWNERS_400, method="post")],
    "workflow-rule-detail": [
        Check(READ_OWN, obj="own_rule"),
        Check(READ_OTHER, obj="other_rule"),
        Check(CHANGE_OWN_API, method="patch", obj="own_rule", data={"name": "改名"}),
        Check(
            _roles(200, manager=404, auditor=403, operator=404),
            method="patch",
            obj="other_rule",
            data={"name": "改名"},
        ),
        Check(_roles(204, auditor=403, operator=404), method="delete", obj="own_rule"),
    ],
    "workflow-rule-run": [Check(CHANGE_OWN_API, method="post", obj="own_rule")],
    # Without an item: those who see the rule get the 400 of the missing field.
    "workflow-rule-dry-run": [
        Check(_roles(400, operator=404), method="post", obj="own_rule"),
        Check(_roles(400, manager=404, operator=404), method="post", obj="other_rule"),
    ],
    "workflow-rule-runs": [Check(READ_OWN, obj="own_rule")],
    "workflow-rule-run-list": [Check(READ)],
    "workflow-rule-run-detail": [
        Check(READ_OWN, obj="own_run"),
        Check(READ_OTHER, obj="other_run"),
    ],
}

GUARDED = ("workflow.AutomationRule", "workflow.RuleRun")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A time rule of a T1-owned process with a run; a rule of a T3-owned process with one."""
    from opsteam.org.tests.factories import ProcessFactory
    from opsteam.workflow.tests.factories_rules import AutomationRuleFactory, RuleRunFactory

    own_process = ProcessFactory(owner_unit=objects["t1"])
    other_process = ProcessFactory(owner_unit=objects["t3"])
    own_rule = AutomationRuleFactory(
        process=own_process, name="超时提醒", trigger="waiting_over_target"
    )
    other_rule = AutomationRuleFactory(process=other_process, name="结算提醒")
    return {
        "own_rule": own_rule,
        "other_rule": other_rule,
        "own_run": RuleRunFactory(rule=own_rule),
        "other_run": RuleRunFactory(rule=other_rule),
    }
