"""XES event-log import: lifecycle pairing, namespaces, missing timestamps, hostile XML."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from opsteam.core.exceptions import ImportRejected
from opsteam.org.tests.factories import ProcessFactory, StaffFactory
from opsteam.workflow.imports import (
    XES_DEFAULTS,
    ColumnMapping,
    events_import,
    guess_mapping,
    read_columns,
)
from opsteam.workflow.models import ProcessEvent
from opsteam.workflow.tests.factories import EventSourceFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")
XES = ColumnMapping.from_dict(XES_DEFAULTS)


def _file(name: str) -> io.BytesIO:
    return io.BytesIO((DATA / name).read_bytes())


@pytest.fixture
def source(org_tree):
    process = ProcessFactory(code="LISTING", owner_unit=org_tree.t1)
    return EventSourceFactory(process=process, name="PM export", kind="xes", mapping=XES.as_dict())


def test_attribute_keys_are_offered_with_trace_keys_as_case_keys():
    columns = read_columns(_file("log_lifecycle.xes"), "log_lifecycle.xes")

    assert columns == [
        "case:concept:name",
        "concept:name",
        "org:resource",
        "lifecycle:transition",
        "time:timestamp",
    ]
    assert guess_mapping(columns, "xes") == XES_DEFAULTS


def test_start_and_complete_of_one_activity_become_one_row(source, user_as):
    # given a namespaced log: case-1 with two paired activities and a "schedule" event,
    # case-2 with a completion alone (naive time) and a start never completed
    e1001 = StaffFactory(employee_no="E1001")

    # when
    outcome = events_import(
        actor=user_as("hr"), source=source, handle=_file("log_lifecycle.xes"), filename="l.xes"
    )

    # then
    events = list(ProcessEvent.objects.order_by("case_id", "completed_at"))
    assert [(e.case_id, e.step_name, e.resource) for e in events] == [
        ("case-1", "受理", "E1001"),
        ("case-1", "审核", "wang.fang"),
        ("case-2", "受理", ""),
    ]
    assert events[0].started_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert events[0].completed_at == dt.datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    assert events[0].staff_id == e1001.pk
    assert events[1].started_at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    assert events[1].completed_at == dt.datetime(2026, 3, 2, 11, 15, tzinfo=SHANGHAI)
    assert events[2].started_at is None
    assert events[2].completed_at == dt.datetime(2026, 3, 3, 9, 10, tzinfo=SHANGHAI)
    assert outcome.created == 3
    assert outcome.skipped == 2
    assert "1 start events without a completion" in outcome.message


def test_without_a_start_mapping_every_completion_is_a_row_without_start(source, user_as):
    mapping = ColumnMapping.from_dict({**XES_DEFAULTS, "start": ""})

    events_import(
        actor=user_as("hr"),
        source=source,
        handle=_file("log_lifecycle.xes"),
        filename="l.xes",
        mapping=mapping,
    )

    assert ProcessEvent.objects.count() == 3
    assert not ProcessEvent.objects.filter(started_at__isnull=False).exists()


def test_missing_and_bad_timestamps_name_the_event_and_key(source, user_as):
    with pytest.raises(ImportRejected) as caught:
        events_import(
            actor=user_as("hr"),
            source=source,
            handle=_file("log_missing_timestamp.xes"),
            filename="m.xes",
        )

    problems = [(e["row"], e["column"], e["value"], e["code"]) for e in caught.value.errors]
    assert problems == [
        (2, "time:timestamp", "", "required"),
        (3, "time:timestamp", "not-a-date", "invalid"),
    ]
    assert not ProcessEvent.objects.exists()


def test_reimporting_an_xes_log_does_not_duplicate_events(source, user_as):
    hr = user_as("hr")
    for _ in range(2):
        events_import(actor=hr, source=source, handle=_file("log_lifecycle.xes"), filename="l.xes")

    assert ProcessEvent.objects.count() == 3


def test_invalid_xml_is_rejected_with_its_line(source, user_as):
    broken = b'<?xml version="1.0"?>\n<log>\n<trace>\n<event>\n</trace>\n</log>\n'

    with pytest.raises(ImportRejected) as caught:
        events_import(
            actor=user_as("hr"), source=source, handle=io.BytesIO(broken), filename="b.xes"
        )

    assert "line" in caught.value.errors[0]["reason"]


def test_entities_are_never_expanded(source, user_as, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    hostile = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE log [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<log><trace><string key="concept:name" value="c1"/><event>'
        '<string key="concept:name" value="&xxe;"/>'
        '<date key="time:timestamp" value="2026-03-02T09:00:00"/>'
        "</event></trace></log>"
    ).encode()

    with contextlib.suppress(ImportRejected):
        events_import(
            actor=user_as("hr"), source=source, handle=io.BytesIO(hostile), filename="h.xes"
        )

    assert not ProcessEvent.objects.filter(step_name__contains="TOP-SECRET").exists()


def test_compressed_files_are_refused_plainly(source, user_as):
    with pytest.raises(ImportRejected) as caught:
        events_import(
            actor=user_as("hr"),
            source=source,
            handle=io.BytesIO(b"\x1f\x8b\x08\x00rest"),
            filename="log.xes",
        )

    assert "compressed" in caught.value.errors[0]["reason"]
