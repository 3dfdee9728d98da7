"""CSV event-log import: encodings, delimiters, the saved mapping, row errors, re-import."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from opsteam.core.choices import AuditAction, ImportStatus
from opsteam.core.exceptions import ImportRejected, NotVisible, PolicyDenied
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.org.tests.factories import ProcessFactory, StaffFactory
from opsteam.workflow.imports import ColumnMapping, events_import, guess_mapping, read_columns
from opsteam.workflow.models import ProcessEvent
from opsteam.workflow.tests.factories import (
    EventSourceFactory,
    ProcessEventFactory,
    ProcessMapFactory,
    StepFactory,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = ColumnMapping(
    case="工单号", step="环节", resource="处理人", start="开始时间", complete="完成时间"
)
PLAIN = ColumnMapping(
    case="case", step="step", resource="resource", start="start", complete="complete"
)


def _file(name: str) -> io.BytesIO:
    return io.BytesIO((DATA / name).read_bytes())


@pytest.fixture
def source(org_tree):
    process = ProcessFactory(code="AFTERSALES", owner_unit=org_tree.d1)
    return EventSourceFactory(process=process, name="工单系统", mapping=CHINESE.as_dict())


@pytest.mark.parametrize("name", ["events_utf8.csv", "events_gb18030.csv"])
def test_chinese_excel_exports_import_in_either_encoding(source, user_as, name):
    # given a published map with 受理 (by code) and 审核 (by English name), and staff
    hr = user_as("hr")
    the_map = ProcessMapFactory(process=source.process)
    accept = StepFactory(map=the_map, code="accept", name="受理", name_en="Accept")
    review = StepFactory(map=the_map, code="review", name="复核", name_en="审核")
    e1001 = StaffFactory(employee_no="E1001")
    wang = user_as("operator", username="wang.fang").staff

    # when
    outcome = events_import(actor=hr, source=source, handle=_file(name), filename=name)

    # then every row is an event, matched to steps and staff where possible
    assert outcome.created == 5
    events = list(ProcessEvent.objects.filter(source=source).order_by("case_id", "completed_at"))
    assert [(e.case_id, e.step_name) for e in events] == [
        ("T-001", "受理"),
        ("T-001", "审核"),
        ("T-001", "退款"),
        ("T-002", "受理"),
        ("T-002", "审核"),
    ]
    assert [e.step_id for e in events] == [accept.pk, review.pk, None, accept.pk, review.pk]
    assert events[0].staff_id == e1001.pk
    assert events[1].staff_id == wang.pk
    assert events[2].staff_id is None
    assert events[2].resource == "外包小李"
    assert events[0].started_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert events[3].completed_at == dt.datetime(2026, 3, 3, 9, 10, tzinfo=SHANGHAI)
    assert events[4].started_at is None
    assert events[4].completed_at == dt.datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI)
    job = ImportJob.objects.get(kind=f"workflow_events:{source.pk}")
    assert (job.status, job.rows_total, job.rows_created) == (ImportStatus.COMMITTED, 5, 5)
    source.refresh_from_db()
    assert source.last_import_at is not None
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT, object_id=str(source.pk))
    assert entry.import_job_id == job.pk
    assert entry.after["events_created"] == 5


def test_columns_are_read_from_the_header_and_guessed(source):
    columns = read_columns(_file("events_gb18030.csv"), "events_gb18030.csv")

    assert columns == ["工单号", "环节", "处理人", "开始时间", "完成时间", "备注"]
    assert guess_mapping(columns, "csv") == {
        "case": "工单号",
        "step": "环节",
        "resource": "处理人",
        "start": "开始时间",
        "complete": "完成时间",
    }


def test_every_bad_row_is_named_and_nothing_is_written(source, user_as):
    hr = user_as("hr")
    ProcessEventFactory(process=source.process, source=source, case_id="C1")

    with pytest.raises(ImportRejected) as caught:
        events_import(
            actor=hr,
            source=source,
            handle=_file("events_errors.csv"),
            filename="events_errors.csv",
            mapping=PLAIN,
        )

    problems = [(e["row"], e["column"], e["value"], e["code"]) for e in caught.value.errors]
    assert problems == [
        (3, "case", "", "required"),
        (4, "step", "", "required"),
        (5, "complete", "yesterday", "invalid"),
        (6, "complete", "2026-03-02 10:00", "order"),
        (7, "complete", "", "required"),
    ]
    assert "yesterday" in caught.value.errors[2]["value"]
    assert ProcessEvent.objects.filter(source=source).count() == 1  # the old one, untouched
    job = caught.value.outcome.job
    assert job.status == ImportStatus.REJECTED
    assert job.error_count == 5


def test_a_mapped_column_missing_from_the_file_is_reported(source, user_as):
    mapping = ColumnMapping(case="工单号", step="Activity", complete="完成时间")

    with pytest.raises(ImportRejected) as caught:
        events_import(
            actor=user_as("hr"),
            source=source,
            handle=_file("events_utf8.csv"),
            filename="events_utf8.csv",
            mapping=mapping,
        )

    assert caught.value.errors[0]["value"] == "Activity"
    assert caught.value.errors[0]["code"] == "missing_column"
    assert not ProcessEvent.objects.exists()


def test_reimporting_the_same_file_replaces_its_cases_instead_of_duplicating(source, user_as):
    hr = user_as("hr")
    other_case = ProcessEvent.objects.create(
        process=source.process,
        source=source,
        case_id="T-999",
        step_name="受理",
        completed_at=dt.datetime(2026, 1, 1, tzinfo=SHANGHAI),
    )
    events_import(
        actor=hr, source=source, handle=_file("events_utf8.csv"), filename="events_utf8.csv"
    )

    second = events_import(
        actor=hr, source=source, handle=_file("events_utf8.csv"), filename="events_utf8.csv"
    )

    assert second.created == 5
    assert ProcessEvent.objects.filter(source=source).count() == 6
    assert ProcessEvent.objects.filter(pk=other_case.pk).exists()  # a case not in the file stays
    assert "5" in second.message


def test_dry_run_checks_and_previews_but_writes_no_event(source, user_as):
    outcome = events_import(
        actor=user_as("hr"),
        source=source,
        handle=_file("events_utf8.csv"),
        filename="events_utf8.csv",
        dry_run=True,
    )

    assert outcome.rows_total == 5
    assert outcome.preview[0]["case"] == "T-001"
    assert outcome.preview[0]["row"] == 2
    assert not ProcessEvent.objects.exists()
    assert outcome.job.status == ImportStatus.PREVIEWED


def test_explicit_format_and_time_zone_are_used(source, user_as):
    text = "case,step,complete\nC1,A,02.03.2026 17:05\n"
    mapping = ColumnMapping(
        case="case",
        step="step",
        complete="complete",
        timestamp_format="%d.%m.%Y %H:%M",
        timezone="Europe/Berlin",
    )

    events_import(
        actor=user_as("hr"),
        source=source,
        handle=io.BytesIO(text.encode()),
        filename="x.csv",
        mapping=mapping,
    )

    event = ProcessEvent.objects.get()
    assert event.completed_at == dt.datetime(2026, 3, 2, 16, 5, tzinfo=dt.UTC)


def test_manager_cannot_import_into_another_units_process(org_tree, user_as):
    process = ProcessFactory(owner_unit=org_tree.t3)
    source = EventSourceFactory(process=process, mapping=PLAIN.as_dict())

    with pytest.raises(NotVisible):  # outside the manager's scope: answered as 404
        events_import(
            actor=user_as("manager", unit=org_tree.t1),
            source=source,
            handle=io.BytesIO(b"case,step,complete\nC1,A,2026-03-02 10:00\n"),
            filename="x.csv",
        )

    assert not ProcessEvent.objects.exists()


def test_auditor_may_read_but_not_import(source, user_as):
    with pytest.raises(PolicyDenied):
        events_import(
            actor=user_as("auditor"),
            source=source,
            handle=_file("events_utf8.csv"),
            filename="events_utf8.csv",
        )
