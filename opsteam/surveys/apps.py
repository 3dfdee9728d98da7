from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "opsteam.surveys"
    label = "surveys"
    verbose_name = _("Surveys and 360 feedback")
