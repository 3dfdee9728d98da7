from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "opsteam.performance"
    label = "performance"
    verbose_name = _("Performance appraisal")

    def ready(self) -> None:
        from opsteam.performance import imports  # noqa: F401  (registers the "kpi" import kind)
