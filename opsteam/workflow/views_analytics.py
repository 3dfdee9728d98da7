"""Analytics pages: a process's dashboard (bottlenecks, steps, handoffs, trends, workload, the
directly-follows graph), the cases behind a graph edge, improvement actions (list, detail,
edit, created from a bottleneck) and the process review comparing two windows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.org.models import Staff
from opsteam.workflow import selectors_analytics as selectors
from opsteam.workflow import services_actions as services
from opsteam.workflow.forms_analytics import (
    QUICK_WINDOWS,
    ActionFromBottleneckForm,
    ImprovementActionFilterSet,
    ImprovementActionForm,
    ReviewForm,
    WindowForm,
    window_of,
)
from opsteam.workflow.models import ImprovementAction

ACTION_TABLE = Table(
    columns=(
        Column("title", gettext_lazy("Action"), order_by="title", link=True),
        Column(
            "process",
            gettext_lazy("Process"),
            accessor=lambda action: (
                action.process.display_name if action.process_id else action.review
            ),
        ),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("owner", gettext_lazy("Owner"), accessor="owner.display_name"),
        Column("due_date", gettext_lazy("Due date"), order_by="due_date"),
        Column("effective_date", gettext_lazy("Effective from"), order_by="effective_date"),
        Column("bottleneck_key", gettext_lazy("Bottleneck")),
        Column("created_at", gettext_lazy("Created"), order_by="created_at"),
    ),
    default_order="-created_at",
)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 19 else None


class ProcessAnalyticsView(PolicyMixin, TemplateView):
    """The dashboard of one process over a window (default: the last 90 days)."""

    template_name = "workflow/analytics_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        process = selectors.visible_process(user=user, pk=self.kwargs["pk"])
        process_map = selectors.require_analyse(user, process)
        form = WindowForm(self.request.GET or None)
        start_day, end_day = form.dates()
        start, end = form.window()
        if not form.is_bound:
            form = WindowForm(initial={"start": start_day, "end": end_day})
        found = selectors.analysis(process, start, end)
        disagreements = []
        if process_map is not None:
            from opsteam.workflow import selectors_maps

            disagreements = selectors_maps.raci_disagreements(
                process_map, found.targets.steps or None
            )
        window = {"start": start_day.isoformat(), "end": end_day.isoformat()}
        context.update(
            title=_("Analytics: {process}").format(process=process.display_name),
            process=process,
            process_map=process_map,
            form=form,
            window=window,
            quick_windows=selectors.quick_windows(QUICK_WINDOWS),
            found=found,
            dashboard=selectors.dashboard(found, edge_url=self._edge_url(process, window)),
            disagreements=disagreements,
            can_act=services.can_on_process(user, "add", ImprovementAction, process),
            actions=selectors.action_list(user=user).filter(process=process)[:10],
            review_url=reverse("workflow:process_review", args=[process.pk]),
        )
        return context

    @staticmethod
    def _edge_url(process: Any, window: dict[str, str]) -> str:
        return f"{reverse('workflow:analytics_edge', args=[process.pk])}?{urlencode(window)}"


class EdgeCasesView(PolicyMixin, TemplateView):
    """The cases behind one edge of the directly-follows graph, longest wait first."""

    template_name = "workflow/analytics_edge.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, query = self.request.user, self.request.GET
        process = selectors.visible_process(user=user, pk=self.kwargs["pk"])
        selectors.require_analyse(user, process)
        source = (query.get("source") or "")[:160]
        target = (query.get("target") or "")[:160]
        form = WindowForm(query or None)
        start, end = form.window()
        start_day, end_day = form.dates()
        rows = selectors.edge_cases(user, process, start, end, source, target) if source else []
        context.update(
            title=_("{source} → {target}").format(source=source, target=target),
            process=process,
            source=source,
            target=target,
            rows=rows,
            window={"start": start_day.isoformat(), "end": end_day.isoformat()},
        )
        return context


class ActionFromBottleneckView(PolicyMixin, View):
    """POST: create an improvement action from a bottleneck of the analysis, storing its key
    and a snapshot of its evidence (recomputed here, never taken from the browser)."""

    def post(self, request, pk):
        process = selectors.visible_process(user=request.user, pk=pk)
        selectors.require_analyse(request.user, process)
        services.require_on_process(request.user, "add", ImprovementAction, process)
        form = ActionFromBottleneckForm(request.POST)
        back = reverse("workflow:analytics", args=[process.pk])
        if not form.is_valid():
            messages.error(request, _("Choose a bottleneck of the analysis."))
            return redirect(back)
        data = form.cleaned_data
        back = f"{back}?{urlencode({'start': data['start'], 'end': data['end']})}"
        found = selectors.analysis(process, *window_of((data["start"], data["end"])))
        bottleneck = selectors.find_bottleneck(found, data["key"])
        if bottleneck is None:
            messages.error(request, _("This bottleneck is not in the analysis any more."))
            return redirect(back)
        evidence = selectors.bottleneck_snapshot(bottleneck, found.people)
        evidence["window"] = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
        try:
            action = services.improvement_action_create(
                actor=request.user,
                process=process,
                title=data["title"] or selectors.default_action_title(bottleneck),
                description=selectors.evidence_text(bottleneck),
                bottleneck_key=selectors.bottleneck_key(bottleneck),
                evidence=evidence,
                owner=Staff.objects.filter(user=request.user).first(),
            )
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(request, _("Improvement action created: set its owner and due date."))
        return redirect(action.get_absolute_url())


class ActionListView(ScopedListView):
    """Improvement actions the user may see, filterable by process and status."""

    model = ImprovementAction
    table = ACTION_TABLE
    filterset_class = ImprovementActionFilterSet
    title = gettext_lazy("Improvement actions")
    export_stem = "improvement-actions"
    empty_hint = gettext_lazy(
        "Open a process's analytics and create an action from one of its bottlenecks."
    )

    def base_queryset(self, action="view"):
        return selectors.action_list(user=self.request.user, action=action)


class ActionDetailView(ScopedDetailView):
    """One action: the bottleneck and the evidence it started from, its PDCA status, and the
    way to the process review around its effective date."""

    model = ImprovementAction
    template_name = "workflow/action_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("process", "review", "owner", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.object
        context.update(
            title=action.title,
            evidence=selectors.stored_evidence(action.evidence),
            statuses=selectors.pdca_steps(action.status),
            can_review=bool(action.process_id)
            and selectors.can_analyse(self.request.user, action.process),
            review_url=(
                f"{reverse('workflow:process_review', args=[action.process_id])}"
                f"?{urlencode({'action': action.pk})}"
                if action.process_id
                else ""
            ),
        )
        return context


class ActionEditView(ServiceFormView):
    """Edit an action (owner, due date, status, effective date, result)."""

    model = ImprovementAction
    form_class = ImprovementActionForm
    template_name = "workflow/action_form.html"
    success_message = gettext_lazy("The action is saved.")

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["owner"] = obj.owner_id
        return initial

    def form_kwargs(self, obj):
        return {"owners": selectors.owner_choices(self.request.user, include=obj.owner)}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["title"] = _("Edit {action}").format(action=obj.title)
        return context

    def perform(self, form, obj):
        data = dict(form.cleaned_data)
        owner_id = data.pop("owner")
        data["owner"] = Staff.objects.filter(pk=owner_id).first() if owner_id else None
        return services.improvement_action_update(actor=self.request.user, action=obj, **data)


class ProcessReviewView(PolicyMixin, TemplateView):
    """Two windows of a process side by side: waits per step, handoff delays, cycle time,
    throughput and breach rates, with the change and whether it is an improvement."""

    template_name = "workflow/review_compare.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        process = selectors.visible_process(user=user, pk=self.kwargs["pk"])
        selectors.require_analyse(user, process)
        form = ReviewForm(self.request.GET or None)
        form.is_valid()
        action = None
        action_id = form.cleaned_data.get("action") if hasattr(form, "cleaned_data") else None
        if action_id:
            action = selectors.action_list(user=user).filter(process=process, pk=action_id).first()
            if action is None:
                raise Http404(_("Not found."))
        before_days, after_days = form.windows(action.effective_date if action else None)
        before = selectors.analysis(process, *window_of(before_days))
        after = selectors.analysis(process, *window_of(after_days))
        context.update(
            title=_("Process review: {process}").format(process=process.display_name),
            process=process,
            form=form,
            action=action,
            before_days=before_days,
            after_days=after_days,
            comparison=selectors.review_comparison(before, after),
        )
        return context
