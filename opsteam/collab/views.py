"""The notification inbox: the user's messages, newest first; open one, mark one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from opsteam.collab import selectors, services
from opsteam.collab.models import Notification
from opsteam.core import policy
from opsteam.core.views import PolicyMixin, safe_next


class InboxView(PolicyMixin, ListView):
    """``?unread=1`` shows only unread ones; 25 a page."""

    template_name = "collab/inbox.html"
    paginate_by = 25

    def get_queryset(self):
        unread_only = self.request.GET.get("unread") == "1"
        return selectors.inbox(user=self.request.user, unread_only=unread_only)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Notifications"),
            unread_only=self.request.GET.get("unread") == "1",
            unread_total=selectors.unread_count(user=self.request.user),
            total_count=context["paginator"].count,
        )
        return context


class NotificationReadView(PolicyMixin, View):
    """POST: mark one notification read; with ``open=1`` go on to its link."""

    def post(self, request, pk: int):
        notification = policy.scoped_get(Notification.objects.all(), request.user, "change", pk=pk)
        services.notification_mark_read(actor=request.user, notification=notification)
        target = safe_next(request, notification.url) if request.POST.get("open") else None
        return redirect(target or "collab:inbox")


class NotificationReadAllView(PolicyMixin, View):
    """POST: mark every notification of the user read."""

    def post(self, request):
        count = services.notification_mark_read(actor=request.user)
        if count:
            messages.success(
                request,
                _("{count} notifications marked as read.").format(count=count),
            )
        return redirect("collab:inbox")
