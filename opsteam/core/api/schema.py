"""OpenAPI schema: every operation documents the error responses it can give."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class ErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["validation_error", "client_error", "server_error"])
    errors = ErrorItemSerializer(many=True)


class OpsTeamAutoSchema(AutoSchema):
    """AutoSchema that adds the standard error responses to each operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._get_response_for_code(ErrorResponseSerializer, "400")
        codes = ["401", "403", "404", "429", "500"]
        if self.method in ("POST", "PUT", "PATCH") or getattr(self.view, "filter_backends", None):
            codes.insert(0, "400")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            responses.setdefault(code, error)
        return responses


ERROR_RESPONSE = OpenApiResponse(ErrorResponseSerializer, description="Error")
