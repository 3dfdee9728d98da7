"""List pages and API lists run a bounded number of queries, however many rows they show."""

import pytest
from django.urls import reverse

from opsteam.org import services
from opsteam.org.tests.factories import (
    ActivityFactory,
    JobDescriptionFactory,
    JobDutyFactory,
    PositionFactory,
    RaciAssignmentFactory,
    StaffFactory,
)

BUDGET = 25


@pytest.fixture
def populated(org_tree, user_as):
    hr = user_as("hr")
    positions = [PositionFactory(unit=org_tree.t1) for _ in range(8)]
    managers = [StaffFactory(unit=org_tree.t1, position=positions[0]) for _ in range(3)]
    for index in range(45):
        StaffFactory(
            unit=[org_tree.t1, org_tree.t2, org_tree.t3][index % 3],
            position=positions[index % 8],
            manager=managers[index % 3],
        )
    for position in positions:
        jd = JobDescriptionFactory(position=position)
        JobDutyFactory(job_description=jd)
        activity = ActivityFactory()
        RaciAssignmentFactory(activity=activity, position=position, role="A")
        services.position_update(actor=hr, position=position, headcount_plan=5)
    return hr


@pytest.mark.parametrize(
    "name",
    [
        "org:staff_list",
        "org:position_list",
        "org:orgunit_list",
        "org:jobdescription_list",
        "core:audit_list",
        "core:import_list",
        "accounts:user_list",
        "insights:home",
        "org:raci_matrix",
        "org:raci_analysis",
        "org:who_does_what",
        "org:orgchart",
    ],
)
def test_list_page_query_count_is_bounded(client, populated, django_assert_max_num_queries, name):
    client.force_login(populated)

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "org-staff-list",
        "org-position-list",
        "org-unit-list",
        "org-job-description-list",
        "org-assignment-list",
        "org-activity-list",
        "org-raci-list",
        "audit-entry-list",
        "import-job-list",
        "org-who-does-what",
        "org-raci-analysis",
        "org-unit-chart",
    ],
)
def test_api_list_query_count_is_bounded(client, populated, django_assert_max_num_queries, name):
    client.force_login(populated)

    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse(name), {"page_size": 100})

    assert response.status_code == 200


def test_manager_staff_list_and_export_stay_bounded(
    client_as, populated, org_tree, django_assert_max_num_queries
):
    client = client_as("manager", unit=org_tree.d1)

    with django_assert_max_num_queries(BUDGET):
        page = client.get(reverse("org:staff_list"))
    with django_assert_max_num_queries(BUDGET):
        export = client.get(reverse("org:staff_list"), {"export": "csv"})
        rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()

    assert page.status_code == 200
    # D1 holds teams T1 and T2: two thirds of the 45, the 3 managers, the HR user and the caller
    assert len(rows) - 1 == 30 + 3 + 1 + 1
    assert "2023-01-01" in rows[1]
