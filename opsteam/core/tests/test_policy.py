import pytest

from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, PolicyDenied
from opsteam.org.models import Position, Staff
from opsteam.org.tests.factories import StaffFactory


@pytest.fixture
def people(org_tree):
    return {
        "t1": StaffFactory(unit=org_tree.t1),
        "t2": StaffFactory(unit=org_tree.t2),
        "t3": StaffFactory(unit=org_tree.t3),
    }


def test_manager_sees_own_subtree_and_self_only(user_as, org_tree, people):
    manager = user_as("manager", unit=org_tree.t1)

    visible = set(Staff.objects.restrict(manager, "view"))

    assert people["t1"] in visible
    assert manager.staff in visible
    assert people["t2"] not in visible
    assert people["t3"] not in visible


def test_department_manager_sees_every_team_below(user_as, org_tree, people):
    manager = user_as("manager", unit=org_tree.d1)

    visible = set(Staff.objects.restrict(manager, "view"))

    assert {people["t1"], people["t2"]} <= visible
    assert people["t3"] not in visible


def test_operator_sees_only_themself(user_as, org_tree, people):
    operator = user_as("operator")

    assert list(Staff.objects.restrict(operator, "view")) == [operator.staff]


@pytest.mark.parametrize("role", ["admin", "hr", "auditor"])
def test_org_wide_roles_see_everyone(user_as, org_tree, people, role):
    user = user_as(role)

    assert Staff.objects.restrict(user, "view").count() == 4


def test_auditor_cannot_change_anything(user_as, org_tree, people):
    auditor = user_as("auditor")

    with pytest.raises(PolicyDenied):
        policy.require(auditor, "change", people["t1"])
    with pytest.raises(PolicyDenied):
        policy.require(auditor, "add", Position)


def test_invisible_object_answers_not_visible_before_denied(user_as, org_tree, people):
    manager = user_as("manager", unit=org_tree.t1)

    with pytest.raises(NotVisible):
        policy.require(manager, "change", people["t3"])
    with pytest.raises(PolicyDenied):
        policy.require(manager, "change", people["t1"])


def test_inactive_user_has_no_roles(user_as, org_tree):
    hr = user_as("hr")
    hr.is_active = False

    assert policy.user_roles(hr) == {}


def test_undeclared_model_is_an_error():
    from django.contrib.sessions.models import Session

    with pytest.raises(LookupError):
        policy.rule_for(Session)
