"""Security headers on every response, and the audit context for each request."""

import re

from django.utils.cache import add_never_cache_headers

from opsteam.core import audit
from opsteam.core.choices import AuditSource

# Everything is served from our own origin: no CDN, no inline script. ECharts and the
# Swagger UI need inline styles; Swagger UI's bundle needs 'unsafe-eval'-free mode only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def client_address(request) -> str | None:
    """Return the client IP (REMOTE_ADDR; proxies must be configured to set it)."""
    return request.META.get("REMOTE_ADDR") or None


class SecurityHeadersMiddleware:
    """Set CSP and permissions policy; never cache pages of signed-in users."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        with audit.context(source=source, remote_addr=client_address(request)):
            response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response.headers["Cache-Control"] = "no-store, " + response.headers["Cache-Control"]
        return response


class LoginRequiredMiddleware:
    """Every page needs a login except the login page, static files, health and the API
    (which answers 401/403 in JSON through DRF's authentication instead of redirecting)."""

    PUBLIC_PREFIXES = ("/static/", "/api/", "/healthz/", "/i18n/", "/admin/", "/favicon")
    # External customers answer 360 feedback through a token link, without an account:
    # exactly /surveys/respond/<token>/ (the token alone decides; a wrong one answers 404).
    PUBLIC_PATTERNS = (re.compile(r"^/surveys/respond/[A-Za-z0-9_-]{20,200}/$"),)

    def __init__(self, get_response):
        from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired

        self.get_response = get_response
        self.django = DjangoLoginRequired(get_response)

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.PUBLIC_PREFIXES):
            return None
        if any(pattern.match(request.path_info) for pattern in self.PUBLIC_PATTERNS):
            return None
        return self.django.process_view(request, view_func, view_args, view_kwargs)
