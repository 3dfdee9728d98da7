"""Event-log pages: sources, the upload -> mapping -> check -> import flow, the event log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opsteam.core.models import ImportJob
from opsteam.org.tests.factories import ProcessFactory
from opsteam.workflow.models import EventSource, ProcessEvent
from opsteam.workflow.tests.factories import EventSourceFactory, ProcessEventFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def process(org_tree):
    return ProcessFactory(code="AFTERSALES", name="售后处理", owner_unit=org_tree.t1)


def _upload(client, source, name):
    url = reverse("workflow:source_import", args=[source.pk])
    data = (DATA / name).read_bytes()
    return client.post(url, {"stage": "upload", "file": SimpleUploadedFile(name, data)})


def test_manager_creates_a_source_then_maps_checks_and_imports_a_file(client_as, process):
    # given the manager of the process's owning unit
    client = client_as("manager")
    response = client.post(
        reverse("workflow:source_create", args=[process.pk]),
        {"name": "工单系统", "kind": "csv", "description": ""},
    )
    source = EventSource.objects.get(process=process)
    assert response.status_code == 302

    # when they upload a GB18030 file, the mapping step lists its columns, guessed
    assert _upload(client, source, "events_gb18030.csv").status_code == 302
    page = client.get(reverse("workflow:source_import", args=[source.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "完成时间" in html
    assert 'value="工单号" selected' in html

    mapping = {
        "case": "工单号",
        "step": "环节",
        "resource": "处理人",
        "start": "开始时间",
        "complete": "完成时间",
        "timestamp_format": "",
        "timezone": "Asia/Shanghai",
    }
    url = reverse("workflow:source_import", args=[source.pk])
    checked = client.post(url, {**mapping, "stage": "check"})
    assert checked.status_code == 200
    assert "T-001" in checked.content.decode()
    assert not ProcessEvent.objects.exists()

    imported = client.post(url, {**mapping, "stage": "import"})

    # then the events are written and the mapping is saved on the source for next time
    assert imported.status_code == 302
    assert ProcessEvent.objects.filter(source=source).count() == 5
    source.refresh_from_db()
    assert source.mapping["case"] == "工单号"
    detail = client.get(reverse("workflow:source_detail", args=[source.pk]))
    assert detail.status_code == 200
    assert "events_gb18030.csv" in detail.content.decode()
    again = _upload(client, source, "events_utf8.csv")
    assert again.status_code == 302
    prefilled = client.get(url).content.decode()
    assert 'value="处理人" selected' in prefilled


def test_a_file_with_bad_rows_lists_them_and_offers_a_safe_download(client_as, process):
    client = client_as("hr")
    source = EventSourceFactory(process=process, mapping={})
    _upload(client, source, "events_errors.csv")
    url = reverse("workflow:source_import", args=[source.pk])

    response = client.post(
        url,
        {
            "case": "case",
            "step": "step",
            "resource": "resource",
            "start": "start",
            "complete": "complete",
            "timezone": "Asia/Shanghai",
            "stage": "import",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "yesterday" in html
    assert not ProcessEvent.objects.exists()
    job = ImportJob.objects.get(kind=f"workflow_events:{source.pk}")
    download = client.get(reverse("workflow:source_import_errors", args=[source.pk, job.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "yesterday" in body
    assert len(body.strip().splitlines()) == 6


def test_formula_like_values_are_escaped_in_the_problem_download(client_as, process):
    client = client_as("hr")
    source = EventSourceFactory(process=process)
    job = ImportJob.objects.create(
        kind=f"workflow_events:{source.pk}",
        file_name="x.csv",
        status="rejected",
        errors=[{"row": 2, "column": "case", "value": "=HYPERLINK(1)", "reason": "x"}],
        error_count=1,
    )

    download = client.get(reverse("workflow:source_import_errors", args=[source.pk, job.pk]))

    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


def test_another_sources_import_is_not_found(client_as, process):
    client = client_as("hr")
    source = EventSourceFactory(process=process)
    other = ImportJob.objects.create(kind="staff", file_name="s.xlsx", status="rejected")

    response = client.get(reverse("workflow:source_import_errors", args=[source.pk, other.pk]))

    assert response.status_code == 404


def test_event_log_filters_and_exports_every_match(client_as, process):
    client = client_as("auditor")
    source = EventSourceFactory(process=process, name="CRM")
    when = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    ProcessEventFactory(
        process=process, source=source, case_id="A-1", step_name="受理", completed_at=when
    )
    ProcessEventFactory(
        process=process,
        source=source,
        case_id="A-2",
        step_name="审核",
        completed_at=when + dt.timedelta(days=3),
    )
    url = reverse("workflow:event_list", args=[process.pk])

    page = client.get(url, {"step": "审核"})
    export = client.get(url, {"since": "2026-03-01", "until": "2026-03-02", "export": "csv"})

    assert page.status_code == 200
    assert "A-2" in page.content.decode()
    assert "A-1" not in page.content.decode()
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "A-1" in body
    assert "A-2" not in body


def test_deleting_a_sources_events_asks_and_audits(client_as, process):
    client = client_as("hr")
    source = EventSourceFactory(process=process)
    ProcessEventFactory.create_batch(3, process=process, source=source)
    ProcessEventFactory(process=process)  # another source's (none): kept

    response = client.post(reverse("workflow:source_events_delete", args=[source.pk]))

    assert response.status_code == 302
    assert ProcessEvent.objects.count() == 1
    detail = client.get(reverse("workflow:source_detail", args=[source.pk]))
    assert "data-confirm" not in detail.content.decode()  # no events: nothing to delete


def test_empty_states_guide_the_user(client_as, process):
    client = client_as("hr")

    sources = client.get(reverse("workflow:source_list", args=[process.pk]))
    events = client.get(reverse("workflow:event_list", args=[process.pk]))

    assert 'class="empty"' in sources.content.decode()
    assert reverse("workflow:source_create", args=[process.pk]) in sources.content.decode()
    assert 'class="empty"' in events.content.decode()


def test_an_api_source_explains_how_to_push(client_as, process):
    source = EventSourceFactory(process=process, name="ERP", kind="api")

    page = client_as("manager").get(reverse("workflow:source_detail", args=[source.pk]))

    assert page.status_code == 200
    assert "/api/workflow/events/" in page.content.decode()
    assert reverse("workflow:source_import", args=[source.pk]) not in page.content.decode()
