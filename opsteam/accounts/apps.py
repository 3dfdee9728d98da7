from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "opsteam.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from opsteam.accounts import schema  # noqa: F401  (token auth in the OpenAPI schema)
