from rest_framework.routers import DefaultRouter

from opsteam.core.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("audit", views.AuditEntryViewSet, basename="audit-entry")
router.register("imports", views.ImportJobViewSet, basename="import-job")

urlpatterns = router.urls
