"""Event push API: validation with index and field, all or nothing, duplicates, permissions,
token auth; the filtered event list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from opsteam.accounts import services as account_services
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import ProcessFactory
from opsteam.workflow.models import EventSource, ProcessEvent
from opsteam.workflow.tests.factories import EventSourceFactory, ProcessEventFactory

pytestmark = pytest.mark.django_db

URL = "/api/workflow/events/"


@pytest.fixture
def process(org_tree):
    return ProcessFactory(code="LISTING", owner_unit=org_tree.t1)


def _events(n: int = 2) -> list[dict]:
    return [
        {
            "case": f"SKU-{i}",
            "step": "上架审核",
            "resource": "E1001",
            "start": "2026-03-02T09:00:00+08:00",
            "complete": "2026-03-02T10:30:00+08:00",
        }
        for i in range(n)
    ]


def test_push_creates_the_source_and_appends_events(api_client_as, process):
    api = api_client_as("manager")

    response = api.post(
        URL, {"process": "LISTING", "source": "ERP", "events": _events()}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
    source = EventSource.objects.get(process=process, name="ERP")
    assert source.kind == "api"
    assert ProcessEvent.objects.filter(source=source).count() == 2
    assert AuditEntry.objects.filter(
        object_type="workflow.eventsource", object_id=str(source.pk), action="import"
    ).exists()


def test_pushing_the_same_events_again_skips_them(api_client_as, process):
    api = api_client_as("hr")
    body = [{**event, "process": process.pk, "source": "ERP"} for event in _events(3)]

    api.post(URL, body, format="json")
    again = api.post(URL, body, format="json")

    assert again.status_code == 201
    assert again.json() | {"sources": None} == {"created": 0, "skipped": 3, "sources": None}
    assert ProcessEvent.objects.count() == 3


def test_every_bad_event_is_named_by_index_and_field_and_nothing_is_written(api_client_as, process):
    api = api_client_as("hr")
    events = _events(4)
    events[1]["complete"] = "soon"
    events[2]["case"] = ""
    events[3]["complete"] = "2026-03-02T08:00:00+08:00"  # before its start

    response = api.post(URL, {"process": "LISTING", "events": events}, format="json")

    assert response.status_code == 400
    errors = [(e["index"], e["field"], e["attr"]) for e in response.json()["errors"]]
    assert errors == [
        (1, "complete", "events.1.complete"),
        (2, "case", "events.2.case"),
        (3, "complete", "events.3.complete"),
    ]
    assert not ProcessEvent.objects.exists()
    assert not EventSource.objects.exists()


def test_unknown_process_is_an_error_of_that_event(api_client_as, process):
    api = api_client_as("hr")
    events = [{**_events(1)[0], "process": "NOPE"}]

    response = api.post(URL, events, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "process"


@pytest.mark.parametrize(("role", "expected"), [("operator", 403), ("auditor", 403)])
def test_readers_and_operators_cannot_push(api_client_as, process, role, expected):
    response = api_client_as(role).post(
        URL, {"process": "LISTING", "events": _events()}, format="json"
    )

    assert response.status_code == expected
    assert not ProcessEvent.objects.exists()


def test_manager_cannot_push_to_another_units_process(api_client_as, org_tree):
    ProcessFactory(code="SETTLE", owner_unit=org_tree.t3)

    response = api_client_as("manager").post(
        URL, {"process": "SETTLE", "events": _events()}, format="json"
    )

    assert response.status_code == 403
    assert not ProcessEvent.objects.exists()


def test_push_with_an_api_token(user_as, process):
    user = user_as("hr")
    _token, secret = account_services.api_token_create(actor=user, name="ERP")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    response = api.post(URL, {"process": "LISTING", "events": _events(1)}, format="json")

    assert response.status_code == 201
    assert ProcessEvent.objects.get().source.name == "API"


def test_list_filters_by_process_case_and_time(api_client_as, process, org_tree):
    api = api_client_as("manager")
    other = ProcessFactory(owner_unit=org_tree.t3)
    when = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    source = EventSourceFactory(process=process)
    ProcessEventFactory(process=process, source=source, case_id="A", completed_at=when)
    ProcessEventFactory(
        process=process, source=source, case_id="B", completed_at=when + dt.timedelta(days=5)
    )
    ProcessEventFactory(process=other, case_id="A", completed_at=when)

    everything = api.get(URL).json()
    by_case = api.get(URL, {"process": process.pk, "case": "A"}).json()
    by_time = api.get(URL, {"since": "2026-03-05T00:00:00Z"}).json()
    bad = api.get(URL, {"since": "tomorrow"})

    assert [e["case_id"] for e in everything["results"]] == ["A", "B"]  # not the T3 process
    assert [e["case_id"] for e in by_case["results"]] == ["A"]
    assert [e["case_id"] for e in by_time["results"]] == ["B"]
    assert bad.status_code == 400


def test_operator_cannot_list_events(api_client_as, process):
    assert api_client_as("operator").get(URL).status_code == 403


def test_event_detail_of_another_unit_is_not_found(api_client_as, org_tree):
    event = ProcessEventFactory(process=ProcessFactory(owner_unit=org_tree.t3))

    response = api_client_as("manager").get(reverse("workflow-event-detail", args=[event.pk]))

    assert response.status_code == 404
