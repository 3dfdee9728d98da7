"""Process-map pages: the process list, a process's map (flowchart, steps, transitions, RACI
check, versions), the SOP of a step, and the editors of drafts (steps, transitions, layout,
change note, publish, discard)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import policy
from opsteam.core.exceptions import InvalidTransition, NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.models import AuditEntry
from opsteam.core.tables import Column, Table
from opsteam.core.views import ObjectPostView, PolicyMixin, ScopedListView, ServiceFormView
from opsteam.org.models import Process
from opsteam.workflow import selectors_maps, services_maps
from opsteam.workflow.choices import MapStatus
from opsteam.workflow.forms_maps import (
    MapNoteForm,
    ProcessCreateForm,
    ProcessFilterSet,
    StepForm,
    TransitionForm,
)
from opsteam.workflow.models import ProcessMap, Step, Transition


def _version(value: int | None) -> str:
    return f"v{value}" if value else ""


PROCESS_TABLE = Table(
    columns=(
        Column("code", gettext_lazy("Code"), order_by="code"),
        Column("name", gettext_lazy("Process"), accessor="display_name", order_by="name"),
        Column(
            "owner_unit",
            gettext_lazy("Owning unit"),
            accessor=lambda p: p.owner_unit.display_name if p.owner_unit_id else "",
            order_by="owner_unit__code",
        ),
        Column(
            "published_version",
            gettext_lazy("Published map"),
            accessor=lambda p: _version(p.published_version),
            order_by="published_version",
        ),
        Column("steps_count", gettext_lazy("Steps"), order_by="steps_count"),
        Column("open_items", gettext_lazy("Open items"), order_by="open_items"),
        Column(
            "latest_version",
            gettext_lazy("Latest version"),
            accessor=lambda p: _version(p.latest_version),
        ),
    ),
    default_order="code",
)


class ProcessListView(ScopedListView):
    """Every process with its published map version, steps, open work items and owner."""

    model = Process
    table = PROCESS_TABLE
    filterset_class = ProcessFilterSet
    title = gettext_lazy("Processes")
    export_stem = "processes"
    create_url = "workflow:process_create"
    template_name = "workflow/process_list.html"
    partial_template_name = "workflow/map_process_table.html"
    empty_hint = gettext_lazy(
        "A process groups the activities of the RACI matrix; its map says who does each step, "
        "how long it should take and how work is handed over."
    )

    def base_queryset(self, action: str = "view"):
        return selectors_maps.process_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = policy.can(user, "add", Process) and policy.can(
            user, "add", ProcessMap
        )
        rows = list(context["object_list"])
        drafts = selectors_maps.drafts_of([row.pk for row in rows])
        for row in rows:
            row.draft_id = drafts.get(row.pk)
        context["object_list"] = rows
        return context


class ProcessCreateView(ServiceFormView):
    """A new process and the first draft of its map."""

    form_class = ProcessCreateForm
    model = Process
    policy_action = "add"
    title = gettext_lazy("New process")
    success_message = gettext_lazy("The process is created: draw its map, then publish it.")

    def check_permission(self, obj):
        policy.require(self.request.user, "add", Process)
        policy.require(self.request.user, "add", ProcessMap)

    def form_kwargs(self, obj):
        return {"units": selectors_maps.maintainable_units(self.request.user)}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("workflow:process_list")
        return context

    def perform(self, form, obj):
        return services_maps.process_create_with_map(actor=self.request.user, **form.cleaned_data)


BULLET = re.compile(r"^\s*[-*]\s+")
NUMBERED = re.compile(r"^\s*\d+[.)、]\s*")


def _list_items(lines: list[str], marker: re.Pattern[str]) -> str:
    return "".join("<li>{}</li>".format(escape(marker.sub("", line))) for line in lines)


def render_sop(text: str) -> SafeString:
    """The SOP as HTML: every character escaped, then blank-line paragraphs, ``#`` headings,
    ``-``/``*`` bullet lists and ``1.`` numbered lists; single line breaks kept."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    html: list[str] = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(BULLET.match(line) for line in lines):
            html.append("<ul>{}</ul>".format(_list_items(lines, BULLET)))
        elif all(NUMBERED.match(line) for line in lines):
            html.append("<ol>{}</ol>".format(_list_items(lines, NUMBERED)))
        elif len(lines) == 1 and lines[0].startswith("#"):
            html.append("<h4>{}</h4>".format(escape(lines[0].lstrip("#").strip())))
        else:
            html.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("".join(html))  # noqa: S308 - every piece of text is escaped above


def _history(user: Any, obj: Any) -> dict[str, Any]:
    can_view = policy.can(user, "view", AuditEntry)
    context: dict[str, Any] = {"can_view_audit": can_view}
    if can_view:
        label, pk = obj._meta.label_lower, str(obj.pk)
        context["history"] = AuditEntry.objects.filter(object_type=label, object_id=pk)[:20]
        context["history_query"] = f"object_type={label}&object_id={pk}"
    return context


def map_page(request, process: Process, process_map: ProcessMap | None) -> HttpResponse:
    """The map page of ``process`` showing ``process_map`` (None: the process has no map)."""
    user = request.user
    can_add = selectors_maps.can_maintain(user, process, "add")
    context: dict[str, Any] = {
        "process": process,
        "object": process_map,
        "title": process.display_name,
        "can_add_version": can_add,
        "can_analyse": selectors_maps.can_maintain(user, process, "analyse"),
        "versions": selectors_maps.map_versions(process),
    }
    if process_map is not None:
        steps = selectors_maps.map_steps(process_map)
        transitions = selectors_maps.map_transitions(process_map)
        disagreements = selectors_maps.raci_disagreements(process_map, steps)
        is_draft = process_map.status == MapStatus.DRAFT
        can_edit = is_draft and selectors_maps.can_maintain(user, process, "change")
        context.update(
            steps=steps,
            transitions=transitions,
            disagreements=disagreements,
            flagged_steps={problem["step"].pk for problem in disagreements},
            chart=selectors_maps.flowchart(
                process_map,
                steps,
                transitions,
                flagged={problem["step"].pk for problem in disagreements},
                editable=can_edit,
            ),
            is_draft=is_draft,
            can_edit=can_edit,
            can_publish=is_draft and selectors_maps.can_maintain(user, process, "publish"),
            draft=next((v for v in context["versions"] if v.status == MapStatus.DRAFT), None),
            published=next(
                (v for v in context["versions"] if v.status == MapStatus.PUBLISHED), None
            ),
        )
        context.update(_history(user, process_map))
        from opsteam.collab import selectors_knowledge

        linked = selectors_knowledge.documents_for_process(user=user, process_map=process_map)
        context["related_documents"] = list(
            {doc.pk: doc for docs in linked.values() for doc in docs}.values()
        )
    return render(request, "workflow/process_detail.html", context)


class ProcessDetailView(PolicyMixin, View):
    """A process's map: the published version (else the latest draft)."""

    def get(self, request, pk):
        process = selectors_maps.visible_process(user=request.user, pk=pk)
        return map_page(request, process, selectors_maps.current_map(process))


class MapDetailView(PolicyMixin, View):
    """One version of a map (any status)."""

    def get(self, request, pk):
        process_map = policy.scoped_get(
            ProcessMap.objects.select_related("process", "process__owner_unit"),
            request.user,
            pk=pk,
        )
        return map_page(request, process_map.process, process_map)


class MapNewVersionView(PolicyMixin, View):
    """POST: open the next draft (copied from the published version) and go to it."""

    def post(self, request, pk):
        process = selectors_maps.visible_process(user=request.user, pk=pk)
        note = request.POST.get("change_note", "")[:300]
        draft = services_maps.map_new_version(actor=request.user, process=process, change_note=note)
        messages.success(
            request,
            _("Draft v{version} is open: change it, then publish it.").format(
                version=draft.version
            ),
        )
        return redirect(draft.get_absolute_url())


class MapEditView(ServiceFormView):
    """A draft's change note."""

    form_class = MapNoteForm
    model = ProcessMap
    title = gettext_lazy("What changes in this version")

    def get_object(self):
        process_map = super().get_object()
        if process_map.status != MapStatus.DRAFT:
            raise Http404(_("Published versions are read-only: start a new draft."))
        return process_map

    def perform(self, form, obj):
        return services_maps.map_update(
            actor=self.request.user, process_map=obj, change_note=form.cleaned_data["change_note"]
        )


class MapPublishView(ObjectPostView):
    model = ProcessMap
    permission = "publish"

    def perform(self, obj, data):
        services_maps.map_publish(actor=self.request.user, process_map=obj)
        return _("Version {version} is published; the previous version is archived.").format(
            version=obj.version
        )


class MapDiscardView(ObjectPostView):
    model = ProcessMap
    permission = "change"

    def perform(self, obj, data):
        self.discarded = False
        services_maps.map_discard(actor=self.request.user, process_map=obj)
        self.discarded = True
        return _("Draft v{version} is discarded.").format(version=obj.version)

    def redirect_url(self, obj):
        if getattr(self, "discarded", False):
            return reverse("workflow:process_detail", args=[obj.process_id])
        return obj.get_absolute_url()


class MapLayoutView(PolicyMixin, View):
    """POST (JSON ``{"positions": {"<step id>": [x, y]}}``): save where the flowchart draws the
    steps of a draft. Answers JSON: ``{"moved": n}`` or ``{"error": ..., "field": ...}``."""

    def post(self, request, pk):
        process_map = policy.scoped_get(
            ProcessMap.objects.select_related("process", "process__owner_unit"),
            request.user,
            "change",
            pk=pk,
        )
        try:
            body = json.loads(request.body or b"{}")
            positions = {
                int(key): (float(value[0]), float(value[1]))
                for key, value in body["positions"].items()
            }
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return JsonResponse(
                {"error": _("Send the positions as JSON."), "field": "positions"}, status=400
            )
        try:
            moved = services_maps.map_layout_save(
                actor=request.user, process_map=process_map, positions=positions
            )
        except (PolicyDenied, NotVisible):
            raise
        except InvalidTransition as exc:
            return JsonResponse({"error": exc.message, "field": exc.field}, status=409)
        except OpsTeamError as exc:
            return JsonResponse({"error": exc.message, "field": exc.field}, status=400)
        return JsonResponse({"moved": moved})


class _DraftChildMixin:
    """Editors of a draft's steps and transitions: published versions answer 404."""

    @staticmethod
    def ensure_draft(process_map: ProcessMap) -> None:
        if process_map.status != MapStatus.DRAFT:
            raise Http404(_("Published versions are read-only: start a new draft."))


class StepCreateView(_DraftChildMixin, ServiceFormView):
    form_class = StepForm
    model = ProcessMap
    title = gettext_lazy("New step")
    success_message = gettext_lazy("The step is added.")

    def get_object(self):
        process_map = policy.scoped_get(
            ProcessMap.objects.select_related("process"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )
        self.ensure_draft(process_map)
        return process_map

    def get_initial(self, obj):
        return {}

    def form_kwargs(self, obj):
        return {"process_map": obj}

    def perform(self, form, obj):
        return services_maps.step_create(
            actor=self.request.user, process_map=obj, **form.cleaned_data
        )

    def success_url(self, result):
        return f"{result.map.get_absolute_url()}#steps"


class StepEditView(_DraftChildMixin, ServiceFormView):
    form_class = StepForm
    model = Step
    title = gettext_lazy("Edit step")
    success_message = gettext_lazy("The step is saved.")

    def get_object(self):
        step = policy.scoped_get(
            Step.objects.select_related("map", "map__process"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )
        self.ensure_draft(step.map)
        return step

    def form_kwargs(self, obj):
        return {"process_map": obj.map}

    def context(self, form, obj):
        context = super().context(form, obj)
        context.update(
            title=_("Edit step {code}").format(code=obj.code),
            cancel_url=obj.map.get_absolute_url(),
        )
        return context

    def perform(self, form, obj):
        return services_maps.step_update(actor=self.request.user, step=obj, **form.cleaned_data)

    def success_url(self, result):
        return f"{result.map.get_absolute_url()}#steps"


class StepDeleteView(ObjectPostView):
    model = Step
    permission = "change"

    def get_queryset(self):
        return Step.objects.select_related("map", "map__process")

    def perform(self, obj, data):
        services_maps.step_delete(actor=self.request.user, step=obj)
        return _("The step {code} is removed.").format(code=obj.code)

    def redirect_url(self, obj):
        return reverse("workflow:map_detail", args=[obj.map_id])


class StepSopView(PolicyMixin, View):
    """A step's standard operating procedure, with who does it and the target."""

    def get(self, request, pk):
        from opsteam.collab import selectors_knowledge

        step = policy.scoped_get(
            Step.objects.select_related("map", "map__process", "activity", "position"),
            request.user,
            pk=pk,
        )
        disagreement = next(
            (
                problem
                for problem in selectors_maps.raci_disagreements(step.map, [step])
                if problem["step"].pk == step.pk
            ),
            None,
        )
        return render(
            request,
            "workflow/map_step_sop.html",
            {
                "object": step,
                "process_map": step.map,
                "title": step.display_name,
                "sop_html": render_sop(step.sop),
                "disagreement": disagreement,
                "can_edit": step.map.status == MapStatus.DRAFT
                and selectors_maps.can_maintain(request.user, step.map.process, "change"),
                "related_documents": selectors_knowledge.documents_for_step(
                    user=request.user, step=step
                ),
            },
        )


class TransitionCreateView(StepCreateView):
    form_class = TransitionForm
    title = gettext_lazy("New handoff")
    success_message = gettext_lazy("The handoff is added.")

    def perform(self, form, obj):
        return services_maps.transition_create(
            actor=self.request.user, process_map=obj, **form.cleaned_data
        )

    def success_url(self, result):
        return f"{result.map.get_absolute_url()}#transitions"


class TransitionEditView(_DraftChildMixin, ServiceFormView):
    form_class = TransitionForm
    model = Transition
    title = gettext_lazy("Edit handoff")
    success_message = gettext_lazy("The handoff is saved.")

    def get_object(self):
        transition = policy.scoped_get(
            Transition.objects.select_related("map", "map__process"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )
        self.ensure_draft(transition.map)
        return transition

    def form_kwargs(self, obj):
        return {"process_map": obj.map}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = obj.map.get_absolute_url()
        return context

    def perform(self, form, obj):
        return services_maps.transition_update(
            actor=self.request.user, transition=obj, **form.cleaned_data
        )

    def success_url(self, result):
        return f"{result.map.get_absolute_url()}#transitions"


class TransitionDeleteView(ObjectPostView):
    model = Transition
    permission = "change"

    def get_queryset(self):
        return Transition.objects.select_related("map", "map__process")

    def perform(self, obj, data):
        services_maps.transition_delete(actor=self.request.user, transition=obj)
        return _("The handoff is removed.")

    def redirect_url(self, obj):
        return reverse("workflow:map_detail", args=[obj.map_id])
