"""Recognition pages: the feed with leaderboards and the kudos form, each team's switches,
company values, badges and their holders, team commendations, and the fairness review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import exports, policy
from opsteam.core.exceptions import OpsTeamError, PolicyDenied
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.incentives import fairness, selectors_fairness, services, services_recognition
from opsteam.incentives import selectors_recognition as selectors
from opsteam.incentives.choices import BadgeCriterion
from opsteam.incentives.forms_recognition import (
    BadgeAwardForm,
    BadgeFilterSet,
    BadgeForm,
    CommendationFilterSet,
    CommendationForm,
    CompanyValueForm,
    FairnessForm,
    KudosForm,
    RecognitionSettingForm,
)
from opsteam.incentives.models import (
    Badge,
    BadgeAward,
    CompanyValue,
    Kudos,
    TeamCommendation,
)
from opsteam.incentives.tables_recognition import (
    BADGE_TABLE,
    COMMENDATION_TABLE,
    VALUE_TABLE,
    VALUE_TABLE_EDITABLE,
    badge_requirement,
)
from opsteam.org.models import OrgUnit

HOLDERS_PAGE_SIZE = 50


# The recognition page ---------------------------------------------------------------------


class RecognitionView(PolicyMixin, TemplateView):
    """The feed (kudos, team commendations, badge awards, newest first), the kudos form and
    the points leaderboards of this month or quarter, each hidden where a team switched it off."""

    template_name = "incentives/recognition/recognition.html"

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "view", Kudos)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        switches = selectors.recognition_switches()
        own_unit = selectors.viewer_unit_id(user)
        feed_shown = own_unit is None or own_unit not in switches.feed_off
        page, items = (
            selectors.feed_page(user=user, page=self.request.GET.get("page"), switches=switches)
            if feed_shown
            else (None, [])
        )
        period = self.request.GET.get("board", "month")
        board = selectors.leaderboard(user=user, period=period, switches=switches)
        staff = getattr(user, "staff", None)
        can_give = staff is not None and policy.can(user, "add", Kudos)
        own_unit_obj = staff.unit if staff is not None else None
        context.update(
            title=_("Recognition"),
            feed_shown=feed_shown,
            page_obj=page,
            items=items,
            board=board,
            can_give=can_give,
            kudos_form=KudosForm(user=user) if can_give else None,
            own_unit=own_unit_obj,
            can_switch_own=own_unit_obj is not None
            and services_recognition.can_change_setting(user, own_unit_obj),
            switched_off=list(selectors.switched_off_settings()),
            can_commend=policy.can(user, "add", TeamCommendation),
        )
        return context


class KudosGiveView(ServiceFormView):
    """Thank a colleague for living a company value (the page's form posts here)."""

    form_class = KudosForm
    model = Kudos
    policy_action = "add"
    title = gettext_lazy("Give kudos")
    template_name = "incentives/recognition/kudos_form.html"

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {"points": 10}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:recognition")
        return context

    def perform(self, form, obj):
        data = form.cleaned_data
        kudos = services.kudos_give(
            actor=self.request.user,
            recipient=data["recipient"],
            value=data["value"],
            message=data["message"],
            points=data["points"],
        )
        messages.info(
            self.request,
            _("Kudos sent to {name}: {points} points.").format(
                name=kudos.recipient.display_name, points=kudos.points
            ),
        )
        return kudos

    def success_url(self, result):
        return reverse("incentives:recognition")


class RecognitionSettingsView(PolicyMixin, View):
    """A team's switches: its recognition feed and its leaderboards (the team's managers, HR)."""

    template_name = "incentives/recognition/settings.html"

    def _unit(self, request, unit_pk: int) -> OrgUnit:
        unit = policy.scoped_get(OrgUnit.objects.filter(is_active=True), request.user, pk=unit_pk)
        if not services_recognition.can_change_setting(request.user, unit):
            raise PolicyDenied()
        return unit

    def _render(self, request, unit, form, status=200):
        board, feed, own = selectors.unit_switches(unit)
        return render(
            request,
            self.template_name,
            {
                "title": _("Recognition settings: {unit}").format(unit=unit.display_name),
                "unit": unit,
                "form": form,
                "own_setting": own,
                "inherited": own is None and not (board and feed),
            },
            status=status,
        )

    def get(self, request, unit_pk):
        unit = self._unit(request, unit_pk)
        board, feed, _own = selectors.unit_switches(unit)
        form = RecognitionSettingForm(initial={"leaderboard_enabled": board, "feed_enabled": feed})
        return self._render(request, unit, form)

    def post(self, request, unit_pk):
        unit = self._unit(request, unit_pk)
        form = RecognitionSettingForm(request.POST)
        if not form.is_valid():
            return self._render(request, unit, form, status=400)
        services_recognition.recognition_setting_update(
            actor=request.user, unit=unit, **form.cleaned_data
        )
        messages.success(
            request,
            _("Saved: leaderboards {board}, feed {feed} for {unit}.").format(
                board=_("shown") if form.cleaned_data["leaderboard_enabled"] else _("hidden"),
                feed=_("shown") if form.cleaned_data["feed_enabled"] else _("hidden"),
                unit=unit.display_name,
            ),
        )
        return redirect("incentives:recognition")


# Company values ---------------------------------------------------------------------------


class CompanyValueListView(ScopedListView):
    model = CompanyValue
    table = VALUE_TABLE
    title = gettext_lazy("Company values")
    export_stem = "company-values"
    create_url = "incentives:value_create"
    empty_hint = gettext_lazy("Kudos are tied to a company value: add the values people live by.")

    def base_queryset(self, action="view"):
        return selectors.value_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if policy.can(self.request.user, "change", CompanyValue):
            context["table"] = VALUE_TABLE_EDITABLE
        return context


class _ValueFormMixin:
    form_class = CompanyValueForm
    model = CompanyValue

    def success_url(self, result):
        return reverse("incentives:value_list")

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:value_list")
        return context


class CompanyValueCreateView(_ValueFormMixin, ServiceFormView):
    policy_action = "add"
    title = gettext_lazy("New company value")

    def get_initial(self, obj):
        return {"is_active": True, "order": 0}

    def perform(self, form, obj):
        return services_recognition.value_create(actor=self.request.user, **form.cleaned_data)


class CompanyValueEditView(_ValueFormMixin, ServiceFormView):
    title = gettext_lazy("Edit company value")

    def perform(self, form, obj):
        return services_recognition.value_update(
            actor=self.request.user, value=obj, **form.cleaned_data
        )


# Badges -----------------------------------------------------------------------------------


class BadgeListView(ScopedListView):
    """Badges with their criterion and how many people hold each."""

    model = Badge
    table = BADGE_TABLE
    filterset_class = BadgeFilterSet
    title = gettext_lazy("Badges")
    export_stem = "badges"
    create_url = "incentives:badge_create"
    empty_hint = gettext_lazy(
        "Badges are awarded by hand or from data: a training plan completed, a top-decile KPI,"
        " kudos received."
    )

    def base_queryset(self, action="view"):
        return selectors.badge_list(user=self.request.user, action=action)


class BadgeDetailView(ScopedDetailView):
    """A badge, its criterion and its holders; HR awards manual badges here."""

    model = Badge
    template_name = "incentives/recognition/badge_detail.html"

    def get_queryset(self):
        return selectors.badge_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        badge, user = self.object, self.request.user
        holders = Paginator(selectors.badge_holders(user=user, badge=badge), HOLDERS_PAGE_SIZE)
        page = holders.get_page(self.request.GET.get("page"))
        can_award = (
            badge.criterion == BadgeCriterion.MANUAL
            and badge.is_active
            and policy.can(user, "add", BadgeAward)
        )
        context.update(
            title=badge.display_name,
            requirement=badge_requirement(badge),
            page_obj=page,
            holders=page.object_list,
            can_award=can_award,
            award_form=BadgeAwardForm() if can_award else None,
        )
        return context


class _BadgeFormMixin:
    form_class = BadgeForm
    model = Badge

    def success_url(self, result):
        return reverse("incentives:badge_detail", args=[result.pk])


class BadgeCreateView(_BadgeFormMixin, ServiceFormView):
    policy_action = "add"
    title = gettext_lazy("New badge")

    def get_initial(self, obj):
        return {"is_active": True, "criterion": BadgeCriterion.MANUAL, "points": 50}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:badge_list")
        return context

    def perform(self, form, obj):
        return services_recognition.badge_create(actor=self.request.user, **form.cleaned_data)


class BadgeEditView(_BadgeFormMixin, ServiceFormView):
    title = gettext_lazy("Edit badge")

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:badge_detail", args=[obj.pk])
        return context

    def perform(self, form, obj):
        return services_recognition.badge_update(
            actor=self.request.user, badge=obj, **form.cleaned_data
        )


class BadgeAwardView(ServiceFormView):
    """Award a manual badge by hand (HR); automatic badges come from the nightly job."""

    form_class = BadgeAwardForm
    model = Badge
    policy_action = "view"
    title = gettext_lazy("Award badge")
    success_message = gettext_lazy("Badge awarded.")

    def check_permission(self, obj):
        policy.require(self.request.user, "add", BadgeAward)

    def get_initial(self, obj):
        return {}

    def get(self, request, *args, **kwargs):
        badge = self.get_object()
        self.check_permission(badge)
        if badge.criterion != BadgeCriterion.MANUAL or not badge.is_active:
            messages.error(
                request, _("Only active badges of the kind “awarded by hand” are awarded by hand.")
            )
            return redirect("incentives:badge_detail", pk=badge.pk)
        return super().get(request, *args, **kwargs)

    def context(self, form, obj):
        context = super().context(form, obj)
        context["title"] = _("Award “{badge}”").format(badge=obj.display_name)
        context["cancel_url"] = reverse("incentives:badge_detail", args=[obj.pk])
        return context

    def perform(self, form, obj):
        services.badge_award(actor=self.request.user, badge=obj, **form.cleaned_data)
        return obj

    def success_url(self, result):
        return reverse("incentives:badge_detail", args=[result.pk])


# Team commendations -----------------------------------------------------------------------


class CommendationListView(ScopedListView):
    model = TeamCommendation
    table = COMMENDATION_TABLE
    filterset_class = CommendationFilterSet
    title = gettext_lazy("Team commendations")
    export_stem = "team-commendations"
    create_url = "incentives:commendation_create"
    empty_hint = gettext_lazy("Commend a team (团队表彰) for work that lived the company's values.")

    def base_queryset(self, action="view"):
        return selectors.commendation_list(user=self.request.user, action=action)


class CommendationCreateView(ServiceFormView):
    """Commend a team: managers the teams of their subtree, HR any team."""

    form_class = CommendationForm
    model = TeamCommendation
    policy_action = "add"
    title = gettext_lazy("Commend a team")
    success_message = gettext_lazy("Team commended.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        unit = self.request.GET.get("unit", "")
        return {"points_each": 0, **({"unit": unit} if unit.isdigit() else {})}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("incentives:commendation_list")
        return context

    def perform(self, form, obj):
        return services.commendation_award(actor=self.request.user, **form.cleaned_data)

    def success_url(self, result):
        return reverse("incentives:commendation_list")


# Fairness review --------------------------------------------------------------------------


def _fairness_settings(request, user) -> tuple[FairnessForm, Any, float, int]:
    """The bound settings form and the cycle, margin and smallest group it yields (the
    defaults where a value is missing or invalid: the form shows why)."""
    cycles = selectors_fairness.cycle_choices(user=user)
    form = FairnessForm(request.GET or None, cycles=cycles)
    cycle, margin, min_group = None, fairness.DEFAULT_MARGIN, fairness.DEFAULT_MIN_GROUP
    if form.is_bound and form.is_valid():
        cycle = form.cleaned_data["cycle"]
        if form.cleaned_data["margin"] is not None:
            margin = form.cleaned_data["margin"] / 100
        if form.cleaned_data["min_group"] is not None:
            min_group = form.cleaned_data["min_group"]
    if cycle is None:
        cycle = selectors_fairness.default_cycle(user=user)
    if not form.is_bound:
        form = FairnessForm(
            initial={
                "cycle": cycle.pk if cycle else None,
                "margin": round(margin * 100),
                "min_group": min_group,
            },
            cycles=cycles,
        )
    return form, cycle, margin, min_group


def fairness_chart(report: selectors_fairness.FairnessReport, dimension: Any) -> dict[str, Any]:
    """ECharts option: one bar series per measure (percent), each with its overall as a line.

    Groups too small to compare (or withheld) have no bar.
    """
    percent = selectors_fairness.percent
    series = []
    for index, (_key, label) in enumerate(report.measures):
        comparison = dimension.comparisons[index]
        series.append(
            {
                "name": label,
                "type": "bar",
                "data": [
                    percent(row.cells[index].rate) if row.cells[index] is not None else None
                    for row in dimension.rows
                ],
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"type": "dashed"},
                    "label": {"formatter": "{c}%"},
                    "data": [{"yAxis": percent(comparison.overall), "name": _("Overall")}]
                    if comparison.overall is not None
                    else [],
                },
            }
        )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [label for _key, label in report.measures]},
        "grid": {"containLabel": True, "top": 56, "left": 32, "right": 56, "bottom": 8},
        "xAxis": {
            "type": "category",
            "data": [row.label for row in dimension.rows],
            "axisLabel": {"interval": 0, "rotate": 30 if len(dimension.rows) > 4 else 0},
        },
        "yAxis": {"type": "value", "name": "%"},
        "series": series,
    }


def _dimension_view(report: selectors_fairness.FairnessReport, dimension: Any) -> dict[str, Any]:
    """A dimension as the template shows it: percentages, one cell per measure."""
    percent = selectors_fairness.percent

    def cell(group: fairness.GroupRate | None) -> dict[str, Any] | None:
        if group is None:
            return None
        return {
            "n": group.n,
            "rate": percent(group.rate),
            "difference": percent(group.difference),
            "flagged": group.flagged,
            "status": group.status,
        }

    return {
        "key": dimension.key,
        "label": dimension.label,
        "chart": fairness_chart(report, dimension),
        "totals": [
            {"n": comparison.n, "overall": percent(comparison.overall)}
            for comparison in dimension.comparisons
        ],
        "rows": [
            {
                "label": row.label,
                "n": row.n,
                "flagged": row.flagged,
                "cells": [cell(group) for group in row.cells],
            }
            for row in dimension.rows
        ],
    }


class FairnessView(PolicyMixin, TemplateView):
    """Grades, bonuses and promotions of one review cycle compared across teams, levels, tenure
    bands and gender (where recorded), with flags where a group differs from everyone by more
    than the margin.

    Administrators, HR and auditors only (``selectors_fairness.can_review_fairness``).
    ``?export=csv`` (or ``xlsx``) downloads the table.
    """

    template_name = "incentives/fairness/fairness.html"

    def get(self, request, *args, **kwargs):
        selectors_fairness.require_fairness(request.user)
        file_format = request.GET.get("export")
        if file_format in {"csv", "xlsx"}:
            return self.export(file_format)
        return super().get(request, *args, **kwargs)

    def export(self, file_format: str):
        _form, cycle, margin, min_group = _fairness_settings(self.request, self.request.user)
        header, rows = selectors_fairness.report_header(), []
        if cycle is not None:
            report = selectors_fairness.fairness_report(
                user=self.request.user, cycle=cycle, margin=margin, min_group=min_group
            )
            header, rows = selectors_fairness.report_rows(report)
        return exports.spreadsheet_response(
            stem="fairness", file_format=file_format, header=header, rows=rows
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form, cycle, margin, min_group = _fairness_settings(self.request, user)
        report = None
        if cycle is not None:
            try:
                report = selectors_fairness.fairness_report(
                    user=user, cycle=cycle, margin=margin, min_group=min_group
                )
            except OpsTeamError as exc:  # pragma: no cover - settings are validated by the form
                form.add_error(None, exc.message)
        dimensions = (
            [_dimension_view(report, dimension) for dimension in report.dimensions]
            if report
            else []
        )
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            title=_("Fairness review"),
            form=form,
            report=report,
            dimensions=dimensions,
            margin_points=round(margin * 100),
            querystring=query.urlencode(),
        )
        return context
