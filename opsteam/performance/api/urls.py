"""REST API of the appraisal domain under /api/performance/."""

from django.urls import path  # noqa: F401  (entries are added per feature below)
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

urlpatterns = [*router.urls]
