import datetime as dt
from decimal import Decimal

import pytest

from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import PositionFactory, StaffFactory
from opsteam.performance import services
from opsteam.performance.choices import MeasurementSource, ScoringRule
from opsteam.performance.models import KpiTemplate, Measurement
from opsteam.performance.tests.factories import KpiFactory


@pytest.fixture
def hr(user_as):
    return user_as("hr")


def test_kpi_with_a_rule_the_engine_refuses_is_not_saved(hr):
    with pytest.raises(ValidationFailed, match="threshold"):
        services.kpi_create(
            actor=hr,
            code="GMV",
            name="销售额达成",
            category="goal_attainment",
            rule=ScoringRule.LINEAR,
            threshold=Decimal("120"),
            target=Decimal("100"),
        )


def test_band_kpi_needs_a_valid_table(hr):
    with pytest.raises(ValidationFailed, match="bands"):
        services.kpi_create(
            actor=hr,
            code="ACC",
            name="上架准确率",
            category="accuracy",
            rule=ScoringRule.BANDS,
            target=Decimal("99.5"),
            bands=[["x", 1]],
        )

    kpi = services.kpi_create(
        actor=hr,
        code="ACC",
        name="上架准确率",
        category="accuracy",
        rule=ScoringRule.BANDS,
        target=Decimal("99.5"),
        bands=[[98, 60], [99, 80], [99.5, 100]],
    )
    assert AuditEntry.objects.filter(object_type="performance.kpi", object_id=str(kpi.pk)).exists()


def test_template_activates_only_when_weights_make_100(hr):
    position = PositionFactory()
    gmv, acc = KpiFactory(), KpiFactory()

    draft = services.kpi_template_save(
        actor=hr,
        position=position,
        items=[{"kpi": gmv, "weight": Decimal("60")}, {"kpi": acc, "weight": Decimal("30")}],
    )
    with pytest.raises(ValidationFailed, match="90"):
        services.kpi_template_activate(actor=hr, template=draft)
    services.kpi_template_save(
        actor=hr,
        position=position,
        items=[{"kpi": gmv, "weight": Decimal("60")}, {"kpi": acc, "weight": Decimal("40")}],
    )
    active = services.kpi_template_activate(actor=hr, template=KpiTemplate.objects.get(pk=draft.pk))

    assert active.status == "active"
    assert active.version == 1
    with pytest.raises(InvalidTransition):
        services.kpi_template_activate(actor=hr, template=active)


def test_new_version_retires_the_previous_one_which_keeps_its_items(hr):
    position = PositionFactory()
    gmv, acc = KpiFactory(), KpiFactory()
    first = services.kpi_template_save(
        actor=hr, position=position, items=[{"kpi": gmv, "weight": Decimal("100")}]
    )
    services.kpi_template_activate(actor=hr, template=first)

    second = services.kpi_template_save(
        actor=hr,
        position=position,
        items=[{"kpi": gmv, "weight": Decimal("50")}, {"kpi": acc, "weight": Decimal("50")}],
    )
    services.kpi_template_activate(actor=hr, template=second)

    first.refresh_from_db()
    assert (first.status, second.version) == ("retired", 2)
    assert list(first.items.values_list("weight", flat=True)) == [Decimal("100.00")]


def test_hand_entered_values_are_marked_and_audited(hr, org_tree):
    staff = StaffFactory(unit=org_tree.t1)
    kpi = KpiFactory()

    services.measurement_enter(
        actor=hr, staff=staff, kpi=kpi, date=dt.date(2026, 10, 1), value=Decimal("12.5")
    )

    measurement = Measurement.objects.get()
    assert measurement.source == MeasurementSource.MANUAL
    assert measurement.entered_by == hr
    assert AuditEntry.objects.filter(object_type="performance.measurement").exists()


def test_operators_cannot_enter_measurements(user_as, org_tree):
    operator = user_as("operator")

    with pytest.raises(PolicyDenied):
        services.measurement_enter(
            actor=operator,
            staff=operator.staff,
            kpi=KpiFactory(),
            date=dt.date(2026, 10, 1),
            value=Decimal("1"),
        )
