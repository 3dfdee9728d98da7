"""Pages of insights: the role home page (and its two htmx panels) and the system review
(list, create, report, edit, start, close, actions raised from a section, xlsx, print)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import exports, policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedListView, ServiceFormView
from opsteam.insights import selectors, services
from opsteam.insights.forms import ReviewActionForm, SystemReviewCreateForm, SystemReviewEditForm
from opsteam.insights.models import SystemReview
from opsteam.org.models import Staff


class HomeView(TemplateView):
    """The landing page: what matters to this user's roles (HR/admin, manager, operator, auditor).

    What the person owes and their team's status load as two htmx panels right after the page
    (``home_owed``, ``home_watch``), so the page itself stays fast whatever the data size.
    """

    template_name = "insights/home.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Home"),
            **selectors.home_summary(user=self.request.user),
        }


class HomeOwedView(TemplateView):
    """Panel: what I owe (reviews, training, action items, announcements, suggestions...)."""

    template_name = "insights/partials/home_owed.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            **selectors.home_owed(user=self.request.user),
            "today": timezone.localdate(),
        }


class HomeWatchView(TemplateView):
    """Panel: what I should see (my team's status, the organisation's, the system review)."""

    template_name = "insights/partials/home_watch.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "panels": selectors.home_watch(user=self.request.user),
        }


REVIEW_TABLE = Table(
    columns=(
        Column("title", gettext_lazy("Review"), order_by="title", link=True),
        Column("period_start", gettext_lazy("From"), order_by="period_start"),
        Column("period_end", gettext_lazy("To"), order_by="period_end"),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("open_action_count", gettext_lazy("Open actions"), order_by="open_action_count"),
        Column("action_count", gettext_lazy("Actions"), order_by="action_count"),
    ),
    default_order="-period_start",
)


class SystemReviewListView(ScopedListView):
    """Every review, latest first, with its open and total improvement actions."""

    model = SystemReview
    table = REVIEW_TABLE
    title = gettext_lazy("System reviews")
    export_stem = "system-reviews"
    empty_hint = gettext_lazy(
        "A review of the last quarter is created at the start of each quarter; HR can start "
        "one for any period."
    )
    create_url = "insights:review_create"

    def base_queryset(self, action="view"):
        return selectors.review_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = selectors.can_steer(self.request.user)
        return context


class SystemReviewCreateView(ServiceFormView):
    form_class = SystemReviewCreateForm
    model = SystemReview
    policy_action = "add"
    title = gettext_lazy("New system review")
    success_message = gettext_lazy(
        "The review is created: its figures are read live until it closes."
    )

    def check_permission(self, obj):
        selectors.require_steer(self.request.user)

    def get_initial(self, obj):
        start, end = services.previous_quarter(timezone.localdate())
        return {"period_start": start, "period_end": end}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("insights:review_list")
        return context

    def perform(self, form, obj):
        return services.system_review_create(actor=self.request.user, **form.cleaned_data)


class _ReviewMixin(PolicyMixin):
    def review(self, action: str = "view") -> SystemReview:
        return selectors.review_get(user=self.request.user, pk=self.kwargs["pk"], action=action)


class SystemReviewDetailView(_ReviewMixin, TemplateView):
    """The report: each section's figures with their explanation, charts and change against
    the previous review; the actions raised from it; the previous review's actions still open."""

    template_name = "insights/review_detail.html"
    printable = False

    def get_template_names(self):
        return ["insights/review_print.html" if self.printable else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        review = self.review()
        previous = selectors.previous_review(review)
        figures = selectors.report_for(review)
        sections = selectors.visible_sections(
            user=user,
            figures=figures,
            previous=selectors.report_for(previous) if previous is not None else None,
        )
        steer = selectors.can_steer(user, review) and not review.is_closed
        form = None
        if steer:
            from opsteam.workflow import selectors_analytics

            form = ReviewActionForm(
                owners=selectors_analytics.owner_choices(user),
                sections=[(s["key"], s["title"]) for s in sections],
            )
        context.update(
            title=review.title,
            object=review,
            review=review,
            sections=sections,
            generated_at=figures.get("generated_at"),
            previous=previous,
            actions=list(selectors.review_actions(user=user, review=review)),
            previous_actions=list(
                selectors.review_actions(user=user, review=previous).exclude(
                    status__in=("done", "cancelled")
                )
            )
            if previous is not None
            else [],
            can_steer=steer,
            can_export=policy.can(user, "export", review),
            action_form=form,
            charts=[
                {"id": f"chart-{section['key']}", "option": section["data"]["chart"]}
                for section in sections
                if section["data"] and section["data"].get("chart")
            ],
        )
        return context


class SystemReviewEditView(ServiceFormView):
    form_class = SystemReviewEditForm
    model = SystemReview
    template_name = "core/form_page.html"
    success_message = gettext_lazy("The review is saved.")

    def get_object(self):
        return selectors.review_get(user=self.request.user, pk=self.kwargs["pk"])

    def check_permission(self, obj):
        selectors.require_steer(self.request.user, obj)

    def context(self, form, obj):
        context = super().context(form, obj)
        context["title"] = _("Edit {review}").format(review=obj.title)
        return context

    def perform(self, form, obj):
        return services.system_review_update(
            actor=self.request.user, review=obj, **form.cleaned_data
        )


class _ReviewPostView(_ReviewMixin, View):
    service: Any = None
    message: Any = ""

    def post(self, request, pk):
        review = self.review()
        try:
            self.run(review)
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.message)
        return redirect(review.get_absolute_url())

    def run(self, review: SystemReview) -> Any:
        return type(self).service(actor=self.request.user, review=review)


class SystemReviewStartView(_ReviewPostView):
    service = staticmethod(services.system_review_start)
    message = gettext_lazy("The review is in review.")


class SystemReviewCloseView(_ReviewPostView):
    service = staticmethod(services.system_review_close)
    message = gettext_lazy("The review is closed and its figures are frozen.")


class ReviewActionCreateView(_ReviewMixin, View):
    """POST: raise an improvement action from a section of the report."""

    def post(self, request, pk):
        review = self.review()
        selectors.require_steer(request.user, review)
        from opsteam.workflow import selectors_analytics

        form = ReviewActionForm(
            request.POST, owners=selectors_analytics.owner_choices(request.user)
        )
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
            return redirect(f"{review.get_absolute_url()}#actions")
        data = dict(form.cleaned_data)
        owner_id = data.pop("owner")
        data["owner"] = Staff.objects.filter(pk=owner_id).first() if owner_id else None
        try:
            action = services.review_action_create(actor=request.user, review=review, **data)
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
            return redirect(f"{review.get_absolute_url()}#actions")
        messages.success(
            request, _("Improvement action raised: {title}").format(title=action.title)
        )
        return redirect(f"{review.get_absolute_url()}#actions")


class SystemReviewExportView(_ReviewMixin, View):
    """The report as a spreadsheet: one row per figure, then one per improvement action."""

    def get(self, request, pk):
        review = self.review("export")
        figures = selectors.report_for(review)
        sections = selectors.visible_sections(user=request.user, figures=figures)
        rows: list[list[Any]] = []
        for section in sections:
            for figure in (section["data"] or {}).get("figures", []):
                rows.append(
                    [
                        str(section["title"]),
                        figure["label"],
                        figure["value"],
                        figure["unit"],
                        figure["hint"],
                    ]
                )
            for flag in (section["data"] or {}).get("flags", []):
                rows.append([str(section["title"]), _("Flag"), flag, "", ""])
        for action in selectors.review_actions(user=request.user, review=review):
            rows.append(
                [
                    _("Improvement action"),
                    action.title,
                    action.get_status_display(),
                    action.owner.display_name if action.owner_id else "",
                    action.due_date.isoformat() if action.due_date else "",
                ]
            )
        header = [_("Section"), _("Figure"), _("Value"), _("Unit"), _("Explanation")]
        return exports.spreadsheet_response(
            stem="system-review", file_format="xlsx", header=header, rows=rows
        )
