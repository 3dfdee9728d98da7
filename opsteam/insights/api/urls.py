"""REST API of insights under /api/insights/."""

from rest_framework.routers import DefaultRouter

from opsteam.insights.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
views.register(router)

urlpatterns = [*router.urls]
