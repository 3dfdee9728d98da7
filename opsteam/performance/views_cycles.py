"""Pages of review cycles: cycles, reviews and scorecards, calibration, appeals, my reviews."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import policy
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.core.models import AuditEntry
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.performance import cycles, selectors, services_cycles
from opsteam.performance.choices import CycleStage, ReviewStatus
from opsteam.performance.forms_cycles import (
    AppealForm,
    AppealResolveForm,
    CycleForm,
    GradeChangeForm,
    ManagerReviewForm,
    SelfReviewForm,
    TargetForm,
    WhatIfForm,
)
from opsteam.performance.models import Appeal, Kpi, KpiTemplateItem, Review, ReviewCycle

# Errors the user can act on come back as messages; permission errors answer 403/404.
USER_ERRORS = (InvalidTransition, ValidationFailed)

CYCLE_TABLE = Table(
    columns=(
        Column("name", gettext_lazy("Name"), order_by="name", link=True),
        Column("period_kind", gettext_lazy("Period"), accessor="get_period_kind_display"),
        Column("period_start", gettext_lazy("Period start"), order_by="period_start"),
        Column("period_end", gettext_lazy("Period end"), order_by="period_end"),
        Column("stage", gettext_lazy("Stage"), accessor="get_stage_display", order_by="stage"),
    ),
    default_order="-period_start",
)

REVIEW_TABLE = Table(
    columns=(
        Column(
            "employee_no",
            gettext_lazy("Employee number"),
            accessor="staff.employee_no",
            order_by="staff__employee_no",
            link=True,
        ),
        Column("name", gettext_lazy("Name"), accessor="staff.display_name", order_by="staff__name"),
        Column(
            "unit",
            gettext_lazy("Department or team"),
            accessor="unit.display_name",
            order_by="unit__path",
        ),
        Column("position", gettext_lazy("Position"), accessor="position.display_name"),
        Column("level", gettext_lazy("Level"), accessor="level.code"),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("kpi_score", gettext_lazy("KPI score"), order_by="kpi_score"),
        Column("competency_score", gettext_lazy("Competency score"), order_by="competency_score"),
        Column("manager_rating", gettext_lazy("Manager rating"), order_by="manager_rating"),
        Column("final_score", gettext_lazy("Final score"), order_by="final_score"),
        Column("grade", gettext_lazy("Grade"), order_by="grade"),
        Column("coefficient", gettext_lazy("Performance coefficient"), order_by="coefficient"),
        Column("grade_source", gettext_lazy("Grade from"), accessor="get_grade_source_display"),
    ),
    default_order="unit__path",
)


class CycleListView(ScopedListView):
    model = ReviewCycle
    table = CYCLE_TABLE
    title = gettext_lazy("Review cycles")
    export_stem = "review-cycles"
    create_url = "performance:cycle_create"
    empty_hint = gettext_lazy("Create a cycle, choose who is in it, then launch it.")


def _cycle_fields(form: CycleForm) -> tuple[dict[str, Any], dict[str, Any]]:
    data = dict(form.cleaned_data)
    population = {
        "units": list(data.pop("units")),
        "positions": list(data.pop("positions")),
        "people": list(data.pop("people")),
    }
    return data, population


class CycleCreateView(ServiceFormView):
    form_class = CycleForm
    title = gettext_lazy("New review cycle")
    model = ReviewCycle
    policy_action = "add"

    def perform(self, form, obj):
        fields, population = _cycle_fields(form)
        return services_cycles.cycle_create(actor=self.request.user, **population, **fields)


class CycleUpdateView(ServiceFormView):
    form_class = CycleForm
    title = gettext_lazy("Edit review cycle")
    model = ReviewCycle

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["units"] = list(obj.units.all())
        initial["positions"] = list(obj.positions.all())
        initial["people"] = " ".join(obj.people.values_list("employee_no", flat=True))
        return initial

    def perform(self, form, obj):
        fields, population = _cycle_fields(form)
        if obj.stage != CycleStage.DRAFT:
            population = {}
        return services_cycles.cycle_update(
            actor=self.request.user, cycle=obj, **population, **fields
        )


def _visible_reviews(user: Any, cycle: ReviewCycle, action: str = "list") -> Any:
    """The reviews of ``cycle`` the user may list, without their own (seen on "my reviews",
    where results appear only after publication)."""
    return Review.objects.restrict(user, action).filter(cycle=cycle).exclude(staff__user=user)


class CycleDetailView(ScopedDetailView):
    model = ReviewCycle
    template_name = "performance/cycles/cycle_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle, user = self.object, self.request.user
        can_list = policy.can(user, "list", Review)
        progress = (
            selectors.cycle_progress(cycle=cycle, reviews=_visible_reviews(user, cycle))
            if can_list
            else None
        )
        stage_index = cycles.STAGES.index(cycle.stage)
        feedback = services_cycles.uses_feedback(cycle)
        stages = []
        deadlines = {
            "goal_setting": cycle.goal_deadline,
            "self_review": cycle.self_review_deadline,
            "feedback": cycle.feedback_deadline,
            "manager_review": cycle.manager_review_deadline,
            "calibration": cycle.calibration_deadline,
            "acknowledgement": cycle.acknowledgement_deadline,
        }
        for index, code in enumerate(cycles.STAGES):
            if code == "feedback" and not feedback:
                continue
            stages.append(
                {
                    "code": code,
                    "label": CycleStage(code).label,
                    "deadline": deadlines.get(code),
                    "done": index < stage_index,
                    "current": index == stage_index,
                }
            )
        next_stage = previous_stage = None
        if cycle.stage not in (CycleStage.DRAFT, CycleStage.CLOSED):
            next_stage = cycles.next_stage(cycle.stage, uses_feedback=feedback)
            for code in reversed(cycles.STAGES[1:stage_index]):
                try:
                    cycles.check_transition(cycle.stage, code, uses_feedback=feedback)
                except cycles.TransitionError:
                    break
                previous_stage = code
                break
        chart = None
        if progress and progress["graded"]:
            chart = {
                "tooltip": {},
                "xAxis": {"type": "category", "data": [name for name, _n in progress["grades"]]},
                "yAxis": {"type": "value", "minInterval": 1},
                "series": [{"type": "bar", "data": [n for _name, n in progress["grades"]]}],
            }
        my_review = Review.objects.filter(cycle=cycle, staff__user=user).first()
        context.update(
            title=cycle.name,
            progress=progress,
            stages=stages,
            next_stage=next_stage and {"code": next_stage, "label": CycleStage(next_stage).label},
            previous_stage=previous_stage
            and {"code": previous_stage, "label": CycleStage(previous_stage).label},
            grade_chart=chart,
            my_review=my_review,
            can_list=can_list,
            can_calibrate=policy.can(user, "calibrate", Review),
            is_draft=cycle.stage == CycleStage.DRAFT,
            lowest_grade=cycle.grade_names[-1] if cycle.grade_names else "",
            population_units=list(cycle.units.all()),
            population_positions=list(cycle.positions.all()),
        )
        return context


class CycleLaunchView(PolicyMixin, View):
    def post(self, request, pk):
        cycle = policy.scoped_get(ReviewCycle.objects.all(), request.user, "change", pk=pk)
        try:
            count = services_cycles.cycle_launch(actor=request.user, cycle=cycle)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Cycle launched: {count} reviews created.").format(count=count)
            )
        return redirect(cycle.get_absolute_url())


class CycleAdvanceView(PolicyMixin, View):
    def post(self, request, pk):
        cycle = policy.scoped_get(ReviewCycle.objects.all(), request.user, "change", pk=pk)
        stage = request.POST.get("stage", "")
        try:
            cycle = services_cycles.cycle_advance(actor=request.user, cycle=cycle, stage=stage)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("The cycle is now in: {stage}.").format(stage=cycle.get_stage_display())
            )
        return redirect(cycle.get_absolute_url())


class CyclePlansView(PolicyMixin, View):
    """POST: draft improvement plans for everyone with the lowest grade of a published cycle."""

    def post(self, request, pk):
        cycle = policy.scoped_get(ReviewCycle.objects.all(), request.user, pk=pk)
        policy.require(request.user, "calibrate", Review)
        try:
            drafted, skipped = services_cycles.plans_for_low_grades(actor=request.user, cycle=cycle)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("{count} improvement plans drafted.").format(count=drafted))
            for line in skipped[:20]:
                messages.warning(request, line)
        return redirect(cycle.get_absolute_url())


class ReviewListView(ScopedListView):
    """The reviews of one cycle (the results export for payroll and promotion is its xlsx)."""

    model = Review
    table = REVIEW_TABLE
    title = gettext_lazy("Reviews")

    def dispatch(self, request, *args, **kwargs):
        self.cycle = policy.scoped_get(ReviewCycle.objects.all(), request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def export_stem(self):  # type: ignore[override]
        return f"review-results-{self.cycle.pk}"

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "list", Review)
        return super().get(request, *args, **kwargs)

    def base_queryset(self, action="view"):
        action = "export" if action == "export" else "list"
        return _visible_reviews(self.request.user, self.cycle, action).select_related(
            "staff", "unit", "position", "level"
        )

    def filtered_queryset(self, queryset):
        self.filterset = None
        text = self.request.GET.get("q", "").strip()
        if text:
            from django.db.models import Q

            queryset = queryset.filter(
                Q(staff__name__icontains=text)
                | Q(staff__employee_no__icontains=text)
                | Q(staff__name_en__icontains=text)
            )
        grade = self.request.GET.get("grade")
        if grade:
            queryset = queryset.filter(grade=grade)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Reviews · {cycle}").format(cycle=self.cycle.name)
        return context


def _review(request: Any, pk: int, action: str = "view") -> Review:
    return policy.scoped_get(
        Review.objects.select_related("cycle", "staff", "unit", "position", "level", "reviewer"),
        request.user,
        action,
        pk=pk,
    )


def _report_evidence(user, review, cycle):
    """The reviewee's work reports of the cycle's period, as far as the user may read them."""
    from opsteam.collab import selectors_reports

    return selectors_reports.evidence(
        user=user, staff=review.staff, start=cycle.period_start, end=cycle.period_end
    )


class ReviewDetailView(PolicyMixin, TemplateView):
    """The scorecard: every KPI's actual, target, score and weight; ratings; grade and origin.

    The reviewee sees scores and grade only once the cycle is published.
    """

    template_name = "performance/cycles/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        review = _review(self.request, kwargs["pk"])
        cycle = review.cycle
        is_reviewee = review.staff.user_id == user.pk
        visible = selectors.result_visible(review, user)
        can_manage = policy.can(user, "manager_review", review) and not is_reviewee
        context.update(
            title=_("{person} · {cycle}").format(
                person=review.staff.display_name, cycle=cycle.name
            ),
            review=review,
            cycle=cycle,
            result_visible=visible,
            feedback_subject=cycle.feedback_campaign.subjects.filter(staff=review.staff_id).first()
            if visible and cycle.feedback_campaign_id
            else None,
            lines=review.scorecard.get("lines", []) if visible else [],
            is_reviewee=is_reviewee,
            self_form=SelfReviewForm(
                initial={"rating": review.self_rating, "comment": review.self_comment}
            )
            if is_reviewee and cycle.stage == CycleStage.SELF_REVIEW
            else None,
            manager_form=ManagerReviewForm(
                initial={
                    "rating": review.manager_rating,
                    "comment": review.manager_comment,
                    "potential": review.potential,
                    "adjustment": review.adjustment,
                    "adjustment_reason": review.adjustment_reason,
                }
            )
            if can_manage and cycle.stage == CycleStage.MANAGER_REVIEW
            else None,
            missing_scores=_missing_scores(review) if visible else [],
            report_evidence=_report_evidence(user, review, cycle),
            targets=list(review.targets.select_related("kpi")),
            target_kpis=list(
                KpiTemplateItem.objects.filter(template_id=review.template_id).select_related("kpi")
            )
            if can_manage and cycle.stage == CycleStage.GOAL_SETTING
            else [],
            show_manager_part=visible or not is_reviewee,
            can_acknowledge=is_reviewee
            and review.status in (ReviewStatus.PUBLISHED, ReviewStatus.RESOLVED),
            can_appeal=is_reviewee and review.status == ReviewStatus.PUBLISHED,
            appeal_form=AppealForm(),
            grade_changes=list(review.grade_changes.select_related("changed_by"))
            if visible
            else [],
            appeals=list(review.appeals.all()),
            can_resolve=policy.can(user, "resolve_appeal", Appeal),
            resolve_form=AppealResolveForm(),
            what_if_form=WhatIfForm() if visible else None,
            handling_labels={
                0: _("measured"),
                1: _("no data: weight spread over measured KPIs"),
                2: _("no data: scored 0"),
                3: _("not in template"),
            },
            history=AuditEntry.objects.filter(
                object_type="performance.review", object_id=str(review.pk)
            )[:20]
            if policy.can(user, "view", AuditEntry)
            else None,
        )
        return context


def _missing_scores(review: Review) -> list[str]:
    """Why a scored review has no final score: the formula's inputs that are missing."""
    if review.final_score is not None or review.cycle.scored_at is None:
        return []
    names = {
        "kpi": (review.kpi_score, _("KPI score (no KPI template or no data)")),
        "competency": (review.competency_score, _("competency (no released 360 result)")),
        "manager": (review.manager_rating, _("manager rating")),
    }
    used = services_cycles.formula_variables(review.cycle)
    return [label for name, (value, label) in names.items() if name in used and value is None]


class _ReviewPost(PolicyMixin, View):
    """POST on one review: 404 outside the view scope, 403 without ``permission``, then the
    form and the service (whose refusals come back as messages)."""

    form_class: Any = None
    permission = "view"

    def post(self, request, pk):
        review = _review(request, pk)
        policy.require(request.user, self.permission, review)
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
            return redirect(self.redirect_url(review))
        try:
            message = self.perform(review, form.cleaned_data if form else {})
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
        return redirect(self.redirect_url(review))

    def redirect_url(self, review: Review) -> str:
        return review.get_absolute_url()

    def perform(self, review: Review, data: dict[str, Any]) -> str:
        raise NotImplementedError


class ReviewSelfView(_ReviewPost):
    form_class = SelfReviewForm
    permission = "self_review"

    def perform(self, review, data):
        services_cycles.review_self_submit(
            actor=self.request.user, review=review, rating=data["rating"], comment=data["comment"]
        )
        return _("Self-review submitted.")


class ReviewManagerView(_ReviewPost):
    form_class = ManagerReviewForm
    permission = "manager_review"

    def perform(self, review, data):
        services_cycles.review_manager_submit(
            actor=self.request.user,
            review=review,
            rating=data["rating"],
            comment=data["comment"],
            potential=data["potential"],
            adjustment=data["adjustment"] or Decimal("0"),
            adjustment_reason=data["adjustment_reason"],
        )
        return _("Manager review submitted.")


class ReviewTargetView(_ReviewPost):
    """Goal setting: the manager agrees a personal target for one KPI of the template."""

    form_class = TargetForm
    permission = "manager_review"

    def perform(self, review, data):
        kpi = Kpi.objects.filter(pk=data["kpi"]).first()
        if kpi is None:
            raise ValidationFailed(_("Choose a KPI of the cycle."), field="kpi")
        services_cycles.target_set(
            actor=self.request.user,
            review=review,
            kpi=kpi,
            target=data["target"],
            note=data["note"],
        )
        return _("Target agreed for {kpi}.").format(kpi=kpi)


class ReviewAcknowledgeView(_ReviewPost):
    permission = "acknowledge"

    def perform(self, review, data):
        services_cycles.review_acknowledge(actor=self.request.user, review=review)
        return _("Thank you: your result is confirmed.")


class ReviewAppealView(_ReviewPost):
    form_class = AppealForm
    permission = "acknowledge"

    def perform(self, review, data):
        services_cycles.appeal_file(actor=self.request.user, review=review, reason=data["reason"])
        return _("Your appeal was filed; HR will answer it.")


class GradeChangeView(_ReviewPost):
    form_class = GradeChangeForm
    permission = "calibrate"

    def redirect_url(self, review):
        from django.urls import reverse

        target = self.request.POST.get("next", "")
        calibration = reverse("performance:calibration", args=[review.cycle_id])
        return target if target == calibration else review.get_absolute_url()

    def perform(self, review, data):
        services_cycles.grade_change(
            actor=self.request.user,
            review=review,
            grade=data["grade"].strip(),
            justification=data["justification"],
        )
        return _("Grade changed to {grade}.").format(grade=data["grade"].strip())


class AppealResolveView(PolicyMixin, View):
    def post(self, request, pk):
        appeal = policy.scoped_get(
            Appeal.objects.select_related("review"), request.user, "resolve_appeal", pk=pk
        )
        form = AppealResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Record the decision and the outcome."))
            return redirect(appeal.review.get_absolute_url())
        try:
            services_cycles.appeal_resolve(
                actor=request.user,
                appeal=appeal,
                upheld=form.cleaned_data["upheld"],
                outcome=form.cleaned_data["outcome"],
                new_grade=form.cleaned_data["new_grade"].strip(),
            )
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Appeal resolved."))
        return redirect(appeal.review.get_absolute_url())


class ReviewWhatIfView(PolicyMixin, View):
    """htmx: how a different actual for one KPI would move the score and grade."""

    def post(self, request, pk):
        review = _review(request, pk)
        if not selectors.result_visible(review, request.user):
            raise Http404(_("Not found."))
        form = WhatIfForm(request.POST)
        outcome = None
        if form.is_valid():
            outcome = selectors.what_if(
                review, form.cleaned_data["kpi"], float(form.cleaned_data["actual"])
            )
        return render(
            request,
            "performance/cycles/partials/what_if.html",
            {"outcome": outcome, "form": form, "review": review},
        )


class ReviewMeasurementsView(PolicyMixin, TemplateView):
    """Drill-down: the raw measurements behind one KPI line and the rule version used."""

    template_name = "performance/cycles/review_measurements.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = _review(self.request, kwargs["pk"])
        if not selectors.result_visible(review, self.request.user):
            raise Http404(_("Not found."))
        line = next(
            (x for x in review.scorecard.get("lines", []) if x["kpi"] == kwargs["kpi"]), None
        )
        if line is None:
            raise Http404(_("Not found."))
        rule = (review.cycle.kpi_snapshot or {}).get(str(kwargs["kpi"]), {})
        context.update(
            title=_("{kpi} · {person}").format(kpi=line["name"], person=review.staff.display_name),
            review=review,
            line=line,
            rule=sorted(rule.items()),
            measurements=selectors.review_measurements(review, kwargs["kpi"]).select_related(
                "entered_by"
            )[:1000],
        )
        return context


class CalibrationView(PolicyMixin, TemplateView):
    """Calibration (校准): guideline against actual per group, suggestions, 9-box, changes."""

    template_name = "performance/cycles/calibration.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = policy.scoped_get(ReviewCycle.objects.all(), user, pk=kwargs["pk"])
        policy.require(user, "calibrate", Review)
        page = self.request.GET.get("page", "1")
        board = selectors.calibration_board(
            cycle=cycle,
            reviews=_visible_reviews(user, cycle, "calibrate"),
            group=self.request.GET.get("group", ""),
            page=int(page) if page.isdigit() else 1,
        )
        context.update(
            title=_("Calibration · {cycle}").format(cycle=cycle.name),
            cycle=cycle,
            board=board,
            editable=cycle.stage == CycleStage.CALIBRATION,
            nine_box_rows=board["nine_box"],
        )
        return context


class MyReviewsView(PolicyMixin, TemplateView):
    """My reviews in every cycle, and the work I owe in open ones."""

    template_name = "performance/cycles/my_reviews.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            title=_("My reviews"),
            reviews=Review.objects.filter(staff__user=user)
            .select_related("cycle")
            .order_by("-cycle__period_start"),
            owed=selectors.work_owed(user),
        )
        return context


class DashboardView(PolicyMixin, TemplateView):
    """Appraisal dashboard: grades by team, completion, progress, score trends."""

    template_name = "performance/cycles/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        policy.require(user, "list", Review)
        cycles_seen = list(ReviewCycle.objects.exclude(stage=CycleStage.DRAFT)[:20])
        chosen = self.request.GET.get("cycle", "")
        cycle = next((c for c in cycles_seen if str(c.pk) == chosen), None) or (
            cycles_seen[0] if cycles_seen else None
        )
        from opsteam.performance.choices import ReviewStatus as Status

        data = selectors.dashboard(user=user, cycle=cycle)
        for row in data["open_cycles"]:
            row["cells"] = [(label, row["statuses"].get(code, 0)) for code, label in Status.choices]
        context.update(
            title=_("Appraisal dashboard"),
            cycles=cycles_seen,
            data=data,
            status_labels=[label for _code, label in Status.choices],
        )
        return context
