"""One error format for the whole API, including 404 and 500 outside DRF views.

{"type": "validation_error" | "client_error" | "server_error",
 "errors": [{"code": "...", "detail": "...", "attr": "field" | null, "row": 3 | null,
             "value": "..." (imports)}]}
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from opsteam.core.exceptions import (
    ImportRejected,
    InvalidTransition,
    NotVisible,
    OpsTeamError,
    PolicyDenied,
    ValidationFailed,
)

logger = logging.getLogger("opsteam.api")


def _flatten(detail: Any, attr: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            name = key if attr is None else f"{attr}.{key}"
            items.extend(_flatten(value, None if key == "non_field_errors" else name))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                items.extend(_flatten(value, f"{attr}.{index}" if attr else str(index)))
            else:
                items.extend(_flatten(value, attr))
        return items
    code = getattr(detail, "code", "invalid")
    return [{"code": str(code), "detail": str(detail), "attr": attr}]


def error_body(error_type: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": error_type, "errors": errors}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Translate domain and DRF errors into the one error format."""
    if isinstance(exc, NotVisible | Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PolicyDenied | PermissionDenied):
        exc = exceptions.PermissionDenied(getattr(exc, "message", None))
    elif isinstance(exc, SuspiciousOperation):
        # e.g. more than DATA_UPLOAD_MAX_NUMBER_FIELDS query parameters: the client's fault,
        # a 400 as Django answers it outside DRF, logged where Django logs it.
        logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
        exc = exceptions.ParseError()
    elif isinstance(exc, ImportRejected):
        return Response(
            error_body(
                "validation_error",
                [
                    {
                        "code": error.get("code", "invalid"),
                        "detail": error.get("reason", ""),
                        "attr": error.get("column"),
                        "row": error.get("row"),
                        "value": error.get("value"),
                    }
                    for error in exc.errors
                ]
                or [{"code": "invalid", "detail": exc.message, "attr": None}],
            ),
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, InvalidTransition):
        return Response(
            error_body(
                "client_error",
                [{"code": "invalid_transition", "detail": exc.message, "attr": exc.field}],
            ),
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, ValidationFailed | OpsTeamError):
        return Response(
            error_body(
                "validation_error", [{"code": "invalid", "detail": exc.message, "attr": exc.field}]
            ),
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            error_body(
                "server_error", [{"code": "error", "detail": _("Server error."), "attr": None}]
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("validation_error", _flatten(exc.detail))
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(
            "client_error",
            [
                {
                    "code": str(getattr(detail, "code", exc.__class__.__name__.lower())),
                    "detail": str(detail),
                    "attr": None,
                }
            ],
        )
    return response


def json_not_found(request, exception=None) -> JsonResponse:
    return JsonResponse(
        error_body(
            "client_error", [{"code": "not_found", "detail": _("Not found."), "attr": None}]
        ),
        status=404,
    )


def json_server_error(request) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", [{"code": "error", "detail": _("Server error."), "attr": None}]),
        status=500,
    )
