"""Access-matrix rows of the event-log pages and API (sources, imports, events, the push API).
Walked by core/tests/test_permission_matrix.py.

Objects: a process owned by team T1 (which the manager manages) with a source, one event and a
rejected import; a process owned by T3 with its own source and event. The event log is for the
process's owners (admin, HR, the owning unit's managers: they write) and readers (auditors);
operators have no right on it at all (403 on process pages, 404 on rows).
"""

from __future__ import annotations

from typing import Any

from opsteam.core.tests.matrix_support import Check, _roles

READ_PROCESS = _roles(200, operator=403)
READ_OTHER_PROCESS = _roles(200, manager=404, operator=403)
WRITE_PROCESS_PAGE = _roles(200, operator=403, auditor=403)
WRITE_PROCESS_POST = _roles(400, operator=403, auditor=403)
WRITE_OTHER_PROCESS_PAGE = _roles(200, manager=404, operator=403, auditor=403)
READ_ROW = _roles(200, operator=404)
READ_OTHER_ROW = _roles(200, manager=404, operator=404)
WRITE_ROW_PAGE = _roles(200, operator=404, auditor=403)
WRITE_ROW_POST = _roles(400, operator=404, auditor=403)
DELETE_ROW = _roles(302, operator=404, auditor=403)
DELETE_OTHER_ROW = _roles(302, manager=404, operator=404, auditor=403)
PROCESS = {"kwarg": "process_pk"}
JOB = (("job_pk", "log_job"),)

EXPECTED: dict[str, list[Check]] = {
    "workflow:source_list": [
        Check(READ_PROCESS, obj="log_process", **PROCESS),
        Check(READ_OTHER_PROCESS, obj="log_other_process", **PROCESS),
    ],
    "workflow:source_create": [
        Check(WRITE_PROCESS_PAGE, obj="log_process", **PROCESS),
        Check(WRITE_OTHER_PROCESS_PAGE, obj="log_other_process", **PROCESS),
        Check(WRITE_PROCESS_POST, method="post", obj="log_process", data={"name": ""}, **PROCESS),
    ],
    "workflow:event_list": [
        Check(READ_PROCESS, obj="log_process", **PROCESS),
        Check(READ_PROCESS, obj="log_process", query="export=csv", **PROCESS),
        Check(READ_OTHER_PROCESS, obj="log_other_process", **PROCESS),
    ],
    "workflow:source_detail": [
        Check(READ_ROW, obj="log_source"),
        Check(READ_OTHER_ROW, obj="log_other_source"),
    ],
    "workflow:source_edit": [
        Check(WRITE_ROW_PAGE, obj="log_source"),
        Check(WRITE_ROW_POST, method="post", obj="log_source", data={"name": ""}),
    ],
    "workflow:source_import": [
        Check(WRITE_ROW_PAGE, obj="log_source"),
        Check(WRITE_ROW_POST, method="post", obj="log_source", data={"stage": "upload"}),
    ],
    "workflow:source_events_delete": [
        Check(DELETE_ROW, method="post", obj="log_source"),
        Check(DELETE_OTHER_ROW, method="post", obj="log_other_source"),
    ],
    "workflow:source_import_errors": [
        Check(READ_ROW, obj="log_source", extra_kwargs=JOB),
    ],
    # API: pushing needs "add" on events (owners); an empty push is a 400 for them.
    "workflow-event-list": [
        Check(READ_PROCESS),
        Check(_roles(400, operator=403, auditor=403), method="post", data={"events": []}),
    ],
    "workflow-event-detail": [
        Check(READ_ROW, obj="log_event"),
        Check(READ_OTHER_ROW, obj="log_other_event"),
    ],
}

GUARDED = ("workflow.EventSource", "workflow.ProcessEvent")


def objects(objects: dict[str, Any], users: dict[str, Any], user: Any) -> dict[str, Any]:
    """A T1-owned process with a source, an event and a rejected import; a T3-owned one."""
    from opsteam.core.models import ImportJob
    from opsteam.org.tests.factories import ProcessFactory
    from opsteam.workflow.tests.factories import EventSourceFactory, ProcessEventFactory

    process = ProcessFactory(code="LOG-T1", owner_unit=objects["t1"])
    other = ProcessFactory(code="LOG-T3", owner_unit=objects["t3"])
    source = EventSourceFactory(process=process, name="工单系统")
    other_source = EventSourceFactory(process=other, name="结算系统")
    job = ImportJob.objects.create(
        kind=f"workflow_events:{source.pk}",
        file_name="events.csv",
        status="rejected",
        error_count=1,
        errors=[{"row": 2, "column": "case", "value": "", "reason": "x", "code": "required"}],
    )
    return {
        "log_process": process,
        "log_other_process": other,
        "log_source": source,
        "log_other_source": other_source,
        "log_job": job,
        "log_event": ProcessEventFactory(process=process, source=source),
        "log_other_event": ProcessEventFactory(process=other, source=other_source),
    }
