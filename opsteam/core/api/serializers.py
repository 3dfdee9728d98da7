from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opsteam.core.models import AuditEntry, ImportJob

# The largest id either database stores (a signed 64-bit integer): bounds id parameters, so
# a larger number is a 400 rather than an overflow in the database driver.
MAX_ID = 2**63 - 1


@extend_schema_field(
    {"oneOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0}]}
)
class OptionalEmailField(serializers.CharField):
    """An e-mail address that may be empty (the model field is ``blank=True``).

    ``EmailField`` would document ``format: email``, which an empty string does not match.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "source",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "changed_fields",
            "note",
            "remote_addr",
            "import_job",
        ]
        read_only_fields = fields


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    code = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    errors = ImportErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "file_name",
            "file_sha256",
            "status",
            "source",
            "actor",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "error_count",
            "errors",
            "message",
            "created_at",
            "duration_ms",
        ]
        read_only_fields = fields


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ImportResultSerializer(serializers.Serializer):
    job = ImportJobSerializer()
    dry_run = serializers.BooleanField()
    rows_total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
