"""KPI library, KPI templates and measurements pages, as HR, managers and operators use them."""

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import JobLevelFactory, PositionFactory, StaffFactory
from opsteam.performance import explain, services
from opsteam.performance.choices import (
    KpiAggregation,
    KpiDirection,
    MeasurementSource,
    ScoringRule,
    TemplateStatus,
)
from opsteam.performance.models import Kpi, KpiTemplate, Measurement
from opsteam.performance.tests.factories import KpiFactory

KPI_FORM = {
    "code": "GMV",
    "name": "销售额达成",
    "name_en": "Sales attainment",
    "definition": "",
    "definition_en": "",
    "category": "goal_attainment",
    "unit": "%",
    "direction": "1",
    "aggregation": "0",
    "rule": str(ScoringRule.LINEAR),
    "threshold": "60",
    "target": "100",
    "stretch": "120",
    "stretch_score": "120",
    "cap": "120",
    "per_unit": "0",
    "bands": "[]",
    "missing_rule": "0",
    "is_active": "on",
}


def _items(*rows, prefix="items"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, (kpi, weight) in enumerate(rows):
        data[f"{prefix}-{index}-kpi"] = str(kpi.pk)
        data[f"{prefix}-{index}-weight"] = str(weight)
        data[f"{prefix}-{index}-target"] = ""
    return data


# KPI library -------------------------------------------------------------------------------


def test_hr_creates_a_kpi_and_sees_its_rule_explained_with_a_curve(client_as):
    client = client_as("hr")

    response = client.post(reverse("performance:kpi_create"), KPI_FORM)

    kpi = Kpi.objects.get(code="GMV")
    assert response.status_code == 302
    assert response.url == reverse("performance:kpi_detail", args=[kpi.pk])
    assert AuditEntry.objects.filter(object_type="performance.kpi", object_id=str(kpi.pk)).exists()
    page = client.get(response.url).content.decode()
    assert "Scores 0 at 60% or worse and 100 at the target 100%" in page
    assert "120 at the stretch value 120%" in page
    option = json.loads(
        page.split('id="score-curve-option" type="application/json">')[1].split("<")[0]
    )
    points = dict(option["series"][0]["data"])
    assert points[60.0] == 0
    assert points[100.0] == 100
    assert points[120.0] == 120


def test_engine_refusal_is_shown_on_the_threshold_field(client_as):
    client = client_as("hr")

    response = client.post(
        reverse("performance:kpi_create"), {**KPI_FORM, "threshold": "150", "stretch": ""}
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert "threshold" in form.errors
    assert "must be worse than the target" in form.errors["threshold"][0]
    assert not Kpi.objects.exists()


def test_band_errors_are_shown_on_the_bands_field(client_as):
    client = client_as("hr")

    response = client.post(
        reverse("performance:kpi_create"),
        {**KPI_FORM, "rule": str(ScoringRule.BANDS), "bands": "[[99, 100], [98, 120]]"},
    )

    assert response.status_code == 400
    assert "never score less" in response.context["form"].errors["bands"][0]


def test_hr_edits_a_kpi_and_the_change_is_audited(client_as):
    client = client_as("hr")
    kpi = KpiFactory(code="ACC", target=Decimal("100"))
    data = {**KPI_FORM, "code": "ACC", "target": "95", "stretch": "110"}

    response = client.post(reverse("performance:kpi_update", args=[kpi.pk]), data)

    kpi.refresh_from_db()
    assert response.status_code == 302
    assert kpi.target == Decimal("95")
    assert AuditEntry.objects.filter(
        object_type="performance.kpi", object_id=str(kpi.pk), action="update"
    ).exists()


def test_kpi_list_searches_filters_and_sorts(client_as):
    client = client_as("operator")
    KpiFactory(code="GMV", name="销售额", category="goal_attainment")
    KpiFactory(
        code="AHT",
        name="平均处理时长",
        category="speed",
        direction=KpiDirection.LOWER,
        threshold=Decimal("600"),
        target=Decimal("300"),
        stretch=Decimal("200"),
    )
    KpiFactory(code="CSAT", name="满意度", category="satisfaction")
    url = reverse("performance:kpi_list")

    def codes(**query):
        return [kpi.code for kpi in client.get(url, query).context["object_list"]]

    assert codes() == ["AHT", "CSAT", "GMV"]
    assert codes(q="满意") == ["CSAT"]
    assert codes(category="speed") == ["AHT"]
    assert codes(direction=str(KpiDirection.LOWER)) == ["AHT"]
    assert codes(sort="-code") == ["GMV", "CSAT", "AHT"]


def test_operators_and_managers_read_the_library_but_cannot_change_it(client_as):
    kpi = KpiFactory()
    for role in ("operator", "manager", "auditor"):
        client = client_as(role)
        assert client.get(reverse("performance:kpi_detail", args=[kpi.pk])).status_code == 200
        assert client.get(reverse("performance:kpi_create")).status_code == 403
        assert client.post(reverse("performance:kpi_create"), KPI_FORM).status_code == 403
        assert client.get(reverse("performance:kpi_update", args=[kpi.pk])).status_code == 403
    assert not Kpi.objects.filter(code="GMV").exists()


def test_rule_in_words_covers_every_rule():
    kpi = Kpi(
        code="X",
        target=Decimal("100"),
        threshold=Decimal("0"),
        unit="",
        direction=1,
        per_unit=Decimal("2"),
        cap=Decimal("120"),
        stretch_score=Decimal("120"),
        bands=[[60, 50], [90, 100]],
        missing_rule=1,
        is_veto=True,
    )
    for rule in ScoringRule.values:
        kpi.rule = rule
        lines = explain.rule_in_words(kpi)
        assert lines[0] == "Higher is better."
        assert any("veto" in line.lower() for line in lines)
        assert explain.score_curve(kpi) is not None


# KPI templates -----------------------------------------------------------------------------


def test_template_editor_refuses_weights_that_do_not_make_100(client_as):
    client = client_as("hr")
    position = PositionFactory()
    gmv, acc = KpiFactory(), KpiFactory()

    response = client.post(
        reverse("performance:kpitemplate_create"),
        {"position": position.pk, "level": "", "note": "", **_items((gmv, 60), (acc, 30))},
    )

    assert response.status_code == 400
    assert "The weights add up to 90%; they must add up to exactly 100%." in (
        response.content.decode()
    )
    assert not KpiTemplate.objects.exists()


def test_template_draft_is_saved_activated_and_versioned(client_as):
    client = client_as("hr")
    position = PositionFactory()
    level = JobLevelFactory()
    gmv, acc, csat = KpiFactory(), KpiFactory(), KpiFactory()

    # given a first version, saved and activated
    response = client.post(
        reverse("performance:kpitemplate_create"),
        {"position": position.pk, "level": level.pk, "note": "v1", **_items((gmv, 60), (acc, 40))},
    )
    v1 = KpiTemplate.objects.get()
    assert response.url == v1.get_absolute_url()
    client.post(reverse("performance:kpitemplate_activate", args=[v1.pk]))
    v1.refresh_from_db()
    assert v1.status == TemplateStatus.ACTIVE

    # when HR changes the active template
    response = client.post(
        reverse("performance:kpitemplate_edit", args=[v1.pk]),
        {"note": "v2", **_items((gmv, 50), (acc, 30), (csat, 20))},
    )

    # then a second version opens as a draft; the first stays in force until activation
    v2 = KpiTemplate.objects.get(version=2)
    assert response.url == v2.get_absolute_url()
    assert (v2.position, v2.level, v2.status) == (position, level, TemplateStatus.DRAFT)
    assert sorted(v2.items.values_list("weight", flat=True)) == [20, 30, 50]
    v1.refresh_from_db()
    assert v1.status == TemplateStatus.ACTIVE
    assert v1.items.count() == 2
    page = client.get(v1.get_absolute_url()).content.decode()
    assert "Open draft v2" in page
    client.post(reverse("performance:kpitemplate_activate", args=[v2.pk]))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (TemplateStatus.RETIRED, TemplateStatus.ACTIVE)


def test_template_list_shows_totals_and_filters_by_status(client_as):
    client = client_as("manager")
    position = PositionFactory(code="OPS")
    gmv = KpiFactory()
    hr = client_as("hr").user
    draft = services.kpi_template_save(
        actor=hr, position=position, items=[{"kpi": gmv, "weight": Decimal("100")}]
    )
    client = client_as("manager")

    response = client.get(reverse("performance:kpitemplate_list"), {"status": "draft"})

    rows = list(response.context["object_list"])
    assert [row.pk for row in rows] == [draft.pk]
    assert rows[0].weight_total == Decimal("100")
    assert (
        client.get(reverse("performance:kpitemplate_list"), {"status": "active"})
        .context["object_list"]
        .count()
        == 0
    )


def test_managers_and_operators_cannot_edit_or_activate_templates(client_as, user_as):
    hr = user_as("hr")
    draft = services.kpi_template_save(
        actor=hr, position=PositionFactory(), items=[{"kpi": KpiFactory(), "weight": 100}]
    )
    for role in ("manager", "operator"):
        client = client_as(role)
        assert client.get(draft.get_absolute_url()).status_code == 200
        assert client.get(reverse("performance:kpitemplate_create")).status_code == 403
        assert (
            client.get(reverse("performance:kpitemplate_edit", args=[draft.pk])).status_code == 403
        )
        response = client.post(reverse("performance:kpitemplate_activate", args=[draft.pk]))
        assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == TemplateStatus.DRAFT


# Measurements ------------------------------------------------------------------------------


@pytest.fixture
def measured(team, user_as):
    """Values for the manager's three operators (T1) and the operator in T3."""
    hr = user_as("hr")
    people = [team["manager"], *team["operators"], team["other"]]
    for index, user in enumerate(people):
        services.measurement_enter(
            actor=hr,
            staff=user.staff,
            kpi=team["gmv"],
            date=dt.date(2026, 3, 1),
            value=Decimal(10 + index),
        )
    return {**team, "hr": hr}


def _listed(client, **query):
    response = client.get(reverse("performance:measurement_list"), query)
    assert response.status_code == 200
    return {m.staff.user_id for m in response.context["paginator"].object_list}


def test_operator_sees_only_their_own_measurements(client, measured):
    operator = measured["operators"][0]
    client.force_login(operator)

    assert _listed(client) == {operator.pk}
    assert _listed(client, staff=measured["other"].staff.pk) == set()


def test_manager_sees_their_subtree_and_hr_everyone(client, measured):
    client.force_login(measured["manager"])
    team = {measured["manager"].pk, *(u.pk for u in measured["operators"])}
    assert _listed(client) == team

    client.force_login(measured["hr"])
    assert _listed(client) == team | {measured["other"].pk}


def test_measurement_filters_narrow_the_list(client, measured):
    client.force_login(measured["hr"])
    operator = measured["operators"][1]

    assert _listed(client, staff=operator.staff.pk) == {operator.pk}
    assert _listed(client, employee_no=operator.staff.employee_no) == {operator.pk}
    assert _listed(client, kpi=measured["rate"].pk) == set()
    assert _listed(client, date_from="2026-03-02") == set()
    assert len(_listed(client, date_to="2026-03-01", source="manual")) == 5
    assert _listed(client, source="import") == set()


def test_measurement_list_links_to_the_kpi_import_and_its_history(client, measured):
    client.force_login(measured["hr"])

    page = client.get(reverse("performance:measurement_list")).content.decode()

    assert reverse("core:import_upload", args=["kpi"]) in page
    assert reverse("core:import_list") + "?kind=kpi" in page


def test_hr_enters_a_value_by_hand(client, measured):
    client.force_login(measured["hr"])
    staff = measured["operators"][2].staff

    response = client.post(
        reverse("performance:measurement_create"),
        {
            "employee_no": staff.employee_no,
            "kpi": measured["rate"].pk,
            "date": "2026-03-05",
            "value": "45",
            "denominator": "50",
        },
    )

    assert response.status_code == 302
    measurement = Measurement.objects.get(staff=staff, kpi=measured["rate"])
    assert (measurement.value, measurement.denominator) == (Decimal("45"), Decimal("50"))
    assert measurement.source == MeasurementSource.MANUAL
    assert measurement.entered_by == measured["hr"]


def test_hand_entry_explains_a_missing_denominator_and_an_unknown_person(client, measured):
    client.force_login(measured["hr"])

    response = client.post(
        reverse("performance:measurement_create"),
        {"employee_no": "NOBODY", "kpi": measured["rate"].pk, "date": "2026-03-05", "value": "1"},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "No staff member with this employee number." in errors["employee_no"]
    assert "A ratio KPI needs a denominator greater than 0." in errors["denominator"]


def test_managers_and_operators_cannot_enter_values(client, measured):
    staff = measured["operators"][0].staff
    for user in (measured["manager"], measured["operators"][0]):
        client.force_login(user)
        assert client.get(reverse("performance:measurement_create")).status_code == 403
        response = client.post(
            reverse("performance:measurement_create"),
            {
                "employee_no": staff.employee_no,
                "kpi": measured["gmv"].pk,
                "date": "2026-03-09",
                "value": "1",
            },
        )
        assert response.status_code == 403
    assert not Measurement.objects.filter(date=dt.date(2026, 3, 9)).exists()


def test_navigation_offers_the_kpi_pages_by_role(client_as):
    hr_page = client_as("hr").get(reverse("insights:home")).content.decode()
    for name in ("kpi_list", "kpitemplate_list", "measurement_list"):
        assert reverse(f"performance:{name}") in hr_page


# Query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 60])
def test_list_pages_run_a_bounded_number_of_queries(
    client, org_tree, user_as, django_assert_max_num_queries, rows
):
    hr = user_as("hr")
    kpis = [KpiFactory() for _ in range(rows)]
    people = [StaffFactory(unit=org_tree.t1) for _ in range(rows)]
    Measurement.objects.bulk_create(
        Measurement(staff=person, kpi=kpi, date=dt.date(2026, 1, 1), value=1)
        for person, kpi in zip(people, kpis, strict=True)
    )
    for index in range(rows):
        services.kpi_template_save(
            actor=hr,
            position=people[index].position,
            items=[{"kpi": kpis[index], "weight": Decimal("100")}],
        )
    client.force_login(hr)

    for name in ("kpi_list", "kpitemplate_list", "measurement_list"):
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"performance:{name}")).status_code == 200
        with django_assert_max_num_queries(20):
            assert client.get(reverse(f"performance:{name}"), {"export": "csv"}).status_code == 200


def test_ratio_kpi_curve_uses_its_rule():
    kpi = Kpi(
        code="R",
        target=Decimal("0.9"),
        threshold=Decimal("0.5"),
        stretch=None,
        unit="",
        direction=1,
        rule=ScoringRule.LINEAR,
        cap=Decimal("120"),
        stretch_score=Decimal("120"),
        per_unit=Decimal("0"),
        bands=[],
        missing_rule=0,
        aggregation=KpiAggregation.RATIO,
    )
    curve = explain.score_curve(kpi)
    points = dict(zip(curve["actual"], curve["score"], strict=True))
    assert points[0.5] == 0
    assert points[0.9] == 100
    assert max(curve["score"]) == 100


def test_new_template_does_not_overwrite_an_open_draft(client_as, user_as):
    hr = user_as("hr")
    position = PositionFactory()
    gmv, acc = KpiFactory(), KpiFactory()
    draft = services.kpi_template_save(
        actor=hr, position=position, items=[{"kpi": gmv, "weight": Decimal("100")}]
    )
    client = client_as("hr")

    response = client.post(
        reverse("performance:kpitemplate_create"),
        {"position": position.pk, "level": "", "note": "", **_items((acc, 100))},
    )

    assert response.status_code == 400
    assert "A draft (v1) is already open for this position and level" in response.content.decode()
    assert list(draft.items.values_list("kpi", flat=True)) == [gmv.pk]


@given(
    threshold=st.decimals(min_value=-1000, max_value=1000, places=2),
    gap=st.decimals(min_value=Decimal("0.5"), max_value=1000, places=2),
    stretch_gap=st.one_of(
        st.none(), st.decimals(min_value=Decimal("0.5"), max_value=500, places=2)
    ),
    lower_is_better=st.booleans(),
)
def test_score_curve_never_drops_as_the_value_gets_better(
    threshold, gap, stretch_gap, lower_is_better
):
    sign = -1 if lower_is_better else 1
    kpi = Kpi(
        code="P",
        rule=ScoringRule.LINEAR,
        direction=sign,
        unit="",
        threshold=threshold,
        target=threshold + sign * gap,
        stretch=None if stretch_gap is None else threshold + sign * (gap + stretch_gap),
        stretch_score=Decimal("120"),
        cap=Decimal("120"),
        per_unit=Decimal("0"),
        bands=[],
        missing_rule=0,
    )

    curve = explain.score_curve(kpi)

    scores = curve["score"] if not lower_is_better else curve["score"][::-1]
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(scores))
    assert min(scores) == 0
    assert 100 <= max(scores) <= 120
