"""API base classes: every viewset restricts its queryset through the policy."""

from __future__ import annotations

from typing import ClassVar

from rest_framework import mixins, viewsets

from opsteam.core import policy

DEFAULT_POLICY_ACTIONS = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class ScopedViewSetMixin:
    """Scope reads to what the user may view; check the action's permission on writes.

    Objects outside the view scope answer 404; visible objects the user may not change
    answer 403. ``policy_actions`` maps extra ``@action`` names to policy actions.
    """

    policy_actions: ClassVar[dict[str, str]] = {}

    def policy_action(self) -> str:
        return self.policy_actions.get(self.action, DEFAULT_POLICY_ACTIONS.get(self.action, "view"))

    def get_queryset(self):
        queryset = super().get_queryset()
        return policy.restrict(queryset, self.request.user, self.list_policy_action())

    def list_policy_action(self) -> str:
        return "view"

    def get_object(self):
        obj = super().get_object()
        policy.require(self.request.user, self.policy_action(), obj)
        return obj

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "list":
            # A role without any view right gets 403, not an empty page that looks like data.
            policy.require(request.user, self.list_policy_action(), self.queryset.model)
        if self.action == "create" or (self.action in self.policy_actions and not self.detail):
            policy.require(request.user, self.policy_action(), self.queryset.model)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, scoped by the policy."""


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Scoped reads; subclasses add create/update/destroy that call services."""
