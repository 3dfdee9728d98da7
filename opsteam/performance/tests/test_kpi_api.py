"""KPI API: the library, templates, measurements and the bulk upload through the kpi import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.tests.factories import PositionFactory, StaffFactory
from opsteam.performance import services
from opsteam.performance.choices import KpiAggregation, MeasurementSource, TemplateStatus
from opsteam.performance.models import Kpi, KpiTemplate, Measurement
from opsteam.performance.tests.factories import KpiFactory

BULK = reverse("performance-measurement-bulk")
KPI_BODY = {
    "code": "GMV",
    "name": "销售额达成",
    "category": "goal_attainment",
    "rule": 0,
    "threshold": "60",
    "target": "100",
    "stretch": "120",
}


# KPIs ---------------------------------------------------------------------------------------


def test_hr_creates_and_updates_a_kpi(api_client_as):
    api = api_client_as("hr")

    created = api.post(reverse("performance-kpi-list"), KPI_BODY, format="json")
    pk = created.json()["id"]
    updated = api.patch(
        reverse("performance-kpi-detail", args=[pk]), {"target": "95"}, format="json"
    )

    assert created.status_code == 201
    assert updated.status_code == 200
    assert Decimal(updated.json()["target"]) == Decimal("95")
    assert AuditEntry.objects.filter(object_type="performance.kpi", object_id=str(pk)).count() == 2


def test_engine_refusal_names_the_field(api_client_as):
    api = api_client_as("hr")

    response = api.post(
        reverse("performance-kpi-list"), {**KPI_BODY, "threshold": "150"}, format="json"
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "threshold"
    assert "worse than the target" in error["detail"]


def test_unknown_kpi_fields_are_not_mass_assigned(api_client_as):
    api = api_client_as("hr")

    response = api.post(
        reverse("performance-kpi-list"),
        {**KPI_BODY, "id": 999, "created_at": "2000-01-01T00:00:00Z"},
        format="json",
    )

    kpi = Kpi.objects.get(code="GMV")
    assert response.status_code == 201
    assert kpi.pk != 999
    assert kpi.created_at.year != 2000


@pytest.mark.parametrize("role", ["manager", "operator", "auditor"])
def test_others_read_kpis_but_cannot_write(api_client_as, role):
    kpi = KpiFactory()
    api = api_client_as(role)

    assert api.get(reverse("performance-kpi-list")).json()["count"] == 1
    assert api.post(reverse("performance-kpi-list"), KPI_BODY, format="json").status_code == 403
    patch = api.patch(
        reverse("performance-kpi-detail", args=[kpi.pk]), {"target": "1"}, format="json"
    )
    assert patch.status_code == 403
    assert not Kpi.objects.filter(code="GMV").exists()


def test_kpi_list_filters_by_category_and_search(api_client_as):
    KpiFactory(code="GMV", category="goal_attainment")
    KpiFactory(code="AHT", category="speed")
    api = api_client_as("operator")

    speed = api.get(reverse("performance-kpi-list"), {"category": "speed"}).json()
    search = api.get(reverse("performance-kpi-list"), {"q": "GM"}).json()

    assert [row["code"] for row in speed["results"]] == ["AHT"]
    assert [row["code"] for row in search["results"]] == ["GMV"]


# Templates ----------------------------------------------------------------------------------


def test_templates_are_saved_as_drafts_and_activated(api_client_as):
    api = api_client_as("hr")
    position = PositionFactory()
    gmv, acc = KpiFactory(), KpiFactory()
    body = {
        "position": position.pk,
        "items": [{"kpi": gmv.pk, "weight": "70"}, {"kpi": acc.pk, "weight": "30"}],
    }

    created = api.post(reverse("performance-kpi-template-list"), body, format="json")
    pk = created.json()["id"]
    patched = api.patch(
        reverse("performance-kpi-template-detail", args=[pk]),
        {"items": [{"kpi": gmv.pk, "weight": "100"}], "note": "只看销售额"},
        format="json",
    )
    activated = api.post(reverse("performance-kpi-template-activate", args=[pk]))
    refused = api.patch(
        reverse("performance-kpi-template-detail", args=[pk]),
        {"items": [{"kpi": acc.pk, "weight": "100"}]},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["status"] == TemplateStatus.DRAFT
    assert [item["weight"] for item in patched.json()["items"]] == ["100.00"]
    assert activated.json()["status"] == TemplateStatus.ACTIVE
    assert refused.status_code == 409
    template = KpiTemplate.objects.get(pk=pk)
    assert list(template.items.values_list("kpi", flat=True)) == [gmv.pk]


def test_template_weights_must_make_100(api_client_as):
    api = api_client_as("hr")
    gmv, acc = KpiFactory(), KpiFactory()

    response = api.post(
        reverse("performance-kpi-template-list"),
        {
            "position": PositionFactory().pk,
            "items": [{"kpi": gmv.pk, "weight": "60"}, {"kpi": acc.pk, "weight": "30"}],
        },
        format="json",
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "items"
    assert error["detail"] == "The weights add up to 90%; they must add up to exactly 100%."
    assert not KpiTemplate.objects.exists()


def test_managers_cannot_write_templates(api_client_as, user_as):
    draft = services.kpi_template_save(
        actor=user_as("hr"),
        position=PositionFactory(),
        items=[{"kpi": KpiFactory(), "weight": 100}],
    )
    api = api_client_as("manager")

    assert api.get(reverse("performance-kpi-template-detail", args=[draft.pk])).status_code == 200
    response = api.post(reverse("performance-kpi-template-activate", args=[draft.pk]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == TemplateStatus.DRAFT


# Measurements -------------------------------------------------------------------------------


def _measure(actor, staff, kpi, day=1, value=10):
    return services.measurement_enter(
        actor=actor, staff=staff, kpi=kpi, date=dt.date(2026, 3, day), value=Decimal(value)
    )


def test_operator_lists_only_their_own_measurements(team, user_as, api_client_as):
    hr = user_as("hr")
    for user in [team["manager"], *team["operators"], team["other"]]:
        _measure(hr, user.staff, team["gmv"])
    from rest_framework.test import APIClient

    api = APIClient()
    operator = team["operators"][0]
    api.force_authenticate(operator)

    rows = api.get(reverse("performance-measurement-list")).json()["results"]
    other = Measurement.objects.get(staff=team["other"].staff)

    assert [row["employee_no"] for row in rows] == [operator.staff.employee_no]
    assert api.get(reverse("performance-measurement-detail", args=[other.pk])).status_code == 404
    api.force_authenticate(team["manager"])
    team_rows = api.get(reverse("performance-measurement-list")).json()["results"]
    assert len(team_rows) == 4


def test_measurement_list_filters(team, user_as, api_client_as):
    hr = user_as("hr")
    operator = team["operators"][0].staff
    _measure(hr, operator, team["gmv"], day=1)
    _measure(hr, operator, team["gmv"], day=20)
    api = api_client_as("hr")
    url = reverse("performance-measurement-list")

    def dates(**query):
        return [row["date"] for row in api.get(url, query).json()["results"]]

    assert dates(staff=operator.pk, date_from="2026-03-10") == ["2026-03-20"]
    assert dates(kpi=team["gmv"].pk, date_to="2026-03-10") == ["2026-03-01"]
    assert dates(source="import") == []


def test_hr_enters_one_value_by_api(api_client_as, org_tree):
    api = api_client_as("hr")
    staff = StaffFactory(unit=org_tree.t1)
    kpi = KpiFactory()

    response = api.post(
        reverse("performance-measurement-list"),
        {
            "staff": staff.pk,
            "kpi": kpi.pk,
            "date": "2026-03-01",
            "value": "12.5",
            "source": "import",
            "batch": "forged",
        },
        format="json",
    )

    assert response.status_code == 201
    measurement = Measurement.objects.get()
    assert measurement.source == MeasurementSource.MANUAL
    assert measurement.batch == ""
    assert measurement.value == Decimal("12.5")


@pytest.mark.parametrize("role", ["manager", "operator", "auditor"])
def test_only_editors_enter_or_bulk_upload(api_client_as, org_tree, role):
    staff = StaffFactory(unit=org_tree.t1, employee_no="E1")
    kpi = KpiFactory(code="GMV")
    api = api_client_as(role)

    one = api.post(
        reverse("performance-measurement-list"),
        {"staff": staff.pk, "kpi": kpi.pk, "date": "2026-03-01", "value": "1"},
        format="json",
    )
    bulk = api.post(
        BULK,
        {"rows": [{"employee_no": "E1", "kpi_code": "GMV", "date": "2026-03-01", "value": 1}]},
        format="json",
    )

    assert one.status_code == 403
    assert bulk.status_code == 403
    assert not Measurement.objects.exists()


# Bulk ---------------------------------------------------------------------------------------


@pytest.fixture
def bulk_world(org_tree):
    return {
        "e1": StaffFactory(employee_no="E1", unit=org_tree.t1),
        "e2": StaffFactory(employee_no="E2", unit=org_tree.t1),
        "gmv": KpiFactory(code="GMV", aggregation=KpiAggregation.SUM),
        "rate": KpiFactory(code="RATE", aggregation=KpiAggregation.RATIO),
    }


GOOD_ROWS = [
    {"employee_no": "E1", "kpi_code": "GMV", "date": "2026-03-01", "value": 120.5},
    {"employee_no": "E1", "kpi_code": "GMV", "date": "2026-03-02", "value": "99"},
    {"employee_no": "E2", "kpi_code": "RATE", "date": "2026-03-01", "value": 45, "denominator": 50},
]


def test_bulk_upload_imports_through_the_kpi_spec(api_client_as, bulk_world):
    api = api_client_as("hr")

    response = api.post(BULK, {"batch": "2026-03", "rows": GOOD_ROWS}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["skipped"]) == (3, 0, 0, 0)
    assert body["batch"] == "2026-03"
    assert body["errors"] == []
    stored = {
        (m.staff.employee_no, m.kpi.code, m.date.isoformat()): (m.value, m.denominator, m.batch)
        for m in Measurement.objects.select_related("staff", "kpi")
    }
    assert stored == {
        ("E1", "GMV", "2026-03-01"): (Decimal("120.5"), None, "2026-03"),
        ("E1", "GMV", "2026-03-02"): (Decimal("99"), None, "2026-03"),
        ("E2", "RATE", "2026-03-01"): (Decimal("45"), Decimal("50"), "2026-03"),
    }
    job = ImportJob.objects.get(pk=body["job"])
    assert (job.kind, job.source, job.status) == ("kpi", "api", "committed")


def test_bulk_upload_is_retry_safe(api_client_as, bulk_world):
    api = api_client_as("hr")
    first = api.post(BULK, {"batch": "2026-03", "rows": GOOD_ROWS}, format="json")
    audit_count = AuditEntry.objects.count()
    values = list(Measurement.objects.order_by("pk").values_list("pk", "value", "recorded_at"))

    again = api.post(BULK, {"batch": "2026-03", "rows": GOOD_ROWS}, format="json")

    assert first.status_code == again.status_code == 201
    body = again.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 3)
    assert list(Measurement.objects.order_by("pk").values_list("pk", "value", "recorded_at")) == (
        values
    )
    assert AuditEntry.objects.count() == audit_count


def test_bulk_without_a_batch_name_is_retry_safe_too(api_client_as, bulk_world):
    api = api_client_as("hr")

    first = api.post(BULK, {"rows": GOOD_ROWS}, format="json").json()
    again = api.post(BULK, {"rows": GOOD_ROWS}, format="json").json()

    assert first["batch"] == again["batch"]
    assert first["batch"].startswith("api-bulk-")
    assert again["unchanged"] == 3


def test_bulk_dry_run_writes_nothing(api_client_as, bulk_world):
    api = api_client_as("hr")

    response = api.post(BULK, {"rows": GOOD_ROWS, "dry_run": True}, format="json")

    assert response.status_code == 200
    assert response.json()["rows_total"] == 3
    assert response.json()["dry_run"] is True
    assert not Measurement.objects.exists()


def test_bulk_lists_every_problem_and_writes_nothing(api_client_as, bulk_world):
    api = api_client_as("hr")
    rows = [
        GOOD_ROWS[0],
        {"employee_no": "NOBODY", "kpi_code": "GMV", "date": "2026-03-01", "value": 1},
        {"employee_no": "E1", "kpi_code": "NOPE", "date": "2026-03-01", "value": 1},
        {"employee_no": "E1", "kpi_code": "GMV", "date": "not a date", "value": 1},
        {"employee_no": "E2", "kpi_code": "GMV", "date": "2026-03-01", "value": "abc"},
        {"employee_no": "E2", "kpi_code": "RATE", "date": "2026-03-01", "value": 4},
    ]

    response = api.post(BULK, {"batch": "bad", "rows": rows}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    problems = {(error["row"], error["attr"]) for error in body["errors"]}
    assert problems >= {
        (2, "employee_no"),
        (3, "kpi_code"),
        (4, "date"),
        (5, "value"),
        (6, "denominator"),
    }
    assert all(error["detail"] for error in body["errors"])
    assert not Measurement.objects.exists()


def test_bulk_reports_shape_problems_all_at_once(api_client_as, bulk_world):
    api = api_client_as("hr")

    response = api.post(
        BULK,
        {
            "rows": [
                {"employee_no": "E1", "kpi_code": "GMV", "date": "2026-03-01", "value": [1]},
                "not an object",
                {"employee_no": "E1", "colour": "red"},
            ],
            "dry_run": "yes",
            "extra": 1,
        },
        format="json",
    )

    assert response.status_code == 400
    problems = {(error["row"], error["attr"]) for error in response.json()["errors"]}
    assert problems == {
        (1, "value"),
        (2, "rows"),
        (3, "colour"),
        (None, "dry_run"),
        (None, "extra"),
    }
    assert not ImportJob.objects.exists()


def test_bulk_never_overwrites_a_value_entered_by_hand(api_client_as, bulk_world):
    api = api_client_as("hr")
    services.measurement_enter(
        actor=api.user,
        staff=bulk_world["e1"],
        kpi=bulk_world["gmv"],
        date=dt.date(2026, 3, 1),
        value=Decimal("7"),
    )

    body = api.post(BULK, {"batch": "b1", "rows": GOOD_ROWS}, format="json").json()

    assert body["skipped"] == 1
    assert Measurement.objects.get(staff=bulk_world["e1"], date="2026-03-01").value == 7


@pytest.mark.parametrize("rows", [5, 60])
def test_api_lists_run_a_bounded_number_of_queries(
    org_tree, api_client_as, django_assert_max_num_queries, rows
):
    api = api_client_as("hr")
    kpis = [KpiFactory() for _ in range(rows)]
    people = [StaffFactory(unit=org_tree.t1) for _ in range(rows)]
    Measurement.objects.bulk_create(
        Measurement(staff=person, kpi=kpi, date=dt.date(2026, 1, 1), value=1)
        for person, kpi in zip(people, kpis, strict=True)
    )
    for index in range(rows):
        services.kpi_template_save(
            actor=api.user,
            position=people[index].position,
            items=[{"kpi": kpis[index], "weight": Decimal("100")}],
        )

    for name in (
        "performance-kpi-list",
        "performance-kpi-template-list",
        "performance-measurement-list",
    ):
        with django_assert_max_num_queries(15):
            response = api.get(reverse(name), {"page_size": 500})
        assert response.status_code == 200
        assert response.json()["count"] == rows


def test_bulk_refuses_a_batch_name_with_control_characters(api_client_as, bulk_world):
    api = api_client_as("hr")

    response = api.post(BULK, {"batch": "march\x00", "rows": GOOD_ROWS}, format="json")

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["batch"]
    assert not Measurement.objects.exists()
