"""KPI API: read-only output serializers plus input serializers that feed services.

Input serializers list every writable field explicitly (no mass assignment): a client cannot
set ``source``, ``batch``, ``entered_by``, ``status`` or ``version`` through them.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from opsteam.org.models import JobLevel, Position, Staff
from opsteam.performance.choices import (
    KpiAggregation,
    KpiCategory,
    KpiDirection,
    MissingRule,
    ScoringRule,
)
from opsteam.performance.models import Kpi, KpiTemplate, KpiTemplateItem, Measurement

VALUE = {"max_digits": 18, "decimal_places": 6}


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kpi
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "definition",
            "definition_en",
            "category",
            "unit",
            "direction",
            "aggregation",
            "rule",
            "threshold",
            "target",
            "stretch",
            "stretch_score",
            "cap",
            "per_unit",
            "bands",
            "missing_rule",
            "is_veto",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BandSerializer(serializers.ListField):
    """One [from value, score] pair."""

    child = serializers.FloatField()

    def __init__(self, **kwargs):
        super().__init__(min_length=2, max_length=2, **kwargs)


class KpiInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=160)
    name_en = serializers.CharField(max_length=160, required=False, allow_blank=True)
    definition = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    definition_en = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.ChoiceField(choices=KpiCategory.choices)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=KpiDirection.choices, required=False)
    aggregation = serializers.ChoiceField(choices=KpiAggregation.choices, required=False)
    rule = serializers.ChoiceField(choices=ScoringRule.choices, required=False)
    threshold = serializers.DecimalField(**VALUE, required=False, allow_null=True)
    target = serializers.DecimalField(**VALUE)
    stretch = serializers.DecimalField(**VALUE, required=False, allow_null=True)
    stretch_score = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    cap = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        required=False,
    )
    per_unit = serializers.DecimalField(max_digits=10, decimal_places=4, required=False)
    bands = serializers.ListField(child=BandSerializer(), max_length=50, required=False)
    missing_rule = serializers.ChoiceField(choices=MissingRule.choices, required=False)
    is_veto = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class KpiTemplateItemSerializer(serializers.ModelSerializer):
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)

    class Meta:
        model = KpiTemplateItem
        fields = ["kpi", "kpi_code", "weight", "target", "order"]
        read_only_fields = fields


class KpiTemplateSerializer(serializers.ModelSerializer):
    position_code = serializers.CharField(source="position.code", read_only=True)
    level_code = serializers.CharField(source="level.code", read_only=True, allow_null=True)
    items = KpiTemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = KpiTemplate
        fields = [
            "id",
            "position",
            "position_code",
            "level",
            "level_code",
            "version",
            "status",
            "note",
            "items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class KpiTemplateItemInputSerializer(serializers.Serializer):
    kpi = serializers.PrimaryKeyRelatedField(queryset=Kpi.objects.all())
    weight = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100")
    )
    target = serializers.DecimalField(**VALUE, required=False, allow_null=True)


def _check_items(items: list[dict]) -> list[dict]:
    seen = set()
    for item in items:
        if item["kpi"].pk in seen:
            raise serializers.ValidationError(
                _("{kpi} is listed twice.").format(kpi=item["kpi"].code)
            )
        seen.add(item["kpi"].pk)
    total = sum((item["weight"] for item in items), Decimal("0"))
    if total != Decimal("100"):
        raise serializers.ValidationError(
            _("The weights add up to {total}%; they must add up to exactly 100%.").format(
                total=format(total.normalize(), "f")
            )
        )
    return items


class KpiTemplateInputSerializer(serializers.Serializer):
    """A position's (and level's) KPIs and weights; saved as the open draft version."""

    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    level = serializers.PrimaryKeyRelatedField(
        queryset=JobLevel.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    items = KpiTemplateItemInputSerializer(many=True, allow_empty=False, max_length=100)

    def validate_items(self, items):
        return _check_items(items)


class KpiTemplateUpdateInputSerializer(serializers.Serializer):
    """New items (and note) for a draft; position and level identify it and stay."""

    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    items = KpiTemplateItemInputSerializer(many=True, allow_empty=False, max_length=100)

    def validate_items(self, items):
        return _check_items(items)


class MeasurementSerializer(serializers.ModelSerializer):
    employee_no = serializers.CharField(source="staff.employee_no", read_only=True)
    kpi_code = serializers.CharField(source="kpi.code", read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "staff",
            "employee_no",
            "kpi",
            "kpi_code",
            "date",
            "value",
            "denominator",
            "source",
            "batch",
            "entered_by",
            "recorded_at",
        ]
        read_only_fields = fields


class MeasurementInputSerializer(serializers.Serializer):
    """One value entered by hand (imports never overwrite it)."""

    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())
    kpi = serializers.PrimaryKeyRelatedField(queryset=Kpi.objects.all())
    date = serializers.DateField()
    value = serializers.DecimalField(**VALUE)
    denominator = serializers.DecimalField(**VALUE, required=False, allow_null=True)


class BulkRowSerializer(serializers.Serializer):
    """One row of a bulk upload: the columns of the ``kpi`` import (checked by its engine)."""

    employee_no = serializers.CharField(help_text="Employee number")
    kpi_code = serializers.CharField(help_text="KPI code")
    date = serializers.CharField(help_text="YYYY-MM-DD (or the other formats files accept)")
    value = serializers.CharField(help_text="A number; for ratio KPIs the numerator")
    denominator = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Ratio KPIs only"
    )


class BulkInputSerializer(serializers.Serializer):
    """Documents the bulk body; the rows themselves are checked by the import engine."""

    batch = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Batch name; sending the same batch again changes nothing. Default: derived "
        "from the rows' checksum.",
    )
    rows = BulkRowSerializer(many=True, allow_empty=False)
    dry_run = serializers.BooleanField(default=False)


class BulkResultSerializer(serializers.Serializer):
    job = serializers.IntegerField(allow_null=True)
    batch = serializers.CharField(allow_blank=True)
    dry_run = serializers.BooleanField()
    rows_total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)
    errors = serializers.ListField(child=serializers.DictField(), default=list)
