from rest_framework import serializers

from opsteam.accounts.models import ApiToken, User


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    unit_paths = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
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
