from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "opsteam.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from opsteam import celery  # noqa: F401  (registers the Celery app; see STYLE.md)
        from opsteam.core import audit

        connection_created.connect(audit.install_sqlite_guard_function)
