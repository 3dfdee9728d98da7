"""Event-log pages: a process's sources, a source (mapping, imports, events), the import flow
(upload -> map the columns -> check with a preview -> import) and the event log with filters.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import exports, policy
from opsteam.core.exceptions import ImportRejected, NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin
from opsteam.workflow import imports, selectors_log, services_log
from opsteam.workflow.forms_log import (
    EventFilterForm,
    MappingForm,
    SourceForm,
    UploadForm,
)
from opsteam.workflow.models import EventSource, ProcessEvent

UPLOAD_DIR = "workflow-event-uploads"
UPLOAD_MAX_AGE = 24 * 3600  # seconds an abandoned upload is kept

EVENT_TABLE = Table(
    columns=(
        Column("case_id", gettext_lazy("Case")),
        Column("step_name", gettext_lazy("Step")),
        Column("step_code", gettext_lazy("Mapped step"), accessor="step.code"),
        Column("resource", gettext_lazy("Resource")),
        Column("employee_no", gettext_lazy("Employee number"), accessor="staff.employee_no"),
        Column("started_at", gettext_lazy("Started at")),
        Column("completed_at", gettext_lazy("Completed at")),
        Column("source", gettext_lazy("Source"), accessor="source.name"),
    ),
)
ERROR_HEADER = (
    gettext_lazy("Row"),
    gettext_lazy("Column"),
    gettext_lazy("Value"),
    gettext_lazy("Problem"),
)


def source_url(source: EventSource) -> str:
    return reverse("workflow:source_detail", args=[source.pk])


def _upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def _session_key(source: EventSource) -> str:
    return f"workflow_log_upload_{source.pk}"


class _Upload:
    """An uploaded file kept between the steps of the import (the path comes from the
    session, never from the request)."""

    def __init__(self, request, source: EventSource) -> None:
        self.request = request
        self.key = _session_key(source)
        stored = request.session.get(self.key) or {}
        self.token = str(stored.get("token", ""))
        self.name = str(stored.get("name", ""))

    @property
    def path(self) -> Path | None:
        if not self.token.isalnum() or not self.name:
            return None
        extension = Path(self.name).suffix.lower()
        path = _upload_root() / f"{self.token}{extension}"
        return path if path.exists() else None

    def save(self, upload) -> None:
        self.discard()
        root = _upload_root()
        root.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - UPLOAD_MAX_AGE
        for old in root.iterdir():
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        self.token = secrets.token_hex(16)
        self.name = Path(upload.name).name[:200]
        with (root / f"{self.token}{Path(self.name).suffix.lower()}").open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        self.request.session[self.key] = {"token": self.token, "name": self.name}

    def discard(self) -> None:
        path = self.path
        if path is not None:
            path.unlink(missing_ok=True)
        self.request.session.pop(self.key, None)
        self.token = self.name = ""


class SourceListView(PolicyMixin, View):
    """A process's event sources with their event counts and last imports."""

    def get(self, request, process_pk: int):
        process = selectors_log.process_get(user=request.user, pk=process_pk)
        sources = list(selectors_log.source_list(user=request.user, process=process))
        return render(
            request,
            "workflow/source_list.html",
            {
                "title": _("Event sources: {process}").format(process=process.display_name),
                "process": process,
                "sources": sources,
                "can_add": selectors_log.can_on_process(request.user, "add", EventSource, process),
            },
        )


class SourceCreateView(PolicyMixin, View):
    """Add a source to a process (its owners: HR, administrators, the unit's managers)."""

    template_name = "workflow/source_form.html"

    def _process(self, request, process_pk: int):
        return selectors_log.process_get(user=request.user, pk=process_pk, action="add")

    def _render(self, request, form, process, status=200):
        return render(
            request,
            self.template_name,
            {
                "title": _("New event source"),
                "form": form,
                "process": process,
                "cancel_url": reverse("workflow:source_list", args=[process.pk]),
            },
            status=status,
        )

    def get(self, request, process_pk: int):
        process = self._process(request, process_pk)
        return self._render(request, SourceForm(initial={"kind": "csv"}), process)

    def post(self, request, process_pk: int):
        process = self._process(request, process_pk)
        form = SourceForm(request.POST)
        if form.is_valid():
            try:
                source = services_log.event_source_create(
                    actor=request.user, process=process, **form.cleaned_data
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Source created: now import a file."))
                target = (
                    "workflow:source_import" if source.kind != "api" else "workflow:source_detail"
                )
                return redirect(target, pk=source.pk)
        return self._render(request, form, process, status=400)


class SourceEditView(PolicyMixin, View):
    template_name = "workflow/source_form.html"

    def _render(self, request, form, source, status=200):
        return render(
            request,
            self.template_name,
            {
                "title": _("Edit source {name}").format(name=source.name),
                "form": form,
                "process": source.process,
                "source": source,
                "cancel_url": source_url(source),
            },
            status=status,
        )

    def get(self, request, pk: int):
        source = selectors_log.source_get(user=request.user, pk=pk, action="change")
        initial = {"name": source.name, "kind": source.kind, "description": source.description}
        return self._render(request, SourceForm(initial=initial), source)

    def post(self, request, pk: int):
        source = selectors_log.source_get(user=request.user, pk=pk, action="change")
        form = SourceForm(request.POST)
        if form.is_valid():
            try:
                services_log.event_source_update(
                    actor=request.user, source=source, **form.cleaned_data
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(source_url(source))
        return self._render(request, form, source, status=400)


class SourceDetailView(PolicyMixin, View):
    """The source's mapping, event counts and span, and its recent imports."""

    def get(self, request, pk: int):
        source = selectors_log.source_get(user=request.user, pk=pk)
        labels = imports.field_labels()
        mapping = imports.ColumnMapping.from_dict(source.mapping) if source.mapping else None
        return render(
            request,
            "workflow/source_detail.html",
            {
                "title": source.name,
                "source": source,
                "process": source.process,
                "stats": selectors_log.source_stats(source=source),
                "jobs": selectors_log.source_imports(source=source),
                "mapping_rows": [(labels[key], mapping.column(key)) for key in imports.FIELDS]
                if mapping
                else [],
                "mapping": mapping,
                "can_import": policy.can(request.user, "import", source),
                "can_change": policy.can(request.user, "change", source),
            },
        )


class SourceImportView(PolicyMixin, View):
    """Upload a file, map its columns (pre-filled from the source), check, then import."""

    template_name = "workflow/import_form.html"

    def _source(self, request, pk: int) -> EventSource:
        return selectors_log.source_get(user=request.user, pk=pk, action="import")

    def _initial(self, source: EventSource, columns: list[str], kind: str) -> dict[str, Any]:
        saved = {key: value for key, value in (source.mapping or {}).items() if value}
        guessed = imports.guess_mapping(columns, kind)
        initial = {**guessed}
        for key in imports.FIELDS:
            if saved.get(key) in columns:
                initial[key] = saved[key]
        zone = getattr(self.request.user, "time_zone", "") or settings.TIME_ZONE
        initial["timestamp_format"] = saved.get("timestamp_format", "")
        initial["timezone"] = saved.get("timezone") or zone
        return initial

    def _render(self, request, source, *, status=200, **context):
        upload = _Upload(request, source)
        context.setdefault("upload_form", UploadForm())
        return render(
            request,
            self.template_name,
            {
                "title": _("Import events into {name}").format(name=source.name),
                "source": source,
                "process": source.process,
                "upload_name": upload.name if upload.path else "",
                "field_labels": imports.field_labels(),
                **context,
            },
            status=status,
        )

    def _mapping_context(self, source, upload: _Upload, data=None) -> dict[str, Any]:
        with upload.path.open("rb") as handle:
            columns = imports.read_columns(handle, upload.name)
            sample = imports.sample_rows(handle, upload.name)
        kind = imports.file_kind(upload.name)
        form = MappingForm(data, columns=columns, initial=self._initial(source, columns, kind))
        return {"mapping_form": form, "columns": columns, "sample": sample, "kind": kind}

    def get(self, request, pk: int):
        source = self._source(request, pk)
        upload = _Upload(request, source)
        if upload.path is None:
            return self._render(request, source)
        try:
            context = self._mapping_context(source, upload)
        except ImportRejected as exc:
            upload.discard()
            return self._render(request, source, errors=exc.errors, status=400)
        return self._render(request, source, **context)

    def post(self, request, pk: int):
        source = self._source(request, pk)
        upload = _Upload(request, source)
        stage = request.POST.get("stage", "upload")
        if stage == "discard":
            upload.discard()
            return redirect("workflow:source_import", pk=source.pk)
        if stage == "upload" or upload.path is None:
            return self._upload(request, source, upload)
        try:
            context = self._mapping_context(source, upload, data=request.POST)
        except ImportRejected as exc:
            upload.discard()
            return self._render(request, source, errors=exc.errors, status=400)
        form = context["mapping_form"]
        if not form.is_valid():
            return self._render(request, source, status=400, **context)
        mapping = form.mapping()
        try:
            services_log.event_source_mapping_save(
                actor=request.user, source=source, mapping=mapping
            )
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self._render(request, source, status=400, **context)
        dry_run = stage != "import"
        try:
            with upload.path.open("rb") as handle:
                outcome = imports.events_import(
                    actor=request.user,
                    source=source,
                    handle=handle,
                    filename=upload.name,
                    mapping=mapping,
                    dry_run=dry_run,
                )
        except ImportRejected as exc:
            return self._render(
                request,
                source,
                status=400,
                errors=exc.errors,
                outcome=exc.outcome,
                **context,
            )
        if dry_run:
            return self._render(request, source, outcome=outcome, checked=True, **context)
        upload.discard()
        messages.success(
            request,
            _("Imported {created} events from {rows} rows.").format(
                created=outcome.created, rows=outcome.rows_total
            )
            + (" " + outcome.message if outcome.message else ""),
        )
        return redirect(source_url(source))

    def _upload(self, request, source, upload: _Upload):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, source, upload_form=form, status=400)
        file = form.cleaned_data["file"]
        try:
            imports.file_kind(file.name)
        except ImportRejected as exc:
            form.add_error("file", exc.message)
            return self._render(request, source, upload_form=form, status=400)
        if file.size > settings.OPSTEAM_IMPORT_MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                _("The file is {size} bytes; the limit is {limit} bytes.").format(
                    size=file.size, limit=settings.OPSTEAM_IMPORT_MAX_UPLOAD_BYTES
                ),
            )
            return self._render(request, source, upload_form=form, status=400)
        upload.save(file)
        return redirect("workflow:source_import", pk=source.pk)


class SourceEventsDeleteView(PolicyMixin, View):
    """Delete every event of a source (asked for confirmation on the page)."""

    def post(self, request, pk: int):
        source = selectors_log.source_get(user=request.user, pk=pk, action="import")
        deleted = services_log.source_events_delete(actor=request.user, source=source)
        messages.success(request, _("{count} events deleted.").format(count=deleted))
        return redirect(source_url(source))


class SourceImportErrorsView(PolicyMixin, View):
    """Download the problems of one import attempt (formula-safe CSV or Excel)."""

    def get(self, request, pk: int, job_pk: int):
        source = selectors_log.source_get(user=request.user, pk=pk)
        job = selectors_log.source_import_get(source=source, pk=job_pk)
        file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        rows = (
            [e.get("row") or "", e.get("column") or "", e.get("value", ""), e.get("reason", "")]
            for e in job.errors or []
        )
        return exports.spreadsheet_response(
            stem=f"import-{job.pk}-problems",
            file_format=file_format,
            header=[str(label) for label in ERROR_HEADER],
            rows=rows,
        )


class EventListView(PolicyMixin, View):
    """The event log of a process: filters, pages of 50, CSV/Excel export of every match."""

    paginate_by = 50

    def get(self, request, process_pk: int):
        user = request.user
        process = selectors_log.process_get(user=user, pk=process_pk, model=ProcessEvent)
        sources = list(selectors_log.source_list(user=user, process=process))
        form = EventFilterForm(request.GET or None, sources=sources)
        filters = form.filters()
        file_format = request.GET.get("export")
        if file_format in {"csv", "xlsx"}:
            policy.require(user, "export", ProcessEvent)
            events = selectors_log.event_list(
                user=user, process=process, filters=filters, action="export"
            )
            return exports.spreadsheet_response(
                stem=f"events-{process.code}",
                file_format=file_format,
                header=[str(column.label) for column in EVENT_TABLE.export_columns()],
                rows=EVENT_TABLE.rows(events.iterator(chunk_size=2000)),
            )
        events = selectors_log.event_list(user=user, process=process, filters=filters)
        page = Paginator(events, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        return render(
            request,
            "workflow/event_list.html",
            {
                "title": _("Event log: {process}").format(process=process.display_name),
                "process": process,
                "form": form,
                "page": page,
                "events": page.object_list,
                "sources": sources,
                "querystring_base": query.urlencode(),
                "can_export": policy.can(user, "export", ProcessEvent),
                "export_query": urlencode({k: v for k, v in query.items() if v}),
            },
        )
