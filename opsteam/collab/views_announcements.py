"""Pages of announcements: my announcements, managing them, writing, reading with
acknowledgement, statistics with the "not yet" list, reminders and the receipts export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from opsteam.collab import selectors_announcements as selectors
from opsteam.collab import services_announcements as services
from opsteam.collab.filters_announcements import AnnouncementFilterSet
from opsteam.collab.forms_announcements import AnnouncementForm
from opsteam.collab.models import Announcement, AnnouncementReceipt, AnnouncementStatus
from opsteam.collab.tables_announcements import ANNOUNCEMENT_TABLE, RECEIPT_TABLE
from opsteam.core import exports, policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import ObjectPostView, PolicyMixin, ScopedListView, ServiceFormView

SHOW = {
    "current": gettext_lazy("Current"),
    "unacknowledged": gettext_lazy("To acknowledge"),
    "unread": gettext_lazy("Unread"),
    "all": gettext_lazy("All, with archived"),
}


class AnnouncementListView(PolicyMixin, ListView):
    """The announcements addressed to me: pinned on top, then those waiting for my
    acknowledgement, then unread; tabs and a search box (htmx swaps the list)."""

    template_name = "collab/announcements/announcement_list.html"
    paginate_by = 20

    def show(self) -> str:
        value = self.request.GET.get("show", "current")
        return value if value in SHOW else "current"

    def get_queryset(self):
        query = (self.request.GET.get("q") or "").strip()[:100]
        return selectors.my_receipts(user=self.request.user, show=self.show(), query=query)

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["collab/announcements/partials/my_list.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            title=_("Announcements"),
            show=self.show(),
            tabs=SHOW.items(),
            query=(self.request.GET.get("q") or "").strip()[:100],
            to_ack=selectors.my_receipts(user=user, show="unacknowledged").count(),
            can_manage=policy.can(user, "view", Announcement),
            can_add=policy.can(user, "add", Announcement),
            total_count=context["paginator"].count,
        )
        return context


class AnnouncementManageView(ScopedListView):
    """The announcements I manage (HR/admin all, managers their subtree and their own;
    auditors read them), with audience and read/acknowledged rates."""

    model = Announcement
    table = ANNOUNCEMENT_TABLE
    filterset_class = AnnouncementFilterSet
    title = gettext_lazy("Manage announcements")
    export_stem = "announcements"
    create_url = "collab:announcement_create"
    empty_hint = gettext_lazy("Write an announcement for a team, a department or everyone.")

    def base_queryset(self, action="view"):
        return selectors.announcement_manage_list(user=self.request.user, action=action)


class AnnouncementDetailView(PolicyMixin, View):
    """Read an announcement: opening it marks it read; readers acknowledge here. Managers
    get its actions and statistics link."""

    def get(self, request, pk: int):
        announcement = selectors.announcement_get(user=request.user, pk=pk)
        receipt = services.announcement_read(actor=request.user, announcement=announcement)
        user = request.user
        manages = policy.can(user, "view", announcement)
        context = {
            "title": announcement.title,
            "object": announcement,
            "receipt": receipt,
            "updated_since_read": bool(
                receipt
                and announcement.content_updated_at
                and announcement.my_read_at
                and announcement.my_read_at < announcement.content_updated_at
            ),
            "can_change": manages
            and announcement.status != AnnouncementStatus.ARCHIVED
            and policy.can(user, "change", announcement),
            "can_publish": manages
            and announcement.status in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED)
            and policy.can(user, "publish", announcement),
            "can_archive": manages
            and announcement.status == AnnouncementStatus.PUBLISHED
            and policy.can(user, "archive", announcement),
            "can_delete": manages
            and announcement.status in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED)
            and policy.can(user, "delete", announcement),
            "can_stats": manages
            and announcement.status != AnnouncementStatus.DRAFT
            and policy.can(user, "stats", announcement),
            "units": list(announcement.units.all()),
            "positions": list(announcement.positions.all()),
        }
        return render(request, "collab/announcements/announcement_detail.html", context)


class AnnouncementCreateView(ServiceFormView):
    form_class = AnnouncementForm
    model = Announcement
    policy_action = "add"
    title = gettext_lazy("Write an announcement")
    template_name = "collab/announcements/announcement_form.html"
    success_message = gettext_lazy("Announcement saved.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {"importance": "normal"}

    def perform(self, form, obj):
        publish = self.request.POST.get("intent") == "publish"
        data = form.service_data()
        with transaction.atomic():
            announcement = services.announcement_create(actor=self.request.user, **data)
            if publish:
                services.announcement_publish(actor=self.request.user, announcement=announcement)
        if publish:
            self.success_message = _published_message(announcement)
        return announcement

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("collab:announcement_manage")
        return context


def _published_message(announcement: Announcement) -> str:
    if announcement.status == AnnouncementStatus.SCHEDULED:
        return _("Scheduled: it will be published at {when}.").format(
            when=announcement.publish_at.strftime("%Y-%m-%d %H:%M")
        )
    return _("Published to {count} people.").format(count=announcement.audience_size)


class AnnouncementEditView(ServiceFormView):
    form_class = AnnouncementForm
    model = Announcement
    title = gettext_lazy("Edit announcement")
    template_name = "collab/announcements/announcement_form.html"

    def form_kwargs(self, obj):
        return {"user": self.request.user, "announcement": obj}

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["units"] = list(obj.units.all())
        initial["positions"] = list(obj.positions.all())
        initial["requires_acknowledgement"] = "yes" if obj.requires_acknowledgement else "no"
        return initial

    def perform(self, form, obj):
        data = form.service_data()
        for name in ("units", "positions"):
            if name not in form.fields:
                data.pop(name, None)
        return services.announcement_update(
            actor=self.request.user,
            announcement=obj,
            reacknowledge=bool(form.cleaned_data.get("reacknowledge")),
            **data,
        )


class AnnouncementPublishView(ObjectPostView):
    model = Announcement
    permission = "publish"

    def perform(self, obj, data):
        announcement = services.announcement_publish(actor=self.request.user, announcement=obj)
        return _published_message(announcement)


class AnnouncementArchiveView(ObjectPostView):
    model = Announcement
    permission = "archive"

    def perform(self, obj, data):
        services.announcement_archive(actor=self.request.user, announcement=obj)
        return _("Archived: it has left people's lists; its statistics stay.")


class AnnouncementDeleteView(ObjectPostView):
    model = Announcement
    permission = "delete"

    def perform(self, obj, data):
        services.announcement_delete(actor=self.request.user, announcement=obj)
        return _("Announcement deleted.")

    def redirect_url(self, obj):
        return reverse("collab:announcement_manage")


class AnnouncementRemindView(ObjectPostView):
    model = Announcement
    permission = "remind"

    def perform(self, obj, data):
        count = services.announcement_remind(actor=self.request.user, announcement=obj)
        if count:
            return _("Reminded {count} people.").format(count=count)
        messages.info(
            self.request,
            _("Nobody to remind: everyone has acknowledged, or they were reminded today."),
        )
        return ""

    def redirect_url(self, obj):
        return reverse("collab:announcement_stats", args=[obj.pk])


class AnnouncementAcknowledgeView(PolicyMixin, View):
    """POST: "I have read and understood" on my own copy (htmx swaps the box)."""

    def post(self, request, pk: int):
        announcement = selectors.announcement_get(user=request.user, pk=pk)
        try:
            receipt = services.announcement_acknowledge(
                actor=request.user, announcement=announcement
            )
        except (NotVisible, PolicyDenied):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
            return redirect(announcement.get_absolute_url())
        if getattr(request, "htmx", False):
            return render(
                request,
                "collab/announcements/partials/ack_box.html",
                {"object": announcement, "receipt": receipt},
            )
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
        return redirect(announcement.get_absolute_url())


class AnnouncementStatsView(PolicyMixin, View):
    """Audience, read and acknowledged rates, per-team chart, who has not acknowledged (names
    for HR, administrators and managers within their subtree); ``?export=xlsx|csv`` downloads
    the receipts the user may name."""

    def get(self, request, pk: int):
        announcement = policy.scoped_get(
            Announcement.objects.select_related("unit", "author"), request.user, "stats", pk=pk
        )
        file_format = request.GET.get("export")
        if file_format in {"xlsx", "csv"}:
            return self.export(announcement, file_format)
        stats = selectors.announcement_stats(user=request.user, announcement=announcement)
        key = "ack_rate" if announcement.requires_acknowledgement else "read_rate"
        teams = stats["teams"][:40]
        chart = (
            {
                "tooltip": {"trigger": "axis"},
                "legend": {"data": [str(_("Read %")), str(_("Acknowledged %"))]},
                "grid": {"left": 8, "right": 8, "containLabel": True},
                "xAxis": {"type": "category", "data": [str(team["name"]) for team in teams]},
                "yAxis": {"type": "value", "max": 100},
                "series": [
                    {
                        "name": str(_("Read %")),
                        "type": "bar",
                        "data": [team["read_rate"] or 0 for team in teams],
                    },
                    *(
                        [
                            {
                                "name": str(_("Acknowledged %")),
                                "type": "bar",
                                "data": [team["ack_rate"] or 0 for team in teams],
                            }
                        ]
                        if announcement.requires_acknowledgement
                        else []
                    ),
                ],
            }
            if teams
            else None
        )
        context = {
            "title": _("Statistics: {title}").format(title=announcement.title),
            "object": announcement,
            "stats": stats,
            "rate_key": key,
            "chart": chart,
            "pending": [
                {"name": selectors.reader_name(receipt), "receipt": receipt}
                for receipt in stats["pending"]
            ],
            "can_remind": announcement.status == AnnouncementStatus.PUBLISHED
            and announcement.requires_acknowledgement
            and policy.can(request.user, "remind", announcement),
            "can_export": stats["can_name"],
        }
        return render(request, "collab/announcements/announcement_stats.html", context)

    def export(self, announcement: Announcement, file_format: str) -> HttpResponse:
        policy.require(self.request.user, "export", announcement)
        policy.require(self.request.user, "export", AnnouncementReceipt)
        receipts = selectors.receipts_for_export(user=self.request.user, announcement=announcement)
        header = [str(column.label) for column in RECEIPT_TABLE.export_columns()]
        rows = RECEIPT_TABLE.rows(receipts.iterator(chunk_size=2000))
        return exports.spreadsheet_response(
            stem=f"announcement-{announcement.pk}-receipts",
            file_format=file_format,
            header=header,
            rows=rows,
        )


class AnnouncementAudienceView(PolicyMixin, View):
    """GET (htmx): how many people the audience chosen in the form reaches now."""

    def get(self, request):
        policy.require(request.user, "add", Announcement)
        form = AnnouncementForm(request.GET, user=request.user)
        form.is_valid()
        data: dict[str, Any] = getattr(form, "cleaned_data", {})
        everyone = bool(data.get("everyone")) if "everyone" in form.fields else False
        count = services.audience_count(
            everyone=everyone, units=data.get("units") or [], positions=data.get("positions") or []
        )
        return render(
            request,
            "collab/announcements/partials/audience.html",
            {
                "count": count,
                "chosen": everyone or bool(data.get("units") or data.get("positions")),
            },
        )
