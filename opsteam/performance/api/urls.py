"""REST API of the appraisal domain under /api/performance/."""

from django.urls import path  # noqa: F401  (entries are added per feature below)
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

from opsteam.performance.api import views as kpi_views  # noqa: E402

router.register("kpis", kpi_views.KpiViewSet, basename="performance-kpi")
router.register("kpi-templates", kpi_views.KpiTemplateViewSet, basename="performance-kpi-template")
router.register("measurements", kpi_views.MeasurementViewSet, basename="performance-measurement")

from opsteam.performance.api import cycles  # noqa: E402

router.register("cycles", cycles.ReviewCycleViewSet, basename="performance-cycle")
router.register("reviews", cycles.ReviewViewSet, basename="performance-review")
router.register("appeals", cycles.AppealViewSet, basename="performance-appeal")

from opsteam.performance.api import coaching  # noqa: E402

router.register("one-on-ones", coaching.OneOnOneViewSet, basename="coaching-one-on-one")
router.register("one-on-one-meetings", coaching.MeetingViewSet, basename="coaching-meeting")
router.register("action-items", coaching.ActionItemViewSet, basename="coaching-action-item")
router.register("improvement-plans", coaching.ImprovementPlanViewSet, basename="coaching-plan")

urlpatterns = [*router.urls]
