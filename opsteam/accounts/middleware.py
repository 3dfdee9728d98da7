"""Per-user time zone and language preferences."""

import time
import zoneinfo

from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Activate the signed-in user's time zone, and their language unless a cookie overrides."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.time_zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
            from django.conf import settings

            if user.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


SESSION_SIGNED_IN_AT = "opsteam_signed_in_at"
SESSION_LAST_SEEN = "opsteam_last_seen"
# Writing the session on every request costs a database write; a minute's precision is enough.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """End sessions idle for OPSTEAM_SESSION_IDLE_SECONDS or older than OPSTEAM_SESSION_MAX_AGE,
    and send users whose password rotation is due to the password page."""

    EXEMPT_PREFIXES = ("/static/", "/accounts/login/", "/accounts/logout/", "/i18n/", "/healthz/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            now = time.time()
            session = request.session
            signed_in = session.get(SESSION_SIGNED_IN_AT, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            idle = settings.OPSTEAM_SESSION_IDLE_SECONDS
            if (idle and now - last_seen > idle) or now - signed_in > settings.SESSION_COOKIE_AGE:
                return self._expire(request)
            if SESSION_SIGNED_IN_AT not in session:
                session[SESSION_SIGNED_IN_AT] = now
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or SESSION_LAST_SEEN not in session:
                session[SESSION_LAST_SEEN] = now
            if user.password_expired() and not request.path.startswith(
                ("/accounts/password/", "/api/")
            ):
                from django.contrib import messages
                from django.shortcuts import redirect
                from django.utils.translation import gettext as _

                messages.warning(request, _("Your password is due for a change."))
                return redirect("accounts:password_change")
        return self.get_response(request)

    def _expire(self, request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        from opsteam.accounts.models import UserSession

        UserSession.objects.filter(session_key=request.session.session_key).delete()
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "client_error",
                    "errors": [
                        {
                            "code": "not_authenticated",
                            "detail": _("Your session has expired."),
                            "attr": None,
                        }
                    ],
                },
                status=401,
            )
        messages.info(request, _("Your session has expired; please log in again."))
        return redirect_to_login(request.get_full_path())
