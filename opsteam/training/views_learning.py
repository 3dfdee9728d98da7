"""Learning pages: my learning, my team's, HR's overview, one enrolment, behaviour checks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from opsteam.core import policy
from opsteam.core.exceptions import OpsTeamError
from opsteam.core.views import ObjectPostView, PolicyMixin
from opsteam.training import selectors, services
from opsteam.training.forms_learning import BehaviourCheckForm, CancelForm
from opsteam.training.models import BehaviourCheck, Course, Enrolment, Exam


class MyLearningView(PolicyMixin, TemplateView):
    """Assigned, due, overdue and completed courses, certificates, hours, recommendations."""

    template_name = "training/learning/my_learning.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=_("My learning"), data=selectors.my_learning(user=self.request.user))
        return context


class TeamLearningView(PolicyMixin, TemplateView):
    """Each person a manager leads: courses assigned, completed, overdue, hours this year."""

    template_name = "training/learning/team.html"

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "list", Enrolment)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("My team's learning"), rows=selectors.team_learning(user=self.request.user)
        )
        return context


class OverviewView(PolicyMixin, TemplateView):
    """HR's overview: completion and overdue rates and hours by team, courses with reports."""

    template_name = "training/learning/overview.html"

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "report", Course)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = self.request.GET.get("year", "")
        data = selectors.overview(
            user=self.request.user, year=int(year) if year.isdigit() else None
        )
        teams = data["teams"]
        context.update(
            title=_("Training overview"),
            data=data,
            rate_chart={
                "tooltip": {"trigger": "axis"},
                "legend": {"data": [_("Completed %"), _("Overdue %")]},
                "xAxis": {"type": "category", "data": [t["unit"].display_name for t in teams]},
                "yAxis": {"type": "value", "max": 100},
                "series": [
                    {
                        "name": _("Completed %"),
                        "type": "bar",
                        "data": [t["completion_rate"] or 0 for t in teams],
                    },
                    {
                        "name": _("Overdue %"),
                        "type": "bar",
                        "data": [t["overdue_rate"] or 0 for t in teams],
                    },
                ],
            }
            if teams
            else None,
        )
        return context


class EnrolmentDetailView(PolicyMixin, TemplateView):
    """One person's course: requirements met or missed, sessions, attempts, observations."""

    template_name = "training/learning/enrolment_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        enrolment = selectors.enrolment_detail(user=user, pk=kwargs["pk"])
        context.update(
            title=f"{enrolment.course.display_name} · {enrolment.staff}",
            enrolment=enrolment,
            requirements=services.completion_requirements(enrolment),
            registrations=enrolment.registrations.select_related("session").order_by(
                "session__starts_at"
            ),
            attempts=enrolment.attempts.select_related("exam").order_by("exam__kind", "number"),
            exams=Exam.objects.filter(course=enrolment.course, is_active=True).order_by("kind"),
            checks=enrolment.behaviour_checks.select_related("observer").order_by(
                "checkpoint_days"
            ),
            overdue=enrolment.is_overdue(timezone.localdate()),
            can_change=policy.can(user, "change", enrolment),
            cancel_form=CancelForm(),
        )
        return context


class EnrolmentCompleteView(ObjectPostView):
    model = Enrolment
    permission = "change"

    def perform(self, obj, data):
        services.enrolment_complete(actor=self.request.user, enrolment=obj)
        return _("Marked as completed.")


class EnrolmentCancelView(ObjectPostView):
    model = Enrolment
    permission = "change"
    form_class = CancelForm

    def perform(self, obj, data):
        services.enrolment_cancel(actor=self.request.user, enrolment=obj, reason=data["reason"])
        return _("The course was withdrawn.")


class BehaviourCheckView(PolicyMixin, TemplateView):
    """A manager's 30/60/90-day observation of a trainee's behaviour after a course."""

    template_name = "training/learning/behaviour_check.html"

    def _check(self) -> BehaviourCheck:
        return policy.scoped_get(
            BehaviourCheck.objects.select_related(
                "enrolment__staff", "enrolment__course", "observer"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def _form(self, check: BehaviourCheck, data=None) -> BehaviourCheckForm:
        items = list(check.enrolment.course.behaviour_items.all())
        return BehaviourCheckForm(data, items=items)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        check = kwargs.get("check") or self._check()
        context.update(
            title=_("Observation {days} days after {course}").format(
                days=check.checkpoint_days, course=check.enrolment.course.display_name
            ),
            check=check,
            form=kwargs.get("form") or self._form(check),
            can_observe=policy.can(self.request.user, "observe", check),
        )
        return context

    def post(self, request, *args, **kwargs):
        check = self._check()
        policy.require(request.user, "observe", check)
        form = self._form(check, request.POST)
        if form.is_valid():
            try:
                services.behaviour_check_record(
                    actor=request.user,
                    check=check,
                    ratings=form.ratings(),
                    comment=form.cleaned_data["comment"],
                )
            except OpsTeamError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Observation recorded."))
                return redirect("training:my_learning")
        return self.render_to_response(self.get_context_data(check=check, form=form))


class CourseReportView(PolicyMixin, TemplateView):
    """The effectiveness report of a course (or one session): the four levels with charts."""

    template_name = "training/learning/course_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from opsteam.training import selectors_effectiveness

        context = super().get_context_data(**kwargs)
        user = self.request.user
        course = policy.scoped_get(Course.objects.all(), user, pk=kwargs["pk"])
        policy.require(user, "report", course)
        session_id = self.request.GET.get("session", "")
        session = (
            course.sessions.filter(pk=int(session_id)).first() if session_id.isdigit() else None
        )
        kpi_id = self.request.GET.get("kpi", "")
        window = self.request.GET.get("window", "")
        report = selectors_effectiveness.course_report(
            course=course,
            session=session,
            kpi_id=int(kpi_id) if kpi_id.isdigit() else None,
            window_days=int(window) if window in ("30", "60", "90", "180") else 90,
        )
        context.update(
            title=_("Effectiveness: {course}").format(course=course.display_name),
            report=report,
            windows=(30, 60, 90, 180),
        )
        return context
