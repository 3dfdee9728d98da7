from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "opsteam.performance"
    label = "performance"
    verbose_name = _("Performance appraisal")

    def ready(self) -> None:
        from opsteam.core import policy
        from opsteam.performance import (
            imports,  # noqa: F401  (registers the "kpi" import kind)
            selectors,
        )

        policy.PERSONAL_EXPORT_REDACTIONS["performance.review.staff"] = (
            selectors.redact_unpublished_results
        )
