"""Fixtures shared by the performance tests."""

from decimal import Decimal

import pytest

from opsteam.org.tests.factories import PositionFactory
from opsteam.performance.choices import KpiAggregation, TemplateStatus
from opsteam.performance.models import KpiTemplate, KpiTemplateItem
from opsteam.performance.tests.factories import KpiFactory


@pytest.fixture
def team(org_tree, user_as):
    """A manager and three operators of one position in T1, a KPI template (GMV 60% sum,
    resolution rate 40% ratio), and an operator of another position in T3."""
    position = PositionFactory(code="OPS")
    manager_user = user_as("manager", unit=org_tree.t1, position=position)
    manager = manager_user.staff
    operators = [
        user_as("operator", unit=org_tree.t1, position=position, manager=manager) for _ in range(3)
    ]
    other = user_as("operator", unit=org_tree.t3)
    gmv = KpiFactory(
        code="GMV", aggregation=KpiAggregation.SUM, threshold=0, target=100, stretch=None
    )
    rate = KpiFactory(
        code="RATE",
        aggregation=KpiAggregation.RATIO,
        threshold=Decimal("0.5"),
        target=Decimal("0.9"),
        stretch=None,
    )
    template = KpiTemplate.objects.create(position=position, status=TemplateStatus.ACTIVE)
    KpiTemplateItem.objects.create(template=template, kpi=gmv, weight=60)
    KpiTemplateItem.objects.create(template=template, kpi=rate, weight=40)
    return {
        "position": position,
        "manager": manager_user,
        "operators": operators,
        "other": other,
        "gmv": gmv,
        "rate": rate,
        "template": template,
    }
