from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "opsteam.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from opsteam.org import imports  # noqa: F401  (registers the org import kinds)
