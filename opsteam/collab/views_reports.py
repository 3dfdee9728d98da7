"""Work report pages: write (daily/weekly), search, detail with comments and read mark, the
team digest, and team templates."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.collab import selectors_reports, services_reports
from opsteam.collab.forms_reports import (
    CommentForm,
    ReportFilterSet,
    ReportTemplateForm,
    report_content,
    report_form_class,
    template_initial,
)
from opsteam.collab.models_reports import ReportComment, ReportKind, ReportTemplate, WorkReport
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import ObjectPostView, PolicyMixin, ScopedDetailView, ScopedListView

MIN_DATE = dt.date(2000, 1, 1)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        parsed = parse_date(value or "")
    except ValueError:
        parsed = None
    if parsed is None or parsed < MIN_DATE or parsed > default + dt.timedelta(days=366):
        return default
    return parsed


def _kind(value: str | None) -> str:
    return value if value in ReportKind.values else ReportKind.DAILY


REPORT_TABLE = Table(
    columns=(
        Column(
            "period",
            gettext_lazy("Period"),
            accessor="period_label",
            order_by="period_start",
            link=True,
        ),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display", order_by="kind"),
        Column(
            "staff",
            gettext_lazy("Staff member"),
            accessor=lambda r: r.staff.display_name,
            order_by="staff__employee_no",
        ),
        Column("unit", gettext_lazy("Team"), accessor=lambda r: r.staff.unit.display_name),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("late", gettext_lazy("Late"), accessor=lambda r: _("late") if r.is_late else ""),
        Column(
            "blockers",
            gettext_lazy("Blockers"),
            accessor=lambda r: (r.sections.get("blockers") or "")[:80],
        ),
        Column(
            "read",
            gettext_lazy("Read"),
            accessor=lambda r: r.read_at.date().isoformat() if r.read_at else "",
        ),
    ),
    default_order="-period_start",
)


class ReportListView(ScopedListView):
    """Search across the reports in scope: text, person, team, kind, dates and blockers."""

    model = WorkReport
    table = REPORT_TABLE
    filterset_class = ReportFilterSet
    title = gettext_lazy("Work reports")
    export_stem = "work-reports"
    template_name = "collab/reports/report_list.html"
    empty_hint = gettext_lazy("Daily and weekly reports you may read appear here.")

    def base_queryset(self, action="view"):
        return selectors_reports.report_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_write"] = getattr(user, "staff", None) is not None
        context["can_digest"] = policy.can(user, "digest", WorkReport)
        return context


class ReportWriteView(PolicyMixin, View):
    """Write one's own report of a day or week (``?kind=weekly&period=2026-03-02``); "copy
    yesterday's plan" fills Done with the previous report's plan."""

    template_name = "collab/reports/report_write.html"

    def setup_report(self, request):
        policy.require(request.user, "add", WorkReport)
        staff = getattr(request.user, "staff", None)
        if staff is None:
            raise PolicyDenied(_("Only staff members write work reports."))
        source = request.POST if request.method == "POST" else request.GET
        kind = _kind(source.get("kind"))
        today = timezone.localdate()
        period = services_reports.period_of(kind, min(_date(source.get("period"), today), today))
        template = selectors_reports.template_for(staff=staff, kind=kind)
        existing = WorkReport.objects.filter(staff=staff, kind=kind, period_start=period).first()
        return staff, kind, period, template, existing

    def render_page(self, form, kind, period, template, existing, status=200):
        context = {
            "title": _("{kind} · {period}").format(
                kind=ReportKind(kind).label, period=period.isoformat()
            ),
            "form": form,
            "kind": kind,
            "period": period,
            "template": template,
            "report": existing,
            "kinds": ReportKind.choices,
            "prev_period": period - dt.timedelta(days=7 if kind == ReportKind.WEEKLY else 1),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        staff, kind, period, template, existing = self.setup_report(request)
        initial = {}
        if existing is not None:
            initial.update({f"section_{k}": v for k, v in existing.sections.items()})
            initial.update({f"metric_{k}": v for k, v in existing.metrics.items()})
        if request.GET.get("copy_plan"):
            previous = selectors_reports.previous_report(staff=staff, kind=kind, before=period)
            plan = previous.sections.get("planned", "") if previous else ""
            if plan:
                initial["section_done"] = plan
                messages.info(request, _("Copied the plan of your previous report into Done."))
            else:
                messages.info(request, _("Your previous report has no plan to copy."))
        form = report_form_class(template)(initial=initial)
        return self.render_page(form, kind, period, template, existing)

    def post(self, request):
        _staff, kind, period, template, existing = self.setup_report(request)
        form = report_form_class(template)(request.POST)
        if not form.is_valid():
            return self.render_page(form, kind, period, template, existing, status=400)
        sections, metrics = report_content(form, template)
        try:
            report = services_reports.report_save(
                actor=request.user,
                kind=kind,
                period_start=period,
                sections=sections,
                metrics=metrics,
                submit="submit" in request.POST,
            )
        except (NotVisible, PolicyDenied):
            raise
        except OpsTeamError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_page(form, kind, period, template, existing, status=400)
        if report.status == "submitted":
            messages.success(
                request,
                _("Report submitted (late).") if report.is_late else _("Report submitted."),
            )
        else:
            messages.success(request, _("Draft saved."))
        return redirect(report.get_absolute_url())


class ReportDetailView(ScopedDetailView):
    model = WorkReport
    template_name = "collab/reports/report_detail.html"

    def get_queryset(self):
        return selectors_reports.report_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        template = report.template or selectors_reports.template_for(
            staff=report.staff, kind=report.kind
        )
        labels = {row["key"]: row["label"] for row in template.sections}
        metric_rows = {row["key"]: row for row in template.metrics}
        own = report.staff.user_id == user.pk
        context.update(
            title=_("{name} · {kind} {period}").format(
                name=report.staff.display_name,
                kind=report.get_kind_display(),
                period=report.period_label,
            ),
            sections=[
                {"key": key, "label": labels.get(key, key), "text": text}
                for key, text in report.sections.items()
            ],
            metrics=[
                {
                    "label": metric_rows.get(key, {}).get("label", key),
                    "unit": metric_rows.get(key, {}).get("unit", ""),
                    "value": value,
                }
                for key, value in report.metrics.items()
            ],
            comments=selectors_reports.report_comments(report=report),
            comment_form=CommentForm(),
            can_comment=policy.can(user, "comment", report),
            can_mark_read=not own
            and report.status == "submitted"
            and report.read_at is None
            and policy.can(user, "mark_read", report),
            can_edit=own,
            can_submit=own and report.status == "draft",
        )
        return context


class ReportSubmitView(ObjectPostView):
    model = WorkReport
    permission = "submit"

    def perform(self, obj, data):
        services_reports.report_submit(actor=self.request.user, report=obj)
        return _("Report submitted (late).") if obj.is_late else _("Report submitted.")


class ReportMarkReadView(ObjectPostView):
    model = WorkReport
    permission = "mark_read"

    def perform(self, obj, data):
        services_reports.report_mark_read(actor=self.request.user, report=obj)
        return _("Marked as read.")


class ReportCommentView(ObjectPostView):
    model = WorkReport
    permission = "comment"
    form_class = CommentForm

    def perform(self, obj, data):
        parent = None
        if data.get("parent"):
            parent = ReportComment.objects.filter(pk=data["parent"], report=obj).first()
            if parent is None:
                messages.error(self.request, _("Reply to a comment of this report."))
                return ""
        services_reports.report_comment_add(
            actor=self.request.user, report=obj, body=data["body"], parent=parent
        )
        return _("Comment added.")

    def redirect_url(self, obj):
        return obj.get_absolute_url() + "#comments"


class DigestView(PolicyMixin, View):
    """The team digest of a day or week: who submitted, who is missing, blockers first and the
    key numbers with a chart (``?unit=&kind=&period=``)."""

    template_name = "collab/reports/digest.html"

    def get(self, request):
        user = request.user
        policy.require(user, "digest", WorkReport)
        units = selectors_reports.digest_units(user=user)
        kind = _kind(request.GET.get("kind"))
        today = timezone.localdate()
        default = today
        if kind == ReportKind.DAILY:
            while default.weekday() >= 5:  # weekends: the last working day's reports
                default -= dt.timedelta(days=1)
        period = services_reports.period_of(kind, _date(request.GET.get("period"), default))
        unit = None
        raw = request.GET.get("unit", "")
        if raw.isdigit() and len(raw) < 19:
            unit = units.filter(pk=int(raw)).first()
            if unit is None:
                raise Http404(_("Not found."))
        if unit is None:
            staff = getattr(user, "staff", None)
            unit = (
                units.filter(pk=staff.unit_id).first() if staff is not None else None
            ) or units.order_by("depth", "path").first()
        digest = (
            selectors_reports.digest(user=user, unit=unit, kind=kind, period_start=period)
            if unit
            else None
        )
        step = dt.timedelta(days=7 if kind == ReportKind.WEEKLY else 1)
        context = {
            "title": _("Team digest"),
            "digest": digest,
            "units": units.order_by("path")[:500],
            "unit": unit,
            "kind": kind,
            "kinds": ReportKind.choices,
            "period": period,
            "prev_period": period - step,
            "next_period": period + step if period + step <= today else None,
        }
        return render(request, self.template_name, context)


TEMPLATE_TABLE = Table(
    columns=(
        Column("name", gettext_lazy("Name"), order_by="name", link=True),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display", order_by="kind"),
        Column(
            "unit",
            gettext_lazy("Team"),
            accessor=lambda t: t.unit.display_name if t.unit else _("Company default"),
        ),
        Column("sections", gettext_lazy("Sections"), accessor=lambda t: len(t.sections)),
        Column("metrics", gettext_lazy("Key numbers"), accessor=lambda t: len(t.metrics)),
        Column("due", gettext_lazy("Due"), accessor=lambda t: t.due_time.strftime("%H:%M")),
    ),
    default_order="kind",
)


class TemplateListView(ScopedListView):
    model = ReportTemplate
    table = TEMPLATE_TABLE
    title = gettext_lazy("Report templates")
    export_stem = "report-templates"
    create_url = "collab:reporttemplate_create"
    empty_hint = gettext_lazy(
        "Without a template, reports ask for Done, Planned and Blockers, due at 18:00."
    )

    def base_queryset(self, action="view"):
        return selectors_reports.template_list(user=self.request.user, action=action)


class TemplateFormMixin(PolicyMixin, View):
    template_name = "collab/reports/template_form.html"

    def units(self):
        return selectors_reports.digest_units(user=self.request.user).order_by("path")

    def render_form(self, form, obj, status=200):
        context = {
            "form": form,
            "object": obj,
            "title": obj.name if obj else _("New report template"),
            "cancel_url": reverse("collab:reporttemplate_list"),
            "can_delete": obj is not None and policy.can(self.request.user, "delete", obj),
        }
        return render(self.request, self.template_name, context, status=status)

    def save(self, form, obj):
        raise NotImplementedError

    def handle(self, request, obj):
        form = ReportTemplateForm(
            request.POST,
            units=self.units(),
            editing=obj is not None,
            initial=template_initial(obj) if obj else None,
        )
        if form.is_valid():
            try:
                self.save(form, obj)
            except (NotVisible, PolicyDenied):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Template saved."))
                return redirect("collab:reporttemplate_list")
        return self.render_form(form, obj, status=400)


class TemplateCreateView(TemplateFormMixin):
    def get(self, request):
        policy.require(request.user, "add", ReportTemplate)
        default = ReportTemplate(kind=ReportKind.DAILY, name="")
        initial = template_initial(default)
        initial["unit"] = getattr(getattr(request.user, "staff", None), "unit_id", None)
        return self.render_form(ReportTemplateForm(initial=initial, units=self.units()), None)

    def post(self, request):
        policy.require(request.user, "add", ReportTemplate)
        return self.handle(request, None)

    def save(self, form, obj):
        data = form.cleaned_data
        return services_reports.report_template_create(actor=self.request.user, **data)


class TemplateEditView(TemplateFormMixin):
    def get_object(self, pk):
        return policy.scoped_get(ReportTemplate.objects.all(), self.request.user, "change", pk=pk)

    def get(self, request, pk):
        obj = self.get_object(pk)
        form = ReportTemplateForm(initial=template_initial(obj), units=self.units(), editing=True)
        return self.render_form(form, obj)

    def post(self, request, pk):
        return self.handle(request, self.get_object(pk))

    def save(self, form, obj):
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("unit", "kind")}
        return services_reports.report_template_update(
            actor=self.request.user, template=obj, **data
        )


class TemplateDeleteView(ObjectPostView):
    model = ReportTemplate
    permission = "delete"

    def perform(self, obj, data):
        services_reports.report_template_delete(actor=self.request.user, template=obj)
        return _("Template removed.")

    def redirect_url(self, obj):
        return reverse("collab:reporttemplate_list")
