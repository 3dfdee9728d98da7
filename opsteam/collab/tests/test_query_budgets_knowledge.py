"""The knowledge base's list, search, API lists, a linked JD page and the home section run a
fixed number of queries (the home section: see test_knowledge.py).

10 documents (grown to 500) of team T1, each with two versions, two tags, a linked position
and step; requested at each size as HR (everything), the team's manager (their subtree and
company-wide documents) and an operator of the team (published ones visible to them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from opsteam.collab.models_knowledge import Document, DocumentVersion
from opsteam.core.tests.query_budgets import (
    SIZES,
    Endpoint,
    assert_constant,
    assert_within_budget,
    logged_in_client,
    measure,
    measured_in_rollback,
)

pytestmark = pytest.mark.django_db

BUDGET = 14


@dataclass
class Dataset:
    hr: Any
    unit: Any
    position: Any
    step: Any
    jd: Any
    made: int = 0

    def grow(self, size: int) -> None:
        now = timezone.now()
        documents = Document.objects.bulk_create(
            Document(
                title=f"店铺上新 SOP {number:04d}",
                body=f"# 上新\n提报后 {number % 5 + 1} 天内上架。\n主图须通过审核。",
                tags=",上新,商品,",
                unit=self.unit,
                visibility="everyone" if number % 2 else "unit",
                status="draft" if number % 7 == 0 else "published",
                version=2,
                author=self.hr,
                updated_by=self.hr,
                updated_at=now,
            )
            for number in range(self.made, size)
        )
        DocumentVersion.objects.bulk_create(
            DocumentVersion(document=document, number=number, title=document.title, body="v")
            for document in documents
            for number in (1, 2)
        )
        Document.positions.through.objects.bulk_create(
            Document.positions.through(document=document, position=self.position)
            for document in documents
        )
        Document.steps.through.objects.bulk_create(
            Document.steps.through(document=document, step=self.step) for document in documents
        )
        self.made = max(self.made, size)


ENDPOINTS: dict[str, Endpoint] = {
    "page documents hr": Endpoint("collab:document_list"),
    "page documents manager": Endpoint("collab:document_list", login="manager"),
    "page search operator": Endpoint(
        "collab:document_list", {"q": "上新 审核", "tag": "商品"}, login="operator"
    ),
    "api documents": Endpoint("collab-document-list", {"page_size": 500}, rows="api"),
    "api documents operator": Endpoint("collab-document-list", login="operator"),
    "api search": Endpoint("collab-document-search", {"q": "上新", "category": "sop"}),
    "page jd related": Endpoint(
        "org:jobdescription_detail", kwargs={"pk": lambda data: data.jd.pk}, login="operator"
    ),
    "page step related": Endpoint(
        "workflow:step_sop", kwargs={"pk": lambda data: data.step.pk}, login="operator"
    ),
}


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict[str, dict[int, Any]]:
    def build() -> dict:
        from opsteam.accounts.tests.factories import RoleGrantFactory, UserFactory
        from opsteam.org.tests.factories import (
            JobDescriptionFactory,
            OrgUnitFactory,
            StaffFactory,
        )
        from opsteam.workflow.tests.factories import StepFactory

        unit = OrgUnitFactory(code="KB-T1", name="店铺运营组")
        hr = UserFactory(username="knowledge-hr")
        RoleGrantFactory(user=hr, role="hr")
        manager = UserFactory(username="knowledge-manager")
        RoleGrantFactory(user=manager, role="manager", unit=unit)
        operator = UserFactory(username="knowledge-operator")
        RoleGrantFactory(user=operator, role="operator")
        staff = StaffFactory(user=operator, unit=unit)
        step = StepFactory(position=staff.position)
        jd = JobDescriptionFactory(position=staff.position, version=1, status="published")
        data = Dataset(hr=hr, unit=unit, position=staff.position, step=step, jd=jd)
        clients = {
            "hr": logged_in_client(hr),
            "manager": logged_in_client(manager),
            "operator": logged_in_client(operator),
        }
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
