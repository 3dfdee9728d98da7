"""Notification preferences, IM channels and the delivery log (pages under /collab/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.collab import kinds, selectors, services
from opsteam.collab.choices import DeliveryStatus
from opsteam.collab.filters import ChannelFilterSet, DeliveryFilterSet
from opsteam.collab.forms import ChannelForm, PreferencesForm
from opsteam.collab.models import Delivery, ImChannel, NotificationSettings
from opsteam.collab.tables import CHANNEL_TABLE, DELIVERY_TABLE
from opsteam.core import policy
from opsteam.core.exceptions import OpsTeamError
from opsteam.core.views import (
    ObjectPostView,
    PolicyMixin,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
    safe_next,
)


class PreferencesView(PolicyMixin, View):
    """Each person's own choices: e-mail and IM per kind, quiet hours, digest hour."""

    template_name = "collab/preferences.html"

    def initial(self) -> dict[str, Any]:
        user = self.request.user
        stored = NotificationSettings.objects.filter(user=user).first()
        initial: dict[str, Any] = {
            "quiet_start": stored.quiet_start if stored else None,
            "quiet_end": stored.quiet_end if stored else None,
            "digest_hour": stored.digest_hour if stored else 9,
        }
        for row in services.preferences_of(user):
            initial[f"email_{row['kind']}"] = row["email"]
            initial[f"im_{row['kind']}"] = row["im"]
        return initial

    def render_page(self, form: PreferencesForm, status: int = 200):
        context = {"title": _("Notification preferences"), "form": form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(PreferencesForm(initial=self.initial()))

    def post(self, request):
        form = PreferencesForm(request.POST, initial=self.initial())
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            services.preferences_save(
                actor=request.user,
                choices=form.choices(),
                quiet_start=form.cleaned_data["quiet_start"],
                quiet_end=form.cleaned_data["quiet_end"],
                digest_hour=form.cleaned_data["digest_hour"],
            )
        except OpsTeamError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_page(form, status=400)
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("collab:preferences")


class ChannelListView(ScopedListView):
    model = ImChannel
    table = CHANNEL_TABLE
    filterset_class = ChannelFilterSet
    title = gettext_lazy("IM channels")
    export_stem = "im-channels"
    empty_hint = gettext_lazy(
        "Connect a DingTalk, Feishu, WeCom or Slack group robot so the team sees its alerts."
    )

    create_url = "collab:channel_create"

    def base_queryset(self, action="view"):
        return selectors.channel_list(user=self.request.user, action=action)


class ChannelDetailView(ScopedDetailView):
    model = ImChannel
    template_name = "collab/channel_detail.html"

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        channel = self.object
        user = self.request.user
        context.update(
            title=channel.name,
            deliveries=selectors.delivery_list(user=user).filter(channel=channel)[:20],
            can_delete=policy.can(user, "delete", channel),
            can_retry=policy.can(user, "retry", Delivery),
            kind_labels=[kinds.label_of(slug) for slug in channel.kinds],
        )
        return context


class ChannelCreateView(ServiceFormView):
    form_class = ChannelForm
    model = ImChannel
    policy_action = "add"
    title = gettext_lazy("Connect an IM channel")
    success_message = gettext_lazy("Channel saved. Send a test message to check it.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {"include_subunits": True, "enabled": True}

    def perform(self, form, obj):
        return services.channel_create(actor=self.request.user, **form.channel_data())

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("collab:channel_list")
        return context


class ChannelEditView(ServiceFormView):
    form_class = ChannelForm
    model = ImChannel
    title = gettext_lazy("Edit IM channel")

    def form_kwargs(self, obj):
        return {"user": self.request.user, "editing": True}

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["secret"] = ""
        return initial

    def perform(self, form, obj):
        return services.channel_update(actor=self.request.user, channel=obj, **form.channel_data())


class ChannelTestView(ObjectPostView):
    model = ImChannel
    permission = "change"

    def perform(self, obj, data):
        delivery = services.channel_test(actor=self.request.user, channel=obj)
        if delivery.status == DeliveryStatus.SENT:
            return _("The test message arrived.")
        messages.error(
            self.request,
            _("The test message did not arrive: {error}").format(error=delivery.last_error),
        )
        return ""


class ChannelDeleteView(ObjectPostView):
    model = ImChannel
    permission = "delete"

    def perform(self, obj, data):
        services.channel_delete(actor=self.request.user, channel=obj)
        return _("Channel removed.")

    def redirect_url(self, obj):
        return reverse("collab:channel_list")


class DeliveryListView(ScopedListView):
    model = Delivery
    table = DELIVERY_TABLE
    filterset_class = DeliveryFilterSet
    title = gettext_lazy("Delivery log")
    export_stem = "deliveries"
    partial_template_name = "collab/partials/delivery_table.html"
    empty_hint = gettext_lazy("E-mails and IM messages sent for notifications are logged here.")

    def base_queryset(self, action="view"):
        return selectors.delivery_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_retry"] = policy.can(self.request.user, "retry", Delivery)
        return context


class DeliveryRetryView(ObjectPostView):
    model = Delivery
    permission = "retry"

    def perform(self, obj, data):
        services.delivery_retry(actor=self.request.user, delivery=obj)
        return _("The delivery will be tried again now.")

    def redirect_url(self, obj):
        return safe_next(self.request, self.request.POST.get("next")) or reverse(
            "collab:delivery_list"
        )
