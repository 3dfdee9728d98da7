from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    name = "opsteam.collab"
    label = "collab"
    verbose_name = _("Collaboration and notifications")
