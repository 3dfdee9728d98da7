"""API token authentication: ``Authorization: Token <secret>`` or ``Bearer <secret>``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from opsteam.accounts import services


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="ignore") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from exc
        token = services.api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        return (token.user, token)

    def authenticate_header(self, request):
        return "Token"
