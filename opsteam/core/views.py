"""Base views every app's pages build on, plus the audit trail and import pages."""

from __future__ import annotations

import json
import tempfile
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from opsteam.core import exports, imports, policy
from opsteam.core.exceptions import ImportRejected, NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.filters import AuditEntryFilterSet, ImportJobFilterSet
from opsteam.core.models import AuditEntry, ImportJob
from opsteam.core.tables import Column, Table


def safe_next(request, url: str | None) -> str | None:
    """``url`` when it stays on this site (a "next" or stored link), else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


class PolicyMixin:
    """Translate policy errors into 404 (not visible) and 403 (visible, not allowed)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotVisible as exc:
            raise Http404(str(exc)) from exc
        except PolicyDenied as exc:
            raise PermissionDenied(str(exc)) from exc


class ObjectPostView(PolicyMixin, View):
    """A POST action on one row: 404 outside the user's view scope, 403 without ``permission``,
    then the optional form and ``perform`` (a service call). Form errors and the service's
    refusals come back as messages on the page the user returns to; nothing is written."""

    model: ClassVar[Any]
    permission: ClassVar[str] = "view"
    form_class: ClassVar[Any] = None

    def get_queryset(self):
        return self.model.objects.all()

    def post(self, request, pk):
        obj = policy.scoped_get(self.get_queryset(), request.user, pk=pk)
        policy.require(request.user, self.permission, obj)
        form = self.form_class(request.POST, request.FILES) if self.form_class else None
        if form is not None and not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                text = " ".join(errors)
                messages.error(request, f"{label}: {text}" if label else text)
            return redirect(self.redirect_url(obj))
        try:
            message = self.perform(obj, form.cleaned_data if form else {})
        except OpsTeamError as exc:
            if isinstance(exc, NotVisible | PolicyDenied):
                raise
            messages.error(request, exc.message)
        else:
            if message:
                messages.success(request, message)
        return redirect(self.redirect_url(obj))

    def redirect_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def perform(self, obj: Any, data: dict[str, Any]) -> str:
        raise NotImplementedError


class ScopedListView(PolicyMixin, ListView):
    """A list page: policy-scoped queryset, the app's FilterSet, sorting, pagination,
    htmx partial rendering, and xlsx/csv export of the same columns with filters applied."""

    model: ClassVar[Any]
    table: ClassVar[Table]
    filterset_class: ClassVar[Any] = None
    title: ClassVar[Any] = ""
    export_stem: ClassVar[str] = "export"
    create_url: ClassVar[str | None] = None
    import_kind: ClassVar[str | None] = None
    paginate_by = 25
    template_name = "core/object_list.html"
    partial_template_name = "core/partials/object_table.html"
    empty_hint: ClassVar[Any] = ""

    def base_queryset(self, action: str = "view"):
        """The rows the user may ``action`` (view for the page, export for downloads)."""
        return self.model.objects.restrict(self.request.user, action)

    def filtered_queryset(self, queryset):
        if self.filterset_class is None:
            self.filterset = None
            return queryset
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        return (
            self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        )

    def get_queryset(self):
        queryset = self.filtered_queryset(self.base_queryset())
        ordering = self.table.ordering_for(self.request.GET.get("sort"))
        if ordering:
            queryset = queryset.order_by(*ordering)
        elif self.table.default_order:
            queryset = queryset.order_by(self.table.default_order, "pk")
        return queryset

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "view", self.model)
        file_format = request.GET.get("export")
        if file_format in {"xlsx", "csv"}:
            return self.export(file_format)
        return super().get(request, *args, **kwargs)

    def export(self, file_format: str):
        policy.require(self.request.user, "export", self.model)
        queryset = self.filtered_queryset(self.base_queryset("export"))
        ordering = self.table.ordering_for(self.request.GET.get("sort"))
        if ordering:
            queryset = queryset.order_by(*ordering)
        header = [str(column.label) for column in self.table.export_columns()]
        rows = self.table.rows(self.export_queryset(queryset).iterator(chunk_size=2000))
        return exports.spreadsheet_response(
            stem=self.export_stem, file_format=file_format, header=header, rows=rows
        )

    def export_queryset(self, queryset):
        return queryset

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.partial_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            title=self.title,
            table=self.table,
            filterset=self.filterset,
            sort=self.request.GET.get("sort", ""),
            querystring_base=query.urlencode(),
            can_add=bool(self.create_url) and policy.can(user, "add", self.model),
            create_url=self.create_url,
            can_export=policy.can(user, "export", self.model),
            import_kind=self.import_kind
            if self.import_kind and policy.can(user, "import", self.model)
            else None,
            empty_hint=self.empty_hint,
            partial_template=self.partial_template_name,
            total_count=context["paginator"].count
            if context.get("paginator")
            else len(context["object_list"]),
        )
        return context


class ScopedDetailView(PolicyMixin, DetailView):
    """A detail page for an object the user may view (404 otherwise)."""

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, "view")

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404 as exc:
            raise Http404(_("Not found.")) from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_change"] = policy.can(user, "change", self.object)
        context["can_view_audit"] = policy.can(user, "view", AuditEntry)
        if context["can_view_audit"]:
            label, pk = self.object._meta.label_lower, str(self.object.pk)
            context["history"] = AuditEntry.objects.filter(object_type=label, object_id=pk)[:20]
            context["history_query"] = urlencode({"object_type": label, "object_id": pk})
        return context


class ServiceFormView(PolicyMixin, View):
    """GET renders a form, POST validates it and calls ``perform`` (a service call).

    With ``policy_action = "add"`` the view creates a ``model`` row; otherwise it edits the
    row named by ``pk`` (404 outside the user's view scope, 403 without ``policy_action``).
    Service errors with a field name come back as inline errors on that field.
    """

    form_class: ClassVar[type[forms.Form]]
    model: ClassVar[Any] = None
    template_name = "core/form_page.html"
    title: ClassVar[Any] = ""
    success_message: ClassVar[Any] = gettext_lazy("Saved.")
    policy_action: ClassVar[str] = "change"

    def get_object(self) -> Any:
        if self.policy_action == "add" or self.model is None:
            return None
        return policy.scoped_get(
            self.model.objects.all(), self.request.user, self.policy_action, pk=self.kwargs["pk"]
        )

    def check_permission(self, obj: Any) -> None:
        if obj is None:
            policy.require(self.request.user, self.policy_action, self.model)

    def get_initial(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {}
        return {
            name: getattr(obj, name) for name in self.form_class.base_fields if hasattr(obj, name)
        }

    def form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {}

    def perform(self, form: forms.Form, obj: Any) -> Any:
        raise NotImplementedError

    def success_url(self, result: Any) -> str:
        return result.get_absolute_url()

    def context(self, form: forms.Form, obj: Any) -> dict[str, Any]:
        cancel_url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "/"
        return {"form": form, "object": obj, "title": self.title, "cancel_url": cancel_url}

    def render(self, form: forms.Form, obj: Any, status: int = 200) -> HttpResponse:
        from django.shortcuts import render

        return render(self.request, self.template_name, self.context(form, obj), status=status)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        self.check_permission(obj)
        form = self.form_class(initial=self.get_initial(obj), **self.form_kwargs(obj))
        return self.render(form, obj)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        self.check_permission(obj)
        form = self.form_class(
            request.POST, request.FILES, initial=self.get_initial(obj), **self.form_kwargs(obj)
        )
        if form.is_valid():
            try:
                result = self.perform(form, obj)
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                if exc.field and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, self.success_message)
                return redirect(self.success_url(result))
        return self.render(form, obj, status=400)


AUDIT_TABLE = Table(
    columns=(
        Column("at", gettext_lazy("When"), order_by="at"),
        Column("actor_label", gettext_lazy("Who"), order_by="actor_label"),
        Column("action", gettext_lazy("Action"), accessor="get_action_display", order_by="action"),
        Column("source", gettext_lazy("Source"), accessor="get_source_display"),
        Column("object_type", gettext_lazy("Type"), order_by="object_type"),
        Column("object_repr", gettext_lazy("Object")),
        Column(
            "changed",
            gettext_lazy("Changed fields"),
            accessor=lambda entry: ", ".join(entry.changed_fields or []),
        ),
        Column(
            "before",
            gettext_lazy("Before"),
            accessor=lambda e: (
                json.dumps(e.before, ensure_ascii=False) if e.before is not None else ""
            ),
            export=True,
            css="d-none",
        ),
        Column(
            "after",
            gettext_lazy("After"),
            accessor=lambda e: (
                json.dumps(e.after, ensure_ascii=False) if e.after is not None else ""
            ),
            export=True,
            css="d-none",
        ),
    ),
    default_order="-at",
)


class AuditEntryListView(ScopedListView):
    model = AuditEntry
    table = AUDIT_TABLE
    filterset_class = AuditEntryFilterSet
    title = gettext_lazy("Audit trail")
    export_stem = "audit"
    template_name = "core/audit_list.html"
    empty_hint = gettext_lazy("Every change to organisation data is recorded here.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["table"] = Table(
            columns=[c for c in AUDIT_TABLE.columns if c.key not in {"before", "after"}],
            default_order="-at",
        )
        return context


class AuditEntryDetailView(ScopedDetailView):
    model = AuditEntry
    template_name = "core/audit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.object
        keys = sorted(set(entry.before or {}) | set(entry.after or {}))
        context["rows"] = [
            {
                "field": key,
                "before": (entry.before or {}).get(key),
                "after": (entry.after or {}).get(key),
                "changed": key in (entry.changed_fields or []),
            }
            for key in keys
        ]
        context["title"] = _("Audit entry")
        return context


IMPORT_TABLE = Table(
    columns=(
        Column("created_at", gettext_lazy("When"), order_by="created_at", link=True),
        Column("kind", gettext_lazy("Kind"), accessor="kind_label", order_by="kind"),
        Column("file_name", gettext_lazy("File")),
        Column("status", gettext_lazy("Outcome"), accessor="get_status_display", order_by="status"),
        Column("actor", gettext_lazy("By")),
        Column("rows_total", gettext_lazy("Rows")),
        Column("rows_created", pgettext_lazy("row count", "Created")),
        Column("rows_updated", pgettext_lazy("row count", "Updated")),
        Column("error_count", gettext_lazy("Errors")),
        Column("source", gettext_lazy("Source"), accessor="get_source_display"),
    ),
    default_order="-created_at",
)


class ImportJobListView(ScopedListView):
    model = ImportJob
    table = IMPORT_TABLE
    filterset_class = ImportJobFilterSet
    title = gettext_lazy("Imports")
    template_name = "core/import_list.html"
    empty_hint = gettext_lazy("Upload a spreadsheet of departments, positions or staff to start.")

    def base_queryset(self, action="view"):
        return super().base_queryset(action).select_related("actor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["import_kinds"] = [
            spec for spec in imports.REGISTRY.values() if policy.can(user, "import", spec.model)
        ]
        return context


class ImportJobDetailView(ScopedDetailView):
    model = ImportJob
    template_name = "core/import_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Import {file}").format(file=self.object.file_name)
        return context


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            "Excel (.xlsx) or CSV in UTF-8 or GB18030; use the template's columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): validate every row and write nothing"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ImportUploadView(PolicyMixin, View):
    """Upload a file for one import kind: dry-run preview or commit, every error listed."""

    template_name = "core/import_upload.html"

    def spec(self):
        try:
            spec_class = imports.REGISTRY[self.kwargs["kind"]]
        except KeyError as exc:
            raise Http404 from exc
        policy.require(self.request.user, "import", spec_class.model)
        return spec_class

    def render(self, spec_class, form, outcome=None, errors=None, status=200):
        from django.shortcuts import render

        return render(
            self.request,
            self.template_name,
            {
                "spec": spec_class,
                "form": form,
                "outcome": outcome,
                "errors": errors,
                "title": _("Import: {kind}").format(kind=spec_class.title),
                "columns": spec_class.columns,
            },
            status=status,
        )

    def get(self, request, kind):
        spec_class = self.spec()
        return self.render(spec_class, ImportUploadForm())

    def post(self, request, kind):
        spec_class = self.spec()
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(spec_class, form, status=400)
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryFile() as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.seek(0)
            try:
                outcome = imports.run_import(
                    actor=request.user,
                    spec_class=spec_class,
                    handle=handle,
                    filename=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportRejected as exc:
                return self.render(
                    spec_class, form, outcome=exc.outcome, errors=exc.errors, status=400
                )
        if outcome.dry_run:
            messages.info(
                request,
                _(
                    "{rows} rows checked, no problems found. Nothing was written yet: untick the dry run to import."
                ).format(rows=outcome.rows_total),
            )
            return self.render(
                spec_class, ImportUploadForm(initial={"dry_run": False}), outcome=outcome
            )
        messages.success(
            request,
            _(
                "Imported {rows} rows: {created} created, {updated} updated, {unchanged} unchanged."
            ).format(
                rows=outcome.rows_total,
                created=outcome.created,
                updated=outcome.updated,
                unchanged=outcome.unchanged,
            ),
        )
        return redirect("core:import_detail", pk=outcome.job.pk)


class ImportTemplateView(PolicyMixin, View):
    """Download the import template (bilingual headers and an example row)."""

    def get(self, request, kind):
        try:
            spec_class = imports.REGISTRY[kind]
        except KeyError as exc:
            raise Http404 from exc
        policy.require(request.user, "import", spec_class.model)
        header, example = imports.template_rows(spec_class)
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        return exports.spreadsheet_response(
            stem=f"template-{kind}", file_format=file_format, header=header, rows=[example]
        )


class HealthView(View):
    """Liveness probe for load balancers: answers without a login or database write."""

    def get(self, request):
        from django.db import connection

        connection.ensure_connection()
        return HttpResponse("ok", content_type="text/plain")
