"""Incentives API: bonus policies, bonus pools (allocate, what-if, submit, decide, payroll
export), bonus lines and the reward ledger.

Reads are scoped by the policy and, for bonus lines, by ``selectors_pools.line_list`` (a person's
own line once the pool is decided); every read of lines by someone other than HR is audited.
Writes go through ``incentives.services`` with explicitly declared input fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core import exports, policy
from opsteam.core.api.schema import ERROR_RESPONSE, SPREADSHEET_RESPONSES
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.incentives import selectors_pools as selectors
from opsteam.incentives import services
from opsteam.incentives.choices import PoolStatus, RewardKind
from opsteam.incentives.forms_pools import (
    GRADE_MAX_LENGTH,
    LineFilterSet,
    PolicyFilterSet,
    PoolFilterSet,
    RewardFilterSet,
)
from opsteam.incentives.models import BonusLine, BonusPolicy, BonusPool, RewardEntry
from opsteam.org.models import OrgUnit, Staff
from opsteam.performance.models import ReviewCycle

MONEY = {"max_digits": 14, "decimal_places": 2}


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


# Bonus policies -------------------------------------------------------------------------------


class BonusPolicySerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    multipliers = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="Grade -> multiplier."
    )

    class Meta:
        model = BonusPolicy
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "multipliers",
            "base_months",
            "use_kpi_factor",
            "kpi_factor_min",
            "kpi_factor_max",
            "cap_multiple",
            "cap_amount",
            "floor_amount",
            "rounding_unit",
            "is_active",
        ]
        read_only_fields = fields


class BonusPolicyInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    multipliers = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=3, min_value=Decimal(0)),
        allow_empty=False,
        help_text='Grade -> multiplier, e.g. {"S": "2", "A": "1.5"}.',
    )
    base_months = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), required=False
    )
    use_kpi_factor = serializers.BooleanField(required=False)
    kpi_factor_min = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal(0), required=False
    )
    kpi_factor_max = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal(0), required=False
    )
    cap_multiple = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    cap_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    floor_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    rounding_unit = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    is_active = serializers.BooleanField(required=False)

    def validate_multipliers(self, value: dict[str, Decimal]) -> dict[str, str]:
        for grade in value:
            if not grade.strip() or len(grade) > GRADE_MAX_LENGTH:
                raise serializers.ValidationError(
                    _("A grade is 1 to {length} characters: “{grade}”.").format(
                        length=GRADE_MAX_LENGTH, grade=grade
                    )
                )
        return {grade.strip(): str(multiplier) for grade, multiplier in value.items()}


class BonusPolicyViewSet(ScopedModelViewSet):
    """Bonus policies: everyone reads them (transparency), HR and administrators write them."""

    queryset = BonusPolicy.objects.all()
    serializer_class = BonusPolicySerializer
    filterset_class = PolicyFilterSet
    ordering = ["code"]
    ordering_fields = ["code", "name"]

    @extend_schema(request=BonusPolicyInputSerializer, responses={201: BonusPolicySerializer})
    def create(self, request: Request) -> Response:
        row = services.policy_save(
            actor=request.user, **_valid(BonusPolicyInputSerializer, request)
        )
        return Response(BonusPolicySerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BonusPolicyInputSerializer, responses=BonusPolicySerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        row = self.get_object()
        data = _valid(BonusPolicyInputSerializer, request, partial=True)
        row = services.policy_save(actor=request.user, policy_row=row, **data)
        return Response(BonusPolicySerializer(row).data)


# Pools ----------------------------------------------------------------------------------------


class BonusPoolSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    policy_code = serializers.CharField(source="policy.code", read_only=True)
    status = serializers.ChoiceField(choices=PoolStatus.choices, read_only=True)

    class Meta:
        model = BonusPool
        fields = [
            "id",
            "name",
            "cycle",
            "unit",
            "unit_code",
            "policy",
            "policy_code",
            "budget",
            "currency",
            "status",
            "allocated",
            "unallocated",
            "allocated_at",
            "submitted_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BonusPoolInputSerializer(serializers.Serializer):
    cycle = serializers.PrimaryKeyRelatedField(queryset=ReviewCycle.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    policy = serializers.PrimaryKeyRelatedField(queryset=BonusPolicy.objects.all())
    budget = serializers.DecimalField(**MONEY, min_value=Decimal(0))
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)


class PoolSimulateInputSerializer(serializers.Serializer):
    """What-if inputs; every field is optional and keeps the pool's value when left out."""

    budget = serializers.DecimalField(**MONEY, min_value=Decimal(0), required=False)
    policy = serializers.PrimaryKeyRelatedField(
        queryset=BonusPolicy.objects.all(),
        required=False,
        help_text="Another policy to start from.",
    )
    multipliers = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=3, min_value=Decimal(0)),
        required=False,
        help_text="Grade -> multiplier overrides.",
    )
    use_kpi_factor = serializers.BooleanField(required=False)
    cap_multiple = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), required=False
    )
    cap_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    floor_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    rounding_unit = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.01"), required=False
    )


class PoolSimulatedLineSerializer(serializers.Serializer):
    staff = serializers.IntegerField()
    employee_no = serializers.CharField()
    grade = serializers.CharField()
    unit = serializers.IntegerField()
    current_amount = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    difference = serializers.DecimalField(**MONEY)
    weight = serializers.CharField()
    capped = serializers.BooleanField()
    floored = serializers.BooleanField()


class PoolGroupTotalSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    people = serializers.IntegerField()
    current_amount = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    difference = serializers.DecimalField(**MONEY)


class PoolSimulationSerializer(serializers.Serializer):
    budget = serializers.DecimalField(**MONEY)
    allocated = serializers.DecimalField(**MONEY)
    unallocated = serializers.DecimalField(**MONEY)
    current_allocated = serializers.DecimalField(**MONEY)
    lines = PoolSimulatedLineSerializer(many=True)
    by_grade = PoolGroupTotalSerializer(many=True)
    by_unit = PoolGroupTotalSerializer(many=True)


class PoolDecideInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PoolAllocationResultSerializer(serializers.Serializer):
    pool = BonusPoolSerializer()
    people = serializers.IntegerField()


def _groups(groups: list[selectors.GroupTotal]) -> list[dict[str, Any]]:
    return [
        {
            "key": str(group.key),
            "label": group.label,
            "people": group.people,
            "current_amount": group.amount,
            "amount": group.other,
            "difference": group.difference,
        }
        for group in groups
    ]


class BonusPoolViewSet(ScopedModelViewSet):
    """Bonus pools: HR runs them (create, allocate, what-if, submit, approve, export);
    managers read their subtree's, auditors all."""

    queryset = BonusPool.objects.select_related("unit", "policy")
    serializer_class = BonusPoolSerializer
    filterset_class = PoolFilterSet
    ordering = ["-cycle__period_end", "unit__path", "id"]
    ordering_fields = ["name", "budget", "status"]
    policy_actions = {
        "allocate": "change",
        "simulate": "change",
        "submit": "change",
        "decide": "approve",
        "export": "export",
    }

    def _out(self, pool: BonusPool, code: int = status.HTTP_200_OK) -> Response:
        return Response(BonusPoolSerializer(self.get_queryset().get(pk=pool.pk)).data, status=code)

    @extend_schema(request=BonusPoolInputSerializer, responses={201: BonusPoolSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(BonusPoolInputSerializer, request)
        data["policy_row"] = data.pop("policy")
        if "currency" in data:
            data["currency"] = data["currency"].upper()
        pool = services.pool_create(actor=request.user, **data)
        return self._out(pool, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PoolAllocationResultSerializer)
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        """Split the budget among the cycle's graded people of the unit (replaces the lines)."""
        pool = self.get_object()
        allocation = services.pool_allocate(actor=request.user, pool=pool)
        return Response(
            {
                "pool": BonusPoolSerializer(self.get_queryset().get(pk=pool.pk)).data,
                "people": len(allocation.lines),
            }
        )

    @extend_schema(request=PoolSimulateInputSerializer, responses=PoolSimulationSerializer)
    @action(detail=True, methods=["post"])
    def simulate(self, request: Request, pk: str | None = None) -> Response:
        """What-if: another budget, policy, multipliers, cap or floor; writes nothing."""
        pool = self.get_object()
        data = _valid(PoolSimulateInputSerializer, request)
        base = data.pop("policy", None) or pool.policy
        budget = data.pop("budget", None)
        row = selectors.what_if_policy(base, data)
        current = services.pool_simulate(pool, policies={"current": pool.policy})["current"]
        what_if = services.pool_simulate(pool, budget=budget, policies={"what_if": row})["what_if"]
        comparison = selectors.compare_allocations(
            current=current,
            what_if=what_if,
            people=selectors.pool_people(pool=pool),
            multipliers=row.multipliers,
        )
        return Response(
            PoolSimulationSerializer(
                {
                    "budget": what_if.budget,
                    "allocated": what_if.allocated,
                    "unallocated": what_if.unallocated,
                    "current_allocated": current.allocated,
                    "lines": [
                        {
                            "staff": line.person.staff_id,
                            "employee_no": line.person.employee_no,
                            "grade": line.person.grade,
                            "unit": line.person.unit_id,
                            "current_amount": line.current,
                            "amount": line.what_if,
                            "difference": line.difference,
                            "weight": str(line.what_if_line.weight if line.what_if_line else 0),
                            "capped": bool(line.what_if_line and line.what_if_line.capped),
                            "floored": bool(line.what_if_line and line.what_if_line.floored),
                        }
                        for line in sorted(comparison.lines, key=lambda x: x.person.employee_no)
                    ],
                    "by_grade": _groups(comparison.by_grade),
                    "by_unit": _groups(comparison.by_unit),
                }
            ).data
        )

    @extend_schema(request=None, responses=BonusPoolSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit an allocated pool for approval (409 if not allocated or already submitted)."""
        return self._out(services.pool_submit(actor=request.user, pool=self.get_object()))

    @extend_schema(request=PoolDecideInputSerializer, responses=BonusPoolSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Approve (someone other than the submitter: 409 otherwise) or send back with a note."""
        pool = self.get_object()
        data = _valid(PoolDecideInputSerializer, request)
        return self._out(services.pool_decide(actor=request.user, pool=pool, **data))

    @extend_schema(
        parameters=[OpenApiParameter("file_format", str, enum=["csv", "xlsx"], default="csv")],
        # 409: the pool is not approved yet (a GET, so the schema does not add it by itself).
        responses={**SPREADSHEET_RESPONSES, 409: ERROR_RESPONSE},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None):
        """The payroll file of an approved pool; the first export marks the pool exported."""
        pool = self.get_object()
        file_format = "xlsx" if request.query_params.get("file_format") == "xlsx" else "csv"
        rows = services.pool_export(actor=request.user, pool=pool)
        selectors.bonus_lines_read(
            user=request.user,
            lines=selectors.line_list(user=request.user, action="export").filter(pool=pool),
        )
        return exports.spreadsheet_response(
            stem=f"payroll-{pool.unit.code}-{pool.pk}",
            file_format=file_format,
            header=services.PAYROLL_HEADER,
            rows=rows,
        )


# Lines ----------------------------------------------------------------------------------------


class BonusLineSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    explanation = serializers.DictField(
        read_only=True, help_text="The factors behind the amount (base, multiplier, ...)."
    )

    class Meta:
        model = BonusLine
        fields = [
            "id",
            "pool",
            "staff",
            "employee_no",
            "staff_name",
            "unit",
            "grade",
            "base",
            "kpi_factor",
            "days",
            "period_days",
            "weight",
            "amount",
            "capped",
            "floored",
            "explanation",
        ]
        read_only_fields = fields


class BonusLineViewSet(ScopedModelViewSet):
    """Bonus lines: HR and auditors all, managers their subtree's, each person their own once
    the pool is approved. Every read by someone other than HR is audited."""

    queryset = BonusLine.objects.all()
    serializer_class = BonusLineSerializer
    filterset_class = LineFilterSet
    ordering = ["pool", "staff__employee_no", "id"]
    ordering_fields = ["amount", "grade"]

    def get_queryset(self):
        return selectors.line_list(user=self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        lines = selectors.bonus_lines_read(user=request.user, lines=page)
        return self.get_paginated_response(BonusLineSerializer(lines, many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        line = self.get_object()
        selectors.bonus_lines_read(user=request.user, lines=[line])
        return Response(BonusLineSerializer(line).data)


# The reward ledger ----------------------------------------------------------------------------


class RewardEntrySerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    kind = serializers.ChoiceField(choices=RewardKind.choices, read_only=True)

    class Meta:
        model = RewardEntry
        fields = [
            "id",
            "staff",
            "employee_no",
            "staff_name",
            "kind",
            "title",
            "amount",
            "currency",
            "points",
            "granted_on",
            "granted_by",
            "source",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class RewardGrantInputSerializer(serializers.Serializer):
    staff = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in services.NON_CASH_KINDS]
    )
    title = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^([A-Za-z]{3})?$", required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    granted_on = serializers.DateField(required=False, allow_null=True)


class RewardEntryViewSet(ScopedModelViewSet):
    """The reward ledger: each person's bonuses, promotions, places, budgets and points.
    ``POST`` records a non-cash reward (HR anyone, managers their subtree)."""

    queryset = RewardEntry.objects.select_related("staff")
    serializer_class = RewardEntrySerializer
    filterset_class = RewardFilterSet
    ordering = ["-granted_on", "-id"]
    ordering_fields = ["granted_on", "amount", "points"]

    @extend_schema(request=RewardGrantInputSerializer, responses={201: RewardEntrySerializer})
    def create(self, request: Request) -> Response:
        data = _valid(RewardGrantInputSerializer, request)
        staff = policy.scoped_get(
            Staff.objects.select_related("unit"), request.user, pk=data.pop("staff")
        )
        if data.get("currency"):
            data["currency"] = data["currency"].upper()
        entry = services.reward_grant(actor=request.user, staff=staff, **data)
        return Response(
            RewardEntrySerializer(self.get_queryset().get(pk=entry.pk)).data,
            status=status.HTTP_201_CREATED,
        )


paths: list = []


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the incentives router."""
    router.register("policies", BonusPolicyViewSet, basename="incentives-policy")
    router.register("pools", BonusPoolViewSet, basename="incentives-pool")
    router.register("lines", BonusLineViewSet, basename="incentives-line")
    router.register("rewards", RewardEntryViewSet, basename="incentives-reward")
