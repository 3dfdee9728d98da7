"""Workflow API, automation rules: rules (CRUD, validated; ``run`` for time rules,
``dry-run`` against an item) and their run log.

Reads are scoped by the policy (process owners and readers); writes go through
``workflow.services_rules``. An invalid definition answers 400 with one error per problem,
``attr`` naming it: ``conditions.0.op``, ``actions.1.to``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from opsteam.org.models import Process
from opsteam.workflow import automation, selectors_rules, services_rules
from opsteam.workflow.choices import Trigger
from opsteam.workflow.forms_rules import RuleFilterSet, RuleRunFilterSet
from opsteam.workflow.models import AutomationRule, RuleRun, WorkItem

CONDITIONS_SCHEMA = {
    "type": "array",
    "maxItems": automation.MAX_CONDITIONS,
    "items": {
        "type": "object",
        "properties": {
            "field": {"type": "string", "enum": list(automation.CONDITION_FIELDS)},
            "op": {"type": "string", "enum": list(automation.OPS)},
            "value": {},
        },
        "required": ["field", "value"],
    },
    "description": "All must hold. Ops per field: "
    + "; ".join(f"{f}: {', '.join(ops)}" for f, ops in automation.CONDITION_OPS.items()),
}
ACTIONS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": automation.MAX_ACTIONS,
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": list(automation.ACTION_TYPES)},
            "to": {},
            "step": {"type": "string"},
            "priority": {"type": "string"},
            "message": {"type": "string"},
            "title": {"type": "string"},
            "assignee": {"type": "string"},
        },
        "required": ["type"],
    },
    "description": "assign {to: employee_no | least_loaded | step_owner}; move {step};"
    " set_priority {priority}; notify {to: assignee | reporter | team_managers |"
    " step_owner_position | staff:<employee_no> (or a list), message}; escalate {message};"
    " create_follow_up {title, step, assignee}. Messages and titles may use "
    + ", ".join("{" + name + "}" for name in automation.PLACEHOLDERS)
    + ".",
}


@extend_schema_field(CONDITIONS_SCHEMA)
class ConditionsField(serializers.JSONField):
    pass


@extend_schema_field(ACTIONS_SCHEMA)
class ActionsField(serializers.JSONField):
    pass


@extend_schema_field({"type": "array", "items": {"type": "object", "additionalProperties": True}})
class OutcomeField(serializers.JSONField):
    pass


class AutomationRuleSerializer(serializers.ModelSerializer):
    conditions = ConditionsField(read_only=True)
    actions = ActionsField(read_only=True)
    run_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = AutomationRule
        fields = [
            "id",
            "process",
            "name",
            "description",
            "trigger",
            "step_code",
            "conditions",
            "actions",
            "enabled",
            "last_run_at",
            "run_count",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AutomationRuleInputSerializer(serializers.Serializer):
    process = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, required=False, default=None
    )
    name = serializers.CharField(max_length=160)
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    step_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    conditions = ConditionsField(required=False, default=list)
    actions = ActionsField()
    enabled = serializers.BooleanField(required=False, default=True)

    def validate_process(self, value: int | None) -> Process | None:
        if value is None:
            return None
        process = Process.objects.select_related("owner_unit").filter(pk=value).first()
        if process is None:
            raise serializers.ValidationError(_("Unknown process."))
        return process


class DryRunInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Work item id.")


class ConditionResultSerializer(serializers.Serializer):
    condition = serializers.JSONField()
    held = serializers.BooleanField()
    actual = serializers.JSONField(allow_null=True)


class DryRunSerializer(serializers.Serializer):
    matched = serializers.BooleanField()
    already_fired = serializers.BooleanField()
    conditions = ConditionResultSerializer(many=True)
    actions = OutcomeField()
    error = serializers.CharField(allow_blank=True)


class ScanReportSerializer(serializers.Serializer):
    rules = serializers.IntegerField()
    evaluated = serializers.IntegerField()
    matched = serializers.IntegerField()
    failed = serializers.IntegerField()
    run_ids = serializers.ListField(child=serializers.IntegerField())


class RuleRunSerializer(serializers.ModelSerializer):
    outcome = OutcomeField(read_only=True)
    item_reference = serializers.CharField(
        source="item.reference", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = RuleRun
        fields = [
            "id",
            "rule",
            "item",
            "item_reference",
            "ran_at",
            "trigger",
            "matched",
            "outcome",
            "error",
        ]
        read_only_fields = fields


def _problems_as_errors(exc: automation.RuleInvalid) -> ValidationError:
    detail: dict[str, Any] = {}
    for problem in exc.problems:
        if problem.index is None:
            detail.setdefault(problem.part, []).append(problem.message)
        else:
            rows = detail.setdefault(problem.part, {})
            if isinstance(rows, list):
                rows = detail[problem.part] = {"non_field_errors": rows}
            rows.setdefault(str(problem.index), {}).setdefault(
                problem.key or "non_field_errors", []
            ).append(problem.message)
    return ValidationError(detail)


class AutomationRuleViewSet(ScopedModelViewSet):
    """Automation rules of the processes the user reads; process owners (HR, administrators,
    the owning unit's managers) create, change and delete them. ``run`` runs a time rule now;
    ``dry-run`` shows what the rule would do to an item without writing anything."""

    queryset = AutomationRule.objects.all()
    serializer_class = AutomationRuleSerializer
    filterset_class = RuleFilterSet
    ordering_fields = ["name", "last_run_at", "created_at"]
    ordering = ["name", "id"]
    policy_actions = {"run": "run", "dry_run": "view", "runs": "view"}

    def get_queryset(self):
        return selectors_rules.rule_list(user=self.request.user)

    def _out(self, rule: AutomationRule, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            AutomationRuleSerializer(self.get_queryset().get(pk=rule.pk)).data, status=code
        )

    @extend_schema(request=AutomationRuleInputSerializer, responses={201: AutomationRuleSerializer})
    def create(self, request: Request) -> Response:
        data = AutomationRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rule = services_rules.rule_create(actor=request.user, **data.validated_data)
        except automation.RuleInvalid as exc:
            raise _problems_as_errors(exc) from exc
        return self._out(rule, status.HTTP_201_CREATED)

    def _update(self, request: Request, *, partial: bool) -> Response:
        rule = self.get_object()
        data = AutomationRuleInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = {
            key: value
            for key, value in data.validated_data.items()
            if not partial or key in request.data
        }
        try:
            if "enabled" in changes:
                services_rules.rule_set_enabled(
                    actor=request.user, rule=rule, enabled=changes.pop("enabled")
                )
            if changes:
                services_rules.rule_update(actor=request.user, rule=rule, **changes)
        except automation.RuleInvalid as exc:
            raise _problems_as_errors(exc) from exc
        return self._out(rule)

    @extend_schema(request=AutomationRuleInputSerializer, responses=AutomationRuleSerializer)
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=AutomationRuleInputSerializer, responses=AutomationRuleSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services_rules.rule_delete(actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ScanReportSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str | None = None) -> Response:
        """Run a time rule now (409 for an event rule); items it already acted on during
        their current step visit (or today / this week) are skipped."""
        report = services_rules.rule_run_now(actor=request.user, rule=self.get_object())
        return Response(ScanReportSerializer(report).data)

    @extend_schema(request=DryRunInputSerializer, responses=DryRunSerializer)
    @action(detail=True, methods=["post"], url_path="dry-run")
    def dry_run(self, request: Request, pk: str | None = None) -> Response:
        """What the rule would do to the item now; writes nothing."""
        rule = self.get_object()
        data = DryRunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = policy.scoped_get(
            WorkItem.objects.select_related(*services_rules.ITEM_RELATED),
            request.user,
            pk=data.validated_data["item"],
        )
        result = services_rules.rule_dry_run(actor=request.user, rule=rule, item=item)
        return Response(DryRunSerializer(result).data)

    @extend_schema(request=None, responses=RuleRunSerializer(many=True))
    @action(detail=True, methods=["get"])
    def runs(self, request: Request, pk: str | None = None) -> Response:
        """The rule's run log, newest first (paginated)."""
        rule = self.get_object()
        page = self.paginate_queryset(selectors_rules.rule_runs(user=request.user, rule=rule))
        return self.get_paginated_response(RuleRunSerializer(page, many=True).data)


class RuleRunViewSet(ScopedReadOnlyViewSet):
    """Every run of the rules the user reads: what each did, and its error if it failed."""

    queryset = RuleRun.objects.select_related("item")
    serializer_class = RuleRunSerializer
    filterset_class = RuleRunFilterSet
    ordering = ["-ran_at", "-id"]


paths: list = []


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the workflow router."""
    router.register("rules", AutomationRuleViewSet, basename="workflow-rule")
    router.register("rule-runs", RuleRunViewSet, basename="workflow-rule-run")
