"""Job level pages: the levels of both tracks, which HR and administrators add, edit and
delete (a level in use is kept), reached from the ladder pages.

Levels are ``org.JobLevel`` rows; every write goes through ``org.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsteam.careers.forms_levels import JobLevelFilterSet, JobLevelForm
from opsteam.careers.models import CareerStep
from opsteam.careers.tables_levels import LEVEL_TABLE
from opsteam.core import policy
from opsteam.core.views import ObjectPostView, ScopedListView, ServiceFormView
from opsteam.org import selectors as org_selectors
from opsteam.org import services as org_services
from opsteam.org.models import JobLevel


class LevelListView(ScopedListView):
    """Every job level by track and rank, with how many people hold it and the ladders it is
    on; HR and administrators add, edit and delete levels from here."""

    model = JobLevel
    table = LEVEL_TABLE
    filterset_class = JobLevelFilterSet
    title = gettext_lazy("Job levels")
    export_stem = "job-levels"
    create_url = "careers:level_create"
    template_name = "careers/levels/level_list.html"
    partial_template_name = "careers/levels/partials/level_table.html"
    paginate_by = 50
    empty_hint = gettext_lazy(
        "Levels are the grades of the professional and management tracks (P1, P2 … M1, M2);"
        " ladders put them in order."
    )

    def base_queryset(self, action="view"):
        steps = CareerStep.objects.select_related("track").only("level_id", "track__code")
        return org_selectors.job_level_list(user=self.request.user, action=action).prefetch_related(
            Prefetch("career_steps", steps)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_change=policy.can(user, "change", JobLevel),
            can_delete=policy.can(user, "delete", JobLevel),
        )
        return context


class LevelCreateView(ServiceFormView):
    form_class = JobLevelForm
    model = JobLevel
    policy_action = "add"
    title = gettext_lazy("New job level")
    success_message = gettext_lazy("The job level is saved.")

    def get_initial(self, obj: Any) -> dict[str, Any]:
        if obj is None:
            return {"track": self.request.GET.get("track", "professional")}
        return super().get_initial(obj)

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("careers:level_list")
        return context

    def perform(self, form, obj):
        return org_services.job_level_create(actor=self.request.user, **form.cleaned_data)

    def success_url(self, result):
        return f"{reverse('careers:level_list')}#level-{result.pk}"


class LevelEditView(LevelCreateView):
    policy_action = "change"
    title = gettext_lazy("Edit job level")

    def context(self, form, obj):
        context = super().context(form, obj)
        context["title"] = _("Edit job level {code}").format(code=obj.code)
        return context

    def perform(self, form, obj):
        return org_services.job_level_update(
            actor=self.request.user, level=obj, **form.cleaned_data
        )


class LevelDeleteView(ObjectPostView):
    """POST: delete a level nobody uses; a level in use is refused with what uses it."""

    model = JobLevel
    permission = "delete"

    def perform(self, obj: JobLevel, data: dict[str, Any]) -> str:
        code = obj.code
        org_services.job_level_delete(actor=self.request.user, level=obj)
        return _("Job level {code} is deleted.").format(code=code)

    def redirect_url(self, obj: Any) -> str:
        return reverse("careers:level_list")
