"""Meeting pages under /collab/meetings/: the list, scheduling (one-off and regular), the
meeting page (agenda, attendance, minutes, decisions, action items, idea board, with htmx
partials), calendar files and "My action items"."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from opsteam.collab import selectors_meetings, services_meetings
from opsteam.collab.forms_meetings import (
    ActionItemFilterSet,
    ActionItemForm,
    ActionStatusForm,
    AgendaItemForm,
    AttendanceForm,
    DecisionForm,
    IdeaForm,
    IdeaGroupForm,
    MeetingFilterSet,
    MeetingForm,
    MinutesForm,
    SeriesForm,
)
from opsteam.collab.models_meetings import (
    ActionItemStatus,
    Attendance,
    Decision,
    Idea,
    IdeaGroup,
    Meeting,
    MeetingActionItem,
    MeetingAgendaItem,
    MeetingSeries,
)
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


MEETING_TABLE = Table(
    columns=(
        Column("starts_at", gettext_lazy("When"), accessor=_when, order_by="starts_at"),
        Column("title", gettext_lazy("Title"), order_by="title", link=True),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display", order_by="kind"),
        Column(
            "unit",
            gettext_lazy("Team"),
            accessor=lambda m: m.unit.display_name if m.unit_id else "",
            order_by="unit__path",
        ),
        Column("organiser", gettext_lazy("Organiser"), accessor=lambda m: str(m.organiser)),
        Column("participant_count", gettext_lazy("Participants"), order_by="participant_count"),
        Column("open_actions", gettext_lazy("Open action items"), order_by="open_actions"),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
    ),
    default_order="-starts_at",
)


class MeetingListView(ScopedListView):
    model = Meeting
    table = MEETING_TABLE
    filterset_class = MeetingFilterSet
    title = pgettext_lazy("group meetings", "Meetings")
    export_stem = "meetings"
    create_url = "collab:meeting_create"
    template_name = "collab/meetings/meeting_list.html"
    empty_hint = gettext_lazy(
        "Schedule a team meeting, a cross-department meeting or a brainstorm: participants "
        "build the agenda, you record minutes and action items."
    )

    def base_queryset(self, action="view"):
        return selectors_meetings.meeting_list(user=self.request.user, action=action)


class MeetingCreateView(ServiceFormView):
    form_class = MeetingForm
    model = Meeting
    policy_action = "add"
    title = gettext_lazy("Schedule a meeting")
    success_message = gettext_lazy("Meeting scheduled; the participants are invited.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        kind = self.request.GET.get("kind")
        return {"kind": kind if kind in {"team", "cross", "brainstorm"} else "team"}

    def perform(self, form, obj):
        return services_meetings.meeting_create(actor=self.request.user, **form.meeting_data())

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("collab:meeting_list")
        return context


class MeetingEditView(ServiceFormView):
    form_class = MeetingForm
    model = Meeting
    title = gettext_lazy("Edit meeting")
    success_message = gettext_lazy("Meeting saved.")

    def form_kwargs(self, obj):
        return {"user": self.request.user, "editing": True}

    def get_initial(self, obj):
        return {
            "title": obj.title,
            "unit": obj.unit,
            "starts_at": timezone.localtime(obj.starts_at),
            "duration_minutes": obj.duration_minutes,
            "location": obj.location,
            "online_url": obj.online_url,
            "votes_per_person": obj.votes_per_person,
        }

    def perform(self, form, obj):
        return services_meetings.meeting_update(
            actor=self.request.user, meeting=obj, **form.cleaned_data
        )


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    template_name = "collab/meetings/meeting_detail.html"

    def get_queryset(self):
        return selectors_meetings.meeting_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(meeting_context(self.request, self.object))
        return context


def meeting_context(request, meeting: Meeting) -> dict[str, Any]:
    page = selectors_meetings.meeting_page(user=request.user, meeting=meeting)
    return {
        "title": meeting.title,
        "meeting": meeting,
        "page": page,
        "agenda_form": AgendaItemForm(meeting=meeting),
        "minutes_form": MinutesForm(initial={"minutes": meeting.minutes}),
        "decision_form": DecisionForm(),
        "action_form": ActionItemForm(),
        "idea_form": IdeaForm(),
        "group_form": IdeaGroupForm(),
        "attendance_choices": Attendance.choices,
        "status_choices": ActionItemStatus.choices,
        "today": timezone.localdate(),
        "votes_left": max(0, meeting.votes_per_person - page.my_votes),
        "idea_chart": _idea_chart(page.ideas_by_votes[:10]),
    }


def _idea_chart(ideas: list[Idea]) -> dict[str, Any]:
    """A horizontal bar chart of the ten ideas with most votes (best on top)."""
    ideas = list(reversed(ideas))
    return {
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": [idea.text[:24] + ("…" if len(idea.text) > 24 else "") for idea in ideas],
        },
        "series": [{"type": "bar", "data": [idea.vote_count for idea in ideas]}],
        "tooltip": {},
    }


# POST actions on a meeting (htmx partials or a redirect back) --------------------------------


class MeetingPostView(PolicyMixin, View):
    """A POST on a meeting (or one of its rows): 404 outside the user's view, the service's
    policy check decides the rest (403). With htmx, answers the section's partial."""

    form_class: ClassVar[Any] = None
    section: ClassVar[str] = ""
    permission: ClassVar[str | None] = "change"  # on the meeting; None: the service decides
    row_model: ClassVar[Any] = None  # the row named by ``pk`` when it is not the meeting

    def meeting_and_row(self, pk: int) -> tuple[Meeting, Any]:
        user = self.request.user
        if self.row_model is None:
            return selectors_meetings.meeting_get(user=user, pk=pk), None
        row = policy.scoped_get(self.row_model.objects.select_related("meeting"), user, pk=pk)
        return row.meeting, row

    def make_form(self, meeting: Meeting):
        if self.form_class is None:
            return None
        if self.form_class is AttendanceForm:
            return AttendanceForm(self.request.POST, participants=list(meeting.participants.all()))
        if self.form_class is AgendaItemForm:
            return AgendaItemForm(self.request.POST, meeting=meeting)
        return self.form_class(self.request.POST)

    def check_permission(self, meeting: Meeting, row: Any) -> None:
        """Refuse before reading the form (403 before 400); the service checks again."""
        user = self.request.user
        if self.permission == "participate":
            services_meetings.require_participate(user, meeting)
        elif self.permission == "update_status":
            policy.require(user, "update_status", row)
        elif self.permission:
            policy.require(user, self.permission, meeting)

    def post(self, request, pk):
        meeting, row = self.meeting_and_row(pk)
        self.check_permission(meeting, row)
        form = self.make_form(meeting)
        if form is not None and not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                text = " ".join(errors)
                messages.error(request, f"{label}: {text}" if label else text)
            return self.answer(meeting, status=400)
        try:
            message = self.perform(meeting, row, form.cleaned_data if form else {})
        except (NotVisible, PolicyDenied):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
            return self.answer(meeting, status=400)
        if message:
            messages.success(request, message)
        return self.answer(meeting)

    def answer(self, meeting: Meeting, status: int = 200) -> HttpResponse:
        if getattr(self.request, "htmx", False) and self.section:
            meeting = selectors_meetings.meeting_list(user=self.request.user).get(pk=meeting.pk)
            context = meeting_context(self.request, meeting)
            context["request"] = self.request
            # htmx swaps only 2xx answers; errors show as messages inside the section
            return render(self.request, f"collab/meetings/partials/{self.section}.html", context)
        anchor = f"#{self.section}" if self.section else ""
        return redirect(meeting.get_absolute_url() + anchor)

    def perform(self, meeting: Meeting, row: Any, data: dict[str, Any]) -> str:
        raise NotImplementedError


class AgendaAddView(MeetingPostView):
    form_class = AgendaItemForm
    permission = "participate"
    section = "agenda"

    def perform(self, meeting, row, data):
        services_meetings.agenda_item_add(actor=self.request.user, meeting=meeting, **data)
        return _("Agenda point added.")


class AgendaMoveView(MeetingPostView):
    row_model = MeetingAgendaItem
    section = "agenda"

    def perform(self, meeting, row, data):
        order = list(meeting.agenda_items.values_list("pk", flat=True))
        index = order.index(row.pk)
        step = -1 if self.request.POST.get("direction") == "up" else 1
        target = index + step
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
        services_meetings.agenda_reorder(actor=self.request.user, meeting=meeting, order=order)
        return ""


class AgendaDeleteView(MeetingPostView):
    row_model = MeetingAgendaItem
    permission = "participate"
    section = "agenda"

    def perform(self, meeting, row, data):
        services_meetings.agenda_item_delete(actor=self.request.user, item=row)
        return _("Agenda point removed.")


class AttendanceView(MeetingPostView):
    form_class = AttendanceForm
    section = "attendance"

    def perform(self, meeting, row, data):
        form_data = {
            int(name.split("_", 1)[1]): value or ""
            for name, value in data.items()
            if name.startswith("attendance_")
        }
        services_meetings.attendance_record(
            actor=self.request.user, meeting=meeting, attendance=form_data
        )
        return _("Attendance saved.")


class MinutesView(MeetingPostView):
    form_class = MinutesForm
    section = "minutes"

    def perform(self, meeting, row, data):
        services_meetings.minutes_save(
            actor=self.request.user,
            meeting=meeting,
            minutes=data["minutes"],
            publish=data["publish"],
        )
        if data["publish"]:
            return _("Minutes published; the participants are told.")
        return _("Minutes saved.")


class DecisionAddView(MeetingPostView):
    form_class = DecisionForm
    section = "decisions"

    def perform(self, meeting, row, data):
        services_meetings.decision_add(actor=self.request.user, meeting=meeting, text=data["text"])
        return ""


class DecisionDeleteView(MeetingPostView):
    row_model = Decision
    section = "decisions"

    def perform(self, meeting, row, data):
        services_meetings.decision_delete(actor=self.request.user, decision=row)
        return ""


class ActionItemAddView(MeetingPostView):
    form_class = ActionItemForm
    section = "actions"

    def perform(self, meeting, row, data):
        idea = None
        if data.get("idea"):
            idea = Idea.objects.filter(meeting=meeting, pk=data["idea"]).first()
            if idea is None:
                raise NotVisible()
        services_meetings.action_item_create(
            actor=self.request.user,
            meeting=meeting,
            title=data["title"] or (idea.text if idea else ""),
            owner=data["owner"],
            due_date=data["due_date"],
            idea=idea,
        )
        return _("Action item added; its owner is told.")


class ActionItemStatusView(MeetingPostView):
    """The owner (or whoever runs the meeting) moves an action item; from the meeting page or
    from "My action items" (``next=mine``)."""

    row_model = MeetingActionItem
    form_class = ActionStatusForm
    permission = "update_status"
    section = "actions"

    def perform(self, meeting, row, data):
        services_meetings.action_item_set_status(
            actor=self.request.user, item=row, status=data["status"]
        )
        return _("Action item updated.")

    def answer(self, meeting, status=200):
        if self.request.POST.get("next") == "mine":
            return redirect(reverse("collab:my_action_items"))
        return super().answer(meeting, status)


class IdeaAddView(MeetingPostView):
    form_class = IdeaForm
    permission = "participate"
    section = "board"

    def perform(self, meeting, row, data):
        services_meetings.idea_add(actor=self.request.user, meeting=meeting, text=data["text"])
        return ""


class IdeaVoteView(MeetingPostView):
    """Vote for an idea, or take the vote back (``undo=1``)."""

    row_model = Idea
    section = "board"
    permission = "participate"

    def perform(self, meeting, row, data):
        if self.request.POST.get("undo"):
            services_meetings.idea_unvote(actor=self.request.user, idea=row)
        else:
            services_meetings.idea_vote(actor=self.request.user, idea=row)
        return ""


class IdeaGroupAddView(MeetingPostView):
    form_class = IdeaGroupForm
    section = "board"

    def perform(self, meeting, row, data):
        services_meetings.idea_group_create(
            actor=self.request.user, meeting=meeting, name=data["name"]
        )
        return ""


class IdeaMoveView(MeetingPostView):
    row_model = Idea
    section = "board"

    def perform(self, meeting, row, data):
        raw = self.request.POST.get("group") or ""
        group = None
        if raw.isdigit():
            group = IdeaGroup.objects.filter(meeting=meeting, pk=int(raw)).first()
            if group is None:
                raise NotVisible()
        services_meetings.idea_move(actor=self.request.user, idea=row, group=group)
        return ""


class IdeaToActionView(MeetingPostView):
    row_model = Idea
    form_class = ActionItemForm
    section = "actions"

    def make_form(self, meeting):
        data = self.request.POST.copy()
        data.setdefault("idea", str(self.kwargs["pk"]))
        return ActionItemForm(data)

    def perform(self, meeting, row, data):
        services_meetings.action_item_create(
            actor=self.request.user,
            meeting=meeting,
            title=data["title"] or row.text,
            owner=data["owner"],
            due_date=data["due_date"],
            idea=row,
        )
        return _("The idea is now an action item.")


class MeetingCancelView(MeetingPostView):
    def perform(self, meeting, row, data):
        services_meetings.meeting_cancel(actor=self.request.user, meeting=meeting)
        return _("Meeting cancelled; the participants are told.")


# Calendar files -----------------------------------------------------------------------------


def _ics_response(text: str, stem: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.ics"'
    return response


class MeetingIcsView(PolicyMixin, View):
    def get(self, request, pk):
        meeting = selectors_meetings.meeting_get(user=request.user, pk=pk)
        return _ics_response(selectors_meetings.meeting_ics(meeting), f"meeting-{meeting.pk}")


class SeriesIcsView(PolicyMixin, View):
    def get(self, request, pk):
        series = policy.scoped_get(MeetingSeries.objects.all(), request.user, pk=pk)
        return _ics_response(selectors_meetings.series_ics(series), f"meeting-series-{series.pk}")


# Series -------------------------------------------------------------------------------------


class SeriesCreateView(ServiceFormView):
    form_class = SeriesForm
    model = MeetingSeries
    policy_action = "add"
    title = gettext_lazy("Start a regular meeting")
    success_message = gettext_lazy(
        "Regular meeting created; the coming meetings are scheduled and the participants invited."
    )

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {"kind": "team", "frequency": "weekly", "interval": 1, "weekday": 0}

    def perform(self, form, obj):
        return services_meetings.series_create(actor=self.request.user, **form.cleaned_data)

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("collab:meeting_list")
        return context


class SeriesDetailView(ScopedDetailView):
    model = MeetingSeries
    template_name = "collab/meetings/series_detail.html"

    def get_queryset(self):
        return selectors_meetings.series_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series = self.object
        user = self.request.user
        context.update(
            title=series.title,
            meetings=selectors_meetings.meeting_list(user=user)
            .filter(series=series)
            .order_by("starts_at")[:60],
            participants=list(series.participants.select_related("staff")),
            rule=selectors_meetings.series_rule_text(series),
        )
        return context


class SeriesEndView(PolicyMixin, View):
    def post(self, request, pk):
        series = policy.scoped_get(MeetingSeries.objects.all(), request.user, pk=pk)
        try:
            services_meetings.series_end(actor=request.user, series=series)
        except (NotVisible, PolicyDenied):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The regular meeting has ended; future meetings are cancelled.")
            )
        return redirect(series.get_absolute_url())


# My action items ----------------------------------------------------------------------------


class MyActionItemsView(PolicyMixin, View):
    """The person's own action items from every meeting: open ones first, overdue on top."""

    template_name = "collab/meetings/my_action_items.html"

    def get(self, request):
        queryset = selectors_meetings.my_action_items(user=request.user)
        filterset = ActionItemFilterSet(request.GET or None, queryset=queryset, request=request)
        if filterset.is_bound and filterset.is_valid():
            queryset = filterset.qs
        today = timezone.localdate()
        items = list(queryset[:500])
        items.sort(
            key=lambda item: (
                not item.is_open,
                not selectors_meetings.overdue(item, today),
                item.due_date is None,
                item.due_date or today,
                item.pk,
            )
        )
        context = {
            "title": _("My action items"),
            "items": items,
            "filterset": filterset,
            "today": today,
            "status_choices": ActionItemStatus.choices,
            "open_count": sum(1 for item in items if item.is_open),
            "overdue_count": sum(1 for item in items if selectors_meetings.overdue(item, today)),
        }
        return render(request, self.template_name, context)
