import importlib
import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Modules that register import kinds with the shared engine when imported.
IMPORT_KINDS = (
    "opsteam.training.imports",
    "opsteam.training.imports_attendance",
    "opsteam.training.imports_results",
)


class TrainingConfig(AppConfig):
    name = "opsteam.training"
    label = "training"
    verbose_name = _("Training and development")

    def ready(self) -> None:
        for module in IMPORT_KINDS:
            if importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
