"""UI pages of the appraisal domain: KPI library, templates, measurements, cycles, 1:1s, plans."""

from django.urls import path  # noqa: F401  (entries are added per feature below)

app_name = "performance"

urlpatterns: list = []
