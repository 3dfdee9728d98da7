from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from opsteam.accounts.models import ApiToken, User
from opsteam.core.api.serializers import OptionalEmailField


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    unit_paths = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    # Both may be empty ("follow the browser", no address), which the model's choices and
    # e-mail format would not let the schema say.
    language = serializers.ChoiceField(
        choices=[("", _("Follow the browser")), *settings.LANGUAGES], read_only=True
    )
    email = OptionalEmailField()
    staff = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "language",
            "time_zone",
            "roles",
            "staff",
        ]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        from opsteam.core import policy

        return sorted(role.value for role in policy.user_roles(user))


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields
