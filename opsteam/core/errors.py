"""Error pages: JSON in the API's error format under /api/, HTML pages elsewhere."""

from django.views import defaults

from opsteam.core.api.errors import error_body, json_not_found, json_server_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return json_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return json_server_error(request)
    return defaults.server_error(request)


def permission_denied(request, exception):
    if _is_api(request):
        from django.http import JsonResponse

        return JsonResponse(
            error_body(
                "client_error",
                [
                    {
                        "code": "permission_denied",
                        "detail": str(exception) or "Forbidden",
                        "attr": None,
                    }
                ],
            ),
            status=403,
        )
    return defaults.permission_denied(request, exception)


def bad_request(request, exception):
    if _is_api(request):
        from django.http import JsonResponse

        return JsonResponse(
            error_body(
                "client_error", [{"code": "bad_request", "detail": "Bad request.", "attr": None}]
            ),
            status=400,
        )
    return defaults.bad_request(request, exception)
