"""Work-item pages: the list (filters, CSV/Excel export), an item (history, comments,
attachments, links and its move/assign/status forms), create and edit, a process's board,
My work and the team workload."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import policy
from opsteam.core.exceptions import ValidationFailed
from opsteam.core.views import (
    ObjectPostView,
    PolicyMixin,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    safe_next,
)
from opsteam.org.models import OrgUnit, Process
from opsteam.training import files
from opsteam.workflow import selectors_items, services_items
from opsteam.workflow.choices import OPEN_STATUSES, ItemStatus, LinkKind, Priority
from opsteam.workflow.filters import BoardFilterSet, WorkItemFilterSet
from opsteam.workflow.forms_items import (
    AssignForm,
    AttachForm,
    CommentForm,
    ItemCreateForm,
    ItemEditForm,
    LinkForm,
    MoveForm,
    StatusForm,
)
from opsteam.workflow.models import WorkItem, WorkItemAttachment, WorkItemLink
from opsteam.workflow.tables import WORK_ITEM_TABLE


def _assign_form(user, item) -> AssignForm:
    """The assignee picker, offering the people the user may name (searched, not listed)."""
    form = AssignForm(initial={"assignee": item.assignee_id}, auto_id="assign-%s")
    form.fields["assignee"].queryset = selectors_items.assignable_staff(user=user)
    return form


class ItemListView(ScopedListView):
    """Work items the user may see, with filters; managers, HR and auditors export them."""

    model = WorkItem
    table = WORK_ITEM_TABLE
    filterset_class = WorkItemFilterSet
    title = gettext_lazy("Work items")
    export_stem = "work-items"
    create_url = "workflow:item_create"
    template_name = "workflow/item_list.html"
    empty_hint = gettext_lazy(
        "Tasks, tickets and requests move through a process's steps; raise one to start."
    )

    def base_queryset(self, action="view"):
        return selectors_items.item_list(user=self.request.user, action=action)


class ItemCreateView(ServiceFormView):
    form_class = ItemCreateForm
    model = WorkItem
    policy_action = "add"
    title = gettext_lazy("New work item")
    success_message = gettext_lazy("The item is raised and waits in the process's first step.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        initial: dict[str, Any] = {"priority": Priority.NORMAL}
        process = self.request.GET.get("process", "")
        if process.isdigit() and len(process) < 19:
            initial["process"] = int(process)
        return initial

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("workflow:item_list")
        return context

    def perform(self, form, obj):
        return services_items.item_create(actor=self.request.user, **form.cleaned_data)


class ItemUpdateView(ServiceFormView):
    form_class = ItemEditForm
    model = WorkItem
    policy_action = "change"
    title = gettext_lazy("Edit work item")

    def perform(self, form, obj):
        return services_items.item_update(actor=self.request.user, item=obj, **form.cleaned_data)


class ItemDetailView(ScopedDetailView):
    """An item: its fields, where it is and since when, its history in the event log,
    comments, attachments and links, and the forms of what the user may do to it."""

    model = WorkItem
    template_name = "workflow/item_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(*selectors_items.ITEM_RELATED)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        now = timezone.now()
        can_move = policy.can(user, "move", item)
        can_change = context["can_change"]
        context.update(
            title="{ref} {title}".format(ref=item.reference, title=item.title),
            events=selectors_items.item_events(item),
            comments=list(selectors_items.item_comments(item)),
            attachments=list(selectors_items.item_attachments(item)),
            links=selectors_items.item_links(user=user, item=item),
            age=selectors_items.human_minutes(selectors_items.age_minutes(item, now)),
            over_target=selectors_items.over_target(item, now),
            overdue=_overdue(item),
            can_move=can_move,
            can_comment=policy.can(user, "comment", item),
            move_targets=selectors_items.allowed_steps(user=user, item=item) if can_move else [],
            assign_form=_assign_form(user, item) if can_change else None,
            status_choices=[
                (code, label) for code, label in ItemStatus.choices if code != item.status
            ],
            link_kinds=LinkKind.choices,
            is_open=item.status in OPEN_STATUSES,
        )
        return context


def _overdue(item: WorkItem) -> bool:
    return (
        item.status in OPEN_STATUSES
        and item.due_date is not None
        and item.due_date < timezone.localdate()
    )


class ItemPostView(ObjectPostView):
    """A POST on one item, back to the page it came from (``next``, same site only)."""

    model = WorkItem

    def post(self, request, pk):
        self._next = request.POST.get("next", "")
        return super().post(request, pk)

    def redirect_url(self, obj):
        return safe_next(self.request, getattr(self, "_next", "")) or obj.get_absolute_url()


class ItemMoveView(ItemPostView):
    permission = "move"
    form_class = MoveForm

    def perform(self, obj, data):
        item = services_items.item_move(actor=self.request.user, item=obj, to_step=data["to_step"])
        return _("{ref} moved to “{step}”.").format(ref=item.reference, step=item.step.display_name)


class ItemAssignView(ItemPostView):
    permission = "change"
    form_class = AssignForm

    def perform(self, obj, data):
        item = services_items.item_assign(
            actor=self.request.user, item=obj, assignee=data["assignee"]
        )
        if item.assignee is None:
            return _("{ref} is unassigned.").format(ref=item.reference)
        return _("{ref} is assigned to {name}.").format(
            ref=item.reference, name=item.assignee.display_name
        )


class ItemStatusView(ItemPostView):
    permission = "move"
    form_class = StatusForm

    def perform(self, obj, data):
        item = services_items.item_set_status(
            actor=self.request.user, item=obj, status=data["status"]
        )
        return _("{ref} is now “{status}”.").format(
            ref=item.reference, status=item.get_status_display()
        )


class ItemCommentView(ItemPostView):
    permission = "comment"
    form_class = CommentForm

    def perform(self, obj, data):
        services_items.item_comment(actor=self.request.user, item=obj, body=data["body"])
        return _("Your comment is added.")

    def redirect_url(self, obj):
        return obj.get_absolute_url() + "#comments"


class ItemAttachView(ItemPostView):
    permission = "comment"
    form_class = AttachForm

    def perform(self, obj, data):
        attachment = services_items.item_attach(
            actor=self.request.user, item=obj, file=data["file"]
        )
        return _("“{name}” is attached.").format(name=attachment.name)

    def redirect_url(self, obj):
        return obj.get_absolute_url() + "#attachments"


class ItemLinkView(ItemPostView):
    permission = "change"
    form_class = LinkForm

    def perform(self, obj, data):
        user = self.request.user
        reference = data["reference"].strip()
        targets = list(WorkItem.objects.restrict(user, "view").filter(reference=reference)[:2])
        if len(targets) != 1:
            raise ValidationFailed(
                _("No single item you can see has the reference “{ref}”.").format(ref=reference),
                field="reference",
            )
        services_items.item_link(actor=user, item=obj, target=targets[0], kind=data["kind"])
        return _("Linked to {ref}.").format(ref=targets[0].reference)

    def redirect_url(self, obj):
        return obj.get_absolute_url() + "#links"


class ItemUnlinkView(ObjectPostView):
    """Remove a link (the user must be allowed to change its source item)."""

    model = WorkItemLink
    permission = "view"

    def get_queryset(self):
        return WorkItemLink.objects.select_related("source")

    def perform(self, obj, data):
        services_items.item_unlink(actor=self.request.user, link=obj)
        return _("The link is removed.")

    def redirect_url(self, obj):
        return obj.source.get_absolute_url() + "#links"


class AttachmentDownloadView(PolicyMixin, View):
    """Serve an attachment to someone who may see its item (never from /media/ directly)."""

    def get(self, request, pk):
        attachment = policy.scoped_get(
            WorkItemAttachment.objects.select_related("item"), request.user, pk=pk
        )
        stem = "{ref}-{name}".format(
            ref=attachment.item.reference, name=attachment.name.rsplit(".", 1)[0]
        )
        return files.file_response(attachment.file, stem)


# Board, My work, workload ---------------------------------------------------------------


class BoardView(PolicyMixin, TemplateView):
    """A process's board: columns are its published map's steps; each card shows priority,
    assignee, due date and age in the step (highlighted over the step's target) and a small
    form moving it to a next step. Filters: assignee, priority, team."""

    template_name = "workflow/board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policy.require(user, "view", WorkItem)
        process = policy.scoped_get(Process.objects.all(), user, pk=self.kwargs["pk"])
        filterset = BoardFilterSet(
            self.request.GET or None,
            queryset=WorkItem.objects.restrict(user, "view"),
            request=self.request,
            process=process,
        )
        items = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        board = selectors_items.board(user=user, process=process, items=items)
        context.update(
            title=_("Board: {process}").format(process=process.display_name),
            process=process,
            board=board,
            filterset=filterset,
            can_add=policy.can(user, "add", WorkItem),
            can_move=policy.can(user, "move", WorkItem),
            back=self.request.get_full_path(),
        )
        return context


class MyWorkView(PolicyMixin, TemplateView):
    """Items assigned to me by due date (overdue, today, this week, later) and the open items
    I raised."""

    template_name = "workflow/my_work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policy.require(user, "view", WorkItem)
        work = selectors_items.my_work(user=user)
        context.update(
            title=_("My work"),
            work=work,
            groups=[
                ("overdue", _("Overdue"), work.overdue),
                ("today", _("Due today"), work.today),
                ("week", _("Due this week"), work.this_week),
                ("later", _("Later or no due date"), work.later),
            ],
            can_add=policy.can(user, "add", WorkItem),
        )
        return context


class WorkloadView(PolicyMixin, TemplateView):
    """Per person (a manager's subtree; everyone for HR, administrators and auditors): open
    items, overdue, over the step's target, by priority; a heatmap of people by step."""

    template_name = "workflow/workload.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policy.require(user, "workload", WorkItem)
        unit = None
        raw = self.request.GET.get("unit", "")
        if raw:
            if not raw.isdigit() or len(raw) > 18:
                raise Http404(_("Not found."))
            unit = OrgUnit.objects.filter(pk=int(raw)).first()
            if unit is None:
                raise Http404(_("Not found."))
        load = selectors_items.workload(user=user, unit=unit)
        context.update(
            title=_("Team workload"),
            load=load,
            units=OrgUnit.objects.order_by("path"),
            priorities=[Priority(code).label for code in selectors_items.PRIORITY_ORDER],
        )
        return context
