"""KPI pages: the KPI library, KPI templates per position, and measurements."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import policy
from opsteam.core.exceptions import InvalidTransition, NotVisible, PolicyDenied, ValidationFailed
from opsteam.core.models import ImportJob
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.performance import explain, selectors, services
from opsteam.performance.choices import TemplateStatus
from opsteam.performance.filters import KpiFilterSet, KpiTemplateFilterSet, MeasurementFilterSet
from opsteam.performance.forms import (
    KpiForm,
    KpiTemplateForm,
    KpiTemplateItemFormSet,
    MeasurementForm,
)
from opsteam.performance.models import Kpi, KpiTemplate, Measurement
from opsteam.performance.tables import KPI_TABLE, KPI_TEMPLATE_TABLE, MEASUREMENT_TABLE, plain


class KpiListView(ScopedListView):
    model = Kpi
    table = KPI_TABLE
    filterset_class = KpiFilterSet
    title = gettext_lazy("KPI library")
    export_stem = "kpis"
    create_url = "performance:kpi_create"
    empty_hint = gettext_lazy("Add the indicators your teams are measured by.")

    def base_queryset(self, action="view"):
        return selectors.kpi_list(user=self.request.user, action=action)


class KpiDetailView(ScopedDetailView):
    model = Kpi
    template_name = "performance/kpi_detail.html"

    def get_queryset(self):
        return selectors.kpi_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kpi = self.object
        curve = explain.score_curve(kpi)
        context.update(
            title=kpi.display_name,
            rule_lines=explain.rule_in_words(kpi),
            curve=curve,
            chart_option=explain.curve_chart_option(kpi, curve) if curve else None,
            templates=selectors.kpi_template_list(user=self.request.user)
            .filter(items__kpi=kpi)
            .exclude(status=TemplateStatus.RETIRED),
            can_view_measurements=policy.can(self.request.user, "view", Measurement),
        )
        return context


class KpiCreateView(ServiceFormView):
    form_class = KpiForm
    title = gettext_lazy("New KPI")
    model = Kpi
    policy_action = "add"

    def get_initial(self, obj):
        return {name: field.initial for name, field in KpiForm.base_fields.items()}

    def context(self, form, obj):
        return {**super().context(form, obj), "cancel_url": reverse("performance:kpi_list")}

    def perform(self, form, obj):
        return services.kpi_create(actor=self.request.user, **form.cleaned_data)


class KpiUpdateView(ServiceFormView):
    form_class = KpiForm
    title = gettext_lazy("Edit KPI")
    model = Kpi

    def perform(self, form, obj):
        return services.kpi_update(actor=self.request.user, kpi=obj, **form.cleaned_data)


class KpiTemplateListView(ScopedListView):
    model = KpiTemplate
    table = KPI_TEMPLATE_TABLE
    filterset_class = KpiTemplateFilterSet
    title = gettext_lazy("KPI templates")
    export_stem = "kpi-templates"
    create_url = "performance:kpitemplate_create"
    empty_hint = gettext_lazy(
        "A template gives a position (and optionally a level) its KPIs and their weights."
    )

    def base_queryset(self, action="view"):
        return selectors.kpi_template_list(user=self.request.user, action=action)


class KpiTemplateDetailView(ScopedDetailView):
    model = KpiTemplate
    template_name = "performance/kpitemplate_detail.html"

    def get_queryset(self):
        return selectors.kpi_template_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.object
        versions = selectors.kpi_template_list(user=self.request.user).filter(
            position=template.position_id, level=template.level_id
        )
        draft = next((v for v in versions if v.status == TemplateStatus.DRAFT), None)
        context.update(
            title=_("KPI template: {template}").format(template=template),
            items=_items_for_display(template),
            versions=versions.order_by("-version"),
            draft=draft,
            is_draft=template.status == TemplateStatus.DRAFT,
            weights_ok=template.weight_total == 100,
        )
        return context


def _items_for_display(template: KpiTemplate) -> list:
    items = list(template.items.select_related("kpi"))
    for item in items:
        item.weight_shown = plain(item.weight)
        item.target_shown = plain(item.target if item.target is not None else item.kpi.target)
    return items


def _item_initial(template: KpiTemplate) -> list[dict]:
    return [
        {"kpi": item.kpi_id, "weight": item.weight, "target": item.target}
        for item in template.items.all()
    ]


class KpiTemplateEditView(PolicyMixin, View):
    """Edit a template's KPIs and weights (they must add up to 100%).

    Without ``pk`` a new template starts for a position and level. Editing a draft replaces
    its items; editing an active or retired version opens the position's next version as a
    draft (or the draft already open), so cycles keep the version they used.
    """

    template_name = "performance/kpitemplate_edit.html"

    def get_object(self) -> KpiTemplate | None:
        if "pk" not in self.kwargs:
            policy.require(self.request.user, "change", KpiTemplate)
            return None
        return policy.scoped_get(
            KpiTemplate.objects.select_related("position", "level"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )

    def forms(self, template: KpiTemplate | None, data=None):
        if template is None:
            initial = {"position": self.request.GET.get("position")}
            items: list[dict] = []
        else:
            initial = {
                "position": template.position_id,
                "level": template.level_id,
                "note": template.note,
            }
            items = _item_initial(template)
        form = KpiTemplateForm(data, initial=initial)
        if template is not None:
            # position and level identify the versions: fixed once a template exists
            form.fields["position"].disabled = True
            form.fields["level"].disabled = True
        return form, KpiTemplateItemFormSet(data, initial=items, prefix="items")

    def render(self, template, form, formset, status=200):
        if template is None:
            title = _("New KPI template")
        elif template.status == TemplateStatus.DRAFT:
            title = _("Edit draft: {template}").format(template=template)
        else:
            title = _("New version of {template}").format(template=template)
        return render(
            self.request,
            self.template_name,
            {
                "object": template,
                "form": form,
                "items": formset,
                "title": title,
                "new_version": template is not None and template.status != TemplateStatus.DRAFT,
                "cancel_url": template.get_absolute_url()
                if template
                else reverse("performance:kpitemplate_list"),
            },
            status=status,
        )

    def _open_draft(self, template: KpiTemplate | None) -> KpiTemplate | None:
        if template is None or template.status == TemplateStatus.DRAFT:
            return None
        return KpiTemplate.objects.filter(
            position=template.position_id, level=template.level_id, status=TemplateStatus.DRAFT
        ).first()

    def get(self, request, pk=None):
        template = self.get_object()
        draft = self._open_draft(template)
        if draft is not None:
            messages.info(request, _("A draft of the next version is already open: edit it."))
            return redirect("performance:kpitemplate_edit", pk=draft.pk)
        form, formset = self.forms(template)
        return self.render(template, form, formset)

    def post(self, request, pk=None):
        template = self.get_object()
        if self._open_draft(template) is not None:
            return redirect("performance:kpitemplate_edit", pk=self._open_draft(template).pk)
        form, formset = self.forms(template, request.POST)
        if template is None and form.is_valid():
            existing = KpiTemplate.objects.filter(
                position=form.cleaned_data["position"],
                level=form.cleaned_data["level"],
                status=TemplateStatus.DRAFT,
            ).first()
            if existing is not None:
                # saving would silently replace the items of the draft someone is preparing
                form.add_error(
                    None,
                    _(
                        "A draft (v{version}) is already open for this position and level; "
                        "edit that draft instead."
                    ).format(version=existing.version),
                )
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.kpi_template_save(
                    actor=request.user,
                    position=form.cleaned_data["position"],
                    level=form.cleaned_data["level"],
                    note=form.cleaned_data["note"],
                    items=formset.items(),
                )
            except (PolicyDenied, NotVisible):
                raise
            except ValidationFailed as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Draft saved. Activate it to put it in force."))
                return redirect(saved.get_absolute_url())
        return self.render(template, form, formset, status=400)


class KpiTemplateActivateView(PolicyMixin, View):
    """POST: put a draft in force; the previous active version is retired."""

    def post(self, request, pk):
        template = policy.scoped_get(KpiTemplate.objects.all(), request.user, "change", pk=pk)
        try:
            services.kpi_template_activate(actor=request.user, template=template)
        except (InvalidTransition, ValidationFailed) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Template activated; the previous version is retired."))
        return redirect(template.get_absolute_url())


class MeasurementListView(ScopedListView):
    model = Measurement
    table = MEASUREMENT_TABLE
    filterset_class = MeasurementFilterSet
    title = gettext_lazy("KPI measurements")
    export_stem = "kpi-measurements"
    create_url = "performance:measurement_create"
    import_kind = "kpi"
    template_name = "performance/measurement_list.html"
    empty_hint = gettext_lazy("Import a period of values or enter one by hand.")

    def base_queryset(self, action="view"):
        return selectors.measurement_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["import_history_url"] = (
            reverse("core:import_list") + "?" + urlencode({"kind": "kpi"})
            if policy.can(self.request.user, "view", ImportJob)
            else None
        )
        return context


class MeasurementCreateView(ServiceFormView):
    form_class = MeasurementForm
    title = gettext_lazy("Enter a KPI value by hand")
    success_message = gettext_lazy("Value saved; imports will not overwrite it.")
    model = Measurement
    policy_action = "add"

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def context(self, form, obj):
        return {**super().context(form, obj), "cancel_url": reverse("performance:measurement_list")}

    def perform(self, form, obj):
        return services.measurement_enter(actor=self.request.user, **form.service_arguments())

    def success_url(self, result):
        query = urlencode({"staff": result.staff_id, "kpi": result.kpi_id})
        return reverse("performance:measurement_list") + "?" + query
