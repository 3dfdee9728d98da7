"""Pages of 1:1s and improvement plans: thin views over services and selectors.

Small forms on a detail page post to their own URL and come back to the page with a message
(kept input errors are named in the message); whole-page forms use ``ServiceFormView``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.performance import selectors_coaching as selectors
from opsteam.performance import services_coaching as services
from opsteam.performance.choices import PlanState
from opsteam.performance.forms_coaching import (
    ActionItemForm,
    ActionItemStatusForm,
    AgendaItemForm,
    CadenceForm,
    CheckInForm,
    CheckInRecordForm,
    MeetingForm,
    OneOnOneForm,
    PlanCloseForm,
    PlanForm,
    PlanGoalForm,
    PlanGoalStatusForm,
    PrivateNoteForm,
    SharedNotesForm,
)
from opsteam.performance.models_coaching import (
    ActionItem,
    ImprovementPlan,
    OneOnOne,
    OneOnOneMeeting,
    PlanCheckIn,
    PlanGoal,
)

ONE_ON_ONE_TABLE = Table(
    columns=(
        Column("report", gettext_lazy("Report"), link=True, order_by="report__employee_no"),
        Column("manager", gettext_lazy("Manager"), order_by="manager__employee_no"),
        Column("unit", gettext_lazy("Unit"), accessor="report.unit"),
        Column("cadence", gettext_lazy("Cadence"), accessor="get_cadence_display"),
        Column("next_date", gettext_lazy("Next 1:1"), order_by="next_date"),
        Column("meeting_count", gettext_lazy("Meetings")),
        Column("is_active", gettext_lazy("Active")),
    ),
    default_order="next_date",
    searchable=False,
)

PLAN_TABLE = Table(
    columns=(
        Column("staff", gettext_lazy("Person"), link=True, order_by="staff__employee_no"),
        Column("unit", gettext_lazy("Unit"), accessor="staff.unit"),
        Column("manager", gettext_lazy("Manager")),
        Column("state", gettext_lazy("State"), accessor="get_state_display", order_by="state"),
        Column("start_date", gettext_lazy("Start"), order_by="start_date"),
        Column("end_date", gettext_lazy("End"), order_by="end_date"),
        Column(
            "goals",
            gettext_lazy("Goals met"),
            accessor=lambda plan: f"{plan.goals_met}/{plan.goal_count}",
        ),
        Column("outcome", gettext_lazy("Outcome"), accessor="get_outcome_display"),
    ),
    default_order="-start_date",
    searchable=False,
)


class CoachingHomeView(PolicyMixin, TemplateView):
    """My 1:1s, my open action items and the plans I support."""

    template_name = "performance/coaching/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "title": _("My 1:1s and actions"),
            **selectors.coaching_home(user=user),
            "can_add_one_on_one": policy.can(user, "add", OneOnOne),
            "can_add_plan": policy.can(user, "add", ImprovementPlan),
            "today": timezone.localdate(),
        }


class OneOnOneListView(ScopedListView):
    model = OneOnOne
    table = ONE_ON_ONE_TABLE
    title = gettext_lazy("1:1s")
    create_url = "performance:oneonone_create"
    empty_hint = gettext_lazy("Start a recurring 1:1 with each person in your team.")

    def base_queryset(self, action="view"):
        return selectors.one_on_one_list(user=self.request.user)


class OneOnOneCreateView(ServiceFormView):
    form_class = OneOnOneForm
    title = gettext_lazy("Start a 1:1")
    model = OneOnOne
    policy_action = "add"
    success_message = gettext_lazy("1:1 started.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {"report": self.request.GET.get("report")}

    def perform(self, form, obj):
        return services.one_on_one_create(actor=self.request.user, **form.cleaned_data)


class OneOnOneDetailView(ScopedDetailView):
    model = OneOnOne
    template_name = "performance/coaching/oneonone_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("manager", "report", "report__unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series = self.object
        user = self.request.user
        context.update(
            title=str(series),
            meetings=list(series.meetings.select_related("cycle")),
            can_participate=policy.can(user, "participate", series),
            meeting_form=MeetingForm(initial={"date": series.next_date or timezone.localdate()}),
            cadence_form=CadenceForm(
                initial={"cadence": series.cadence, "next_date": series.next_date}
            ),
            report_evidence=_report_evidence(user, series.report),
        )
        return context


def _report_evidence(user, staff):
    """The person's work reports of the last four weeks, as far as the user may read them."""
    from opsteam.collab import selectors_reports

    today = timezone.localdate()
    return selectors_reports.evidence(
        user=user, staff=staff, start=today - dt.timedelta(weeks=4), end=today
    )


def _post(request, form: forms.Form, action, back: str, success: str):
    """Validate a small form, run ``action(cleaned_data)``, and return to ``back``."""
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else ''} {' '.join(errs)}".strip()
            for name, errs in form.errors.items()
        )
        messages.error(request, problems)
        return redirect(back)
    try:
        action(form.cleaned_data)
    except (PolicyDenied, NotVisible):
        raise
    except OpsTeamError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(back)


class OneOnOneUpdateView(PolicyMixin, View):
    """POST: change cadence and next date."""

    def post(self, request, pk):
        series = policy.scoped_get(OneOnOne.objects.all(), request.user, "change", pk=pk)
        return _post(
            request,
            CadenceForm(request.POST),
            lambda data: services.one_on_one_update(actor=request.user, series=series, **data),
            series.get_absolute_url(),
            _("Saved."),
        )


class MeetingCreateView(PolicyMixin, View):
    """POST: record a meeting of the 1:1 and open it."""

    def post(self, request, pk):
        series = policy.scoped_get(OneOnOne.objects.all(), request.user, "participate", pk=pk)
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_create(
                    actor=request.user, series=series, **form.cleaned_data
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                messages.error(request, exc.message)
            else:
                return redirect(meeting.get_absolute_url())
        else:
            messages.error(request, _("Choose the date of the meeting."))
        return redirect(series.get_absolute_url())


class MeetingDetailView(ScopedDetailView):
    model = OneOnOneMeeting
    template_name = "performance/coaching/meeting_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("series", "series__manager", "series__report", "cycle")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        user = self.request.user
        detail = selectors.meeting_detail(user=user, meeting=meeting)
        note = detail["private_note"]
        context.update(
            detail,
            title=str(meeting),
            series=meeting.series,
            can_participate=policy.can(user, "participate", meeting),
            notes_form=SharedNotesForm(initial={"shared_notes": meeting.shared_notes}),
            private_form=PrivateNoteForm(initial={"body": note.body if note else ""}),
            agenda_form=AgendaItemForm(),
            action_form=ActionItemForm(series=meeting.series),
        )
        return context


def _meeting(request, pk) -> OneOnOneMeeting:
    return policy.scoped_get(
        OneOnOneMeeting.objects.select_related("series"), request.user, "participate", pk=pk
    )


class MeetingNotesView(PolicyMixin, View):
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        return _post(
            request,
            SharedNotesForm(request.POST),
            lambda data: services.meeting_update_notes(actor=request.user, meeting=meeting, **data),
            meeting.get_absolute_url(),
            _("Shared notes saved."),
        )


class MeetingPrivateNoteView(PolicyMixin, View):
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        return _post(
            request,
            PrivateNoteForm(request.POST),
            lambda data: services.private_note_save(actor=request.user, meeting=meeting, **data),
            meeting.get_absolute_url(),
            _("Your private note is saved."),
        )


class AgendaItemAddView(PolicyMixin, View):
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        return _post(
            request,
            AgendaItemForm(request.POST),
            lambda data: services.agenda_item_add(actor=request.user, meeting=meeting, **data),
            meeting.get_absolute_url(),
            _("Topic added."),
        )


class ActionItemAddView(PolicyMixin, View):
    def post(self, request, pk):
        meeting = _meeting(request, pk)
        return _post(
            request,
            ActionItemForm(request.POST, series=meeting.series),
            lambda data: services.action_item_add(actor=request.user, meeting=meeting, **data),
            meeting.get_absolute_url(),
            _("Action added."),
        )


class ActionItemStatusView(PolicyMixin, View):
    def post(self, request, pk):
        item = policy.scoped_get(
            ActionItem.objects.select_related("meeting"), request.user, "participate", pk=pk
        )
        back = request.POST.get("back") == "home"
        return _post(
            request,
            ActionItemStatusForm(request.POST),
            lambda data: services.action_item_set_status(actor=request.user, item=item, **data),
            reverse("performance:coaching_home") if back else item.meeting.get_absolute_url(),
            _("Action updated."),
        )


class PlanListView(ScopedListView):
    model = ImprovementPlan
    table = PLAN_TABLE
    title = gettext_lazy("Improvement plans")
    create_url = "performance:plan_create"
    empty_hint = gettext_lazy(
        "An improvement plan agrees goals, support and check-ins with someone who is struggling."
    )

    def base_queryset(self, action="view"):
        return selectors.plan_list(user=self.request.user)


class PlanCreateView(ServiceFormView):
    form_class = PlanForm
    title = gettext_lazy("New improvement plan")
    model = ImprovementPlan
    policy_action = "add"
    success_message = gettext_lazy("Plan drafted: add goals and check-ins, then start it.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {"staff": self.request.GET.get("staff"), "start_date": timezone.localdate()}

    def perform(self, form, obj):
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        return services.plan_create(actor=self.request.user, **data)


def _refuse_own_plan(user: Any, plan: ImprovementPlan) -> None:
    """Nobody manages their own plan, whatever their role (the services refuse it too)."""
    if plan.staff.user_id is not None and plan.staff.user_id == user.pk:
        raise PolicyDenied(_("Your own improvement plan is managed by your manager and HR."))


class PlanUpdateView(ServiceFormView):
    form_class = PlanForm
    title = gettext_lazy("Edit improvement plan")
    model = ImprovementPlan

    def check_permission(self, obj):
        _refuse_own_plan(self.request.user, obj)

    def form_kwargs(self, obj):
        return {"user": self.request.user, "editing": True}

    def perform(self, form, obj):
        return services.plan_update(actor=self.request.user, plan=obj, **form.cleaned_data)


class PlanDetailView(ScopedDetailView):
    model = ImprovementPlan
    template_name = "performance/coaching/plan_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("staff", "staff__unit", "manager", "hr_owner", "mentor", "review")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        user = self.request.user
        can_manage = context["can_change"] and plan.staff.user_id != user.pk
        context.update(
            selectors.plan_detail(plan=plan),
            title=_("Improvement plan: {name}").format(name=plan.staff),
            can_manage=can_manage,
            editable=can_manage and plan.state != PlanState.CLOSED,
            goal_form=PlanGoalForm(),
            check_in_form=CheckInForm(),
            goal_statuses=PlanGoalStatusForm.base_fields["status"].choices,
        )
        return context


def _plan(request, pk) -> ImprovementPlan:
    return policy.scoped_get(
        ImprovementPlan.objects.select_related("staff"), request.user, "change", pk=pk
    )


class PlanGoalAddView(PolicyMixin, View):
    def post(self, request, pk):
        plan = _plan(request, pk)
        return _post(
            request,
            PlanGoalForm(request.POST),
            lambda data: services.plan_goal_add(actor=request.user, plan=plan, **data),
            plan.get_absolute_url(),
            _("Goal added."),
        )


class PlanGoalStatusView(PolicyMixin, View):
    def post(self, request, pk):
        goal = policy.scoped_get(PlanGoal.objects.select_related("plan"), request.user, pk=pk)
        return _post(
            request,
            PlanGoalStatusForm(request.POST),
            lambda data: services.plan_goal_set_status(actor=request.user, goal=goal, **data),
            goal.plan.get_absolute_url(),
            _("Goal updated."),
        )


class PlanCheckInAddView(PolicyMixin, View):
    def post(self, request, pk):
        plan = _plan(request, pk)
        return _post(
            request,
            CheckInForm(request.POST),
            lambda data: services.plan_check_in_add(actor=request.user, plan=plan, **data),
            plan.get_absolute_url(),
            _("Check-in scheduled."),
        )


class PlanCheckInRecordView(PolicyMixin, View):
    def post(self, request, pk):
        check_in = policy.scoped_get(
            PlanCheckIn.objects.select_related("plan"), request.user, pk=pk
        )
        return _post(
            request,
            CheckInRecordForm(request.POST),
            lambda data: services.plan_check_in_record(
                actor=request.user, check_in=check_in, **data
            ),
            check_in.plan.get_absolute_url(),
            _("Check-in notes saved."),
        )


class PlanActivateView(PolicyMixin, View):
    def post(self, request, pk):
        plan = _plan(request, pk)
        return _post(
            request,
            forms.Form(request.POST),
            lambda data: services.plan_activate(actor=request.user, plan=plan),
            plan.get_absolute_url(),
            _("The plan has started."),
        )


class PlanCloseView(ServiceFormView):
    form_class = PlanCloseForm
    title = gettext_lazy("Close the improvement plan")
    model = ImprovementPlan
    success_message = gettext_lazy("The plan is closed.")

    def check_permission(self, obj):
        _refuse_own_plan(self.request.user, obj)

    def get_initial(self, obj: Any) -> dict[str, Any]:
        return {"outcome_date": timezone.localdate()}

    def perform(self, form, obj):
        return services.plan_close(actor=self.request.user, plan=obj, **form.cleaned_data)
