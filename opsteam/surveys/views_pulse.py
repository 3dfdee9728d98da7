"""Pulse survey pages: list, create, detail, schedule/close, respond, results, library."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import PolicyMixin, ServiceFormView
from opsteam.surveys import selectors_pulse as selectors
from opsteam.surveys import services_pulse as services
from opsteam.surveys.choices_pulse import PulseQuestionKind, PulseStatus, TenureBand
from opsteam.surveys.forms_pulse import PulseQuestionForm, PulseSurveyForm
from opsteam.surveys.models_pulse import PulseQuestion, PulseSurvey


class PulseListView(PolicyMixin, View):
    def get(self, request):
        policy.require(request.user, "view", PulseSurvey)
        surveys = list(selectors.survey_list(user=request.user).order_by("-starts_on", "-pk")[:100])
        context = {
            "title": _("Pulse surveys"),
            "surveys": surveys,
            "pending": list(selectors.pending_waves(user=request.user)[:20]),
            "can_add": policy.can(request.user, "add", PulseSurvey),
        }
        return render(request, "surveys/pulse/survey_list.html", context)


class PulseCreateView(ServiceFormView):
    form_class = PulseSurveyForm
    model = PulseSurvey
    policy_action = "add"
    title = gettext_lazy("New pulse survey")
    success_message = gettext_lazy("Survey saved as a draft. Schedule it when it is ready.")

    def get_initial(self, obj):
        standard = PulseQuestion.objects.filter(is_standard=True, is_active=True)
        return {
            "starts_on": selectors.today(),
            "open_days": 7,
            "repeat_weeks": 0,
            "min_group_size": 5,
            "questions": list(standard.values_list("pk", flat=True)[:8]),
        }

    def perform(self, form, obj):
        return services.survey_create(actor=self.request.user, **form.survey_data())

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("surveys:pulse_list")
        return context


class PulseDetailView(PolicyMixin, View):
    def get(self, request, pk):
        survey = selectors.survey_get(user=request.user, pk=pk)
        waves = list(survey.waves.order_by("-number"))
        context = {
            "title": survey.display_name,
            "object": survey,
            "questions": selectors.survey_questions(survey=survey),
            "units": list(survey.audience_units.all()),
            "waves": waves,
            "can_change": policy.can(request.user, "change", survey),
            "pending": {p.wave_id for p in selectors.pending_waves(user=request.user)},
        }
        return render(request, "surveys/pulse/survey_detail.html", context)


class _SurveyPost(PolicyMixin, View):
    def post(self, request, pk):
        survey = selectors.survey_get(user=request.user, pk=pk)
        policy.require(request.user, "change", survey)
        try:
            message = self.perform(survey)
        except OpsTeamError as exc:
            if isinstance(exc, PolicyDenied | NotVisible):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
        return redirect("surveys:pulse_detail", pk=survey.pk)


class PulseScheduleView(_SurveyPost):
    def perform(self, survey):
        services.survey_schedule(actor=self.request.user, survey=survey, today=selectors.today())
        survey.refresh_from_db()
        if survey.status == PulseStatus.OPEN:
            return _("The survey is open and the audience has been notified.")
        return _("The survey is scheduled.")


class PulseCloseView(_SurveyPost):
    def perform(self, survey):
        services.survey_close(actor=self.request.user, survey=survey)
        return _("The survey is closed.")


class PulseRespondView(PolicyMixin, View):
    template_name = "surveys/pulse/respond.html"

    def page(self, request, wave, errors=None, values=None, status=200):
        participation = selectors.participation_of(user=request.user, wave=wave)
        questions = selectors.survey_questions(survey=wave.survey)
        context = {
            "title": wave.survey.display_name,
            "wave": wave,
            "survey": wave.survey,
            "participation": participation,
            "questions": questions,
            "errors": errors or {},
            "values": values or {},
            "agree_scale": [
                (1, _("Strongly disagree")),
                (2, _("Disagree")),
                (3, _("Neutral")),
                (4, _("Agree")),
                (5, _("Strongly agree")),
            ],
            "enps_scale": list(range(11)),
            "kinds": PulseQuestionKind,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        wave = selectors.wave_get(user=request.user, pk=pk)
        return self.page(request, wave)

    def post(self, request, pk):
        wave = selectors.wave_get(user=request.user, pk=pk)
        answers = {
            key[1:]: value
            for key, value in request.POST.items()
            if key.startswith("q") and key[1:].isdigit()
        }
        try:
            services.response_submit(actor=request.user, wave=wave, answers=answers)
        except OpsTeamError as exc:
            field = "form"
            return self.page(request, wave, {field: exc.message}, answers, status=400)
        messages.success(request, _("Thank you. Your answers are recorded anonymously."))
        return redirect("surveys:pulse_respond", pk=wave.pk)


class PulseResultsView(PolicyMixin, View):
    def get(self, request, pk):
        survey = selectors.survey_get(user=request.user, pk=pk)
        waves = list(survey.waves.order_by("-number"))
        wave = None
        wanted = request.GET.get("wave", "")
        if wanted.isdigit():
            wave = next((w for w in waves if str(w.pk) == wanted), None)
        # by default the latest closed wave (complete figures), else the open one
        closed = [w for w in waves if w.status == "closed"]
        wave = wave or (closed[0] if closed else waves[0] if waves else None)
        result = None
        trend: list[dict[str, Any]] = []
        selectors.results_scope(user=request.user, survey=survey)  # 403 before anything
        if wave is not None:
            wave.survey = survey
            result = selectors.wave_results(
                user=request.user, wave=wave, band=request.GET.get("band") or None
            )
            trend = selectors.survey_trend(user=request.user, survey=survey)
        context = {
            "title": _("Results: %(name)s") % {"name": survey.display_name},
            "object": survey,
            "waves": waves,
            "wave": wave,
            "result": result,
            "trend": trend,
            "bands": TenureBand.choices,
            "band": request.GET.get("band", ""),
            "charts": _charts(result, trend) if result else None,
        }
        return render(request, "surveys/pulse/results.html", context)


def _charts(result: dict[str, Any], trend: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts options: favourable % and eNPS by released team, the eNPS distribution,
    favourable % by theme and the trend across waves."""
    overall = result.get("overall") or {}
    enps_question = next((q for q in overall.get("questions", []) if q["kind"] == "enps"), None)
    favourable, enps = _("Favourable %"), _("eNPS")
    charts: dict[str, Any] = {}
    if result["teams"]:
        charts["teams"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [favourable, enps]},
            "xAxis": {"type": "category", "data": [t["name"] for t in result["teams"]]},
            "yAxis": {"type": "value", "min": -100, "max": 100},
            "series": [
                {
                    "name": favourable,
                    "type": "bar",
                    "data": [t["favourable"] for t in result["teams"]],
                },
                {"name": enps, "type": "bar", "data": [t["enps"] for t in result["teams"]]},
            ],
        }
    if enps_question and enps_question["answers"]:
        colours = ["#d63939"] * 7 + ["#f59f00"] * 2 + ["#2fb344"] * 2
        charts["enps"] = {
            "tooltip": {},
            "xAxis": {"type": "category", "data": [str(v) for v in range(11)]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "name": _("Answers"),
                    "type": "bar",
                    "data": [
                        {"value": n, "itemStyle": {"color": colours[v]}}
                        for v, n in enumerate(enps_question["distribution"])
                    ],
                }
            ],
        }
    if overall.get("themes"):
        charts["themes"] = {
            "tooltip": {},
            "xAxis": {"type": "value", "min": 0, "max": 100},
            "yAxis": {"type": "category", "data": [row["label"] for row in overall["themes"]]},
            "series": [
                {
                    "name": favourable,
                    "type": "bar",
                    "data": [row["favourable"] for row in overall["themes"]],
                }
            ],
        }
    if len(trend) > 1:
        charts["trend"] = {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [favourable, enps]},
            "xAxis": {"type": "category", "data": [f"#{row['wave']}" for row in trend]},
            "yAxis": {"type": "value", "min": -100, "max": 100},
            "series": [
                {"name": favourable, "type": "line", "data": [row["favourable"] for row in trend]},
                {"name": enps, "type": "line", "data": [row["enps"] for row in trend]},
            ],
        }
    return charts


class PulseLibraryView(PolicyMixin, View):
    def get(self, request):
        policy.require(request.user, "view", PulseQuestion)
        questions = list(selectors.question_list(user=request.user))
        context = {
            "title": _("Pulse question library"),
            "questions": questions,
            "can_add": policy.can(request.user, "add", PulseQuestion),
        }
        return render(request, "surveys/pulse/library.html", context)


class PulseQuestionCreateView(ServiceFormView):
    form_class = PulseQuestionForm
    model = PulseQuestion
    policy_action = "add"
    title = gettext_lazy("New library question")

    def perform(self, form, obj):
        return services.question_create(actor=self.request.user, **form.cleaned_data)

    def success_url(self, result):
        return reverse("surveys:pulse_library")

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("surveys:pulse_library")
        return context
