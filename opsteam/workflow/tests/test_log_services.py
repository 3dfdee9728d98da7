"""Event sources and pushed events: who may write, names, mapping, clearing, duplicates."""

from __future__ import annotations

import pytest

from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import ImportRejected, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.org.tests.factories import ProcessFactory
from opsteam.workflow import services_log
from opsteam.workflow.imports import ColumnMapping
from opsteam.workflow.models import EventSource, ProcessEvent
from opsteam.workflow.tests.factories import EventSourceFactory, ProcessEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(org_tree):
    return ProcessFactory(code="AFTERSALES", owner_unit=org_tree.t1)


def test_manager_adds_a_source_to_their_units_process_only(process, org_tree, user_as):
    manager = user_as("manager")
    other = ProcessFactory(owner_unit=org_tree.t3)

    source = services_log.event_source_create(
        actor=manager, process=process, name=" 工单系统 ", kind="csv"
    )

    assert source.name == "工单系统"
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(source.pk)).exists()
    with pytest.raises(NotVisible):
        services_log.event_source_create(actor=manager, process=other, name="x", kind="csv")
    with pytest.raises(PolicyDenied):
        services_log.event_source_create(
            actor=user_as("auditor"), process=process, name="y", kind="csv"
        )


def test_a_source_name_is_unique_within_its_process(process, user_as):
    hr = user_as("hr")
    services_log.event_source_create(actor=hr, process=process, name="CRM", kind="csv")

    with pytest.raises(ValidationFailed) as caught:
        services_log.event_source_create(actor=hr, process=process, name="CRM", kind="xes")

    assert caught.value.field == "name"


def test_mapping_is_saved_and_an_incomplete_one_refused(process, user_as):
    hr = user_as("hr")
    source = EventSourceFactory(process=process, mapping={})
    mapping = ColumnMapping(case="单号", step="环节", complete="完成", timezone="Asia/Tokyo")

    services_log.event_source_mapping_save(actor=hr, source=source, mapping=mapping)

    source.refresh_from_db()
    assert source.mapping["case"] == "单号"
    assert source.mapping["timezone"] == "Asia/Tokyo"
    with pytest.raises(ValidationFailed) as caught:
        services_log.event_source_mapping_save(
            actor=hr, source=source, mapping=ColumnMapping(case="单号", step="", complete="完成")
        )
    assert caught.value.field == "step"


def test_clearing_a_source_deletes_only_its_events_and_audits_the_count(process, user_as):
    source = EventSourceFactory(process=process)
    ProcessEventFactory.create_batch(4, process=process, source=source)
    kept = ProcessEventFactory(process=process, source=EventSourceFactory(process=process))

    deleted = services_log.source_events_delete(actor=user_as("hr"), source=source)

    assert deleted == 4
    assert list(ProcessEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    entry = AuditEntry.objects.get(action=AuditAction.OTHER, object_id=str(source.pk))
    assert (entry.before, entry.after) == ({"events": 4}, {"events": 0})


def test_push_skips_duplicates_within_one_request_and_reads_naive_times_in_user_zone(
    process, user_as
):
    hr = user_as("hr")
    hr.time_zone = "Europe/Berlin"
    event = {"case": "A", "step": "受理", "complete": "2026-03-02 10:00"}

    result = services_log.events_push(
        actor=hr, events=[event, dict(event)], process="AFTERSALES", source_name="ERP"
    )

    assert (result.created, result.skipped) == (1, 1)
    stored = ProcessEvent.objects.get()
    assert stored.completed_at.isoformat() == "2026-03-02T09:00:00+00:00"
    assert EventSource.objects.get().kind == "api"


def test_push_rejects_everything_when_one_event_is_bad(process, user_as):
    events = [
        {"case": "A", "step": "受理", "complete": "2026-03-02T10:00:00+08:00"},
        {"case": ["not", "text"], "step": "受理", "complete": "2026-03-02T10:00:00+08:00"},
        "not an event",
    ]

    with pytest.raises(ImportRejected) as caught:
        services_log.events_push(actor=user_as("hr"), events=events, process=process.pk)

    assert [(e["row"], e["column"]) for e in caught.value.errors] == [(1, "case"), (2, None)]
    assert not ProcessEvent.objects.exists()
