"""OpenAPI schema: every operation documents the error responses it can give."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
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
        # 400: a body, a filter or a query parameter can be invalid, and any request can be
        # malformed (e.g. too many query parameters).
        codes = ["400", "401", "403", "404", "429", "500"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            responses.setdefault(code, error)
        return responses


ERROR_RESPONSE = OpenApiResponse(ErrorResponseSerializer, description="Error")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What ``exports.spreadsheet_response`` answers: an xlsx workbook or a UTF-8 csv file.
SPREADSHEET_RESPONSES = {
    (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="xlsx workbook"),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="csv file (UTF-8)"),
}
