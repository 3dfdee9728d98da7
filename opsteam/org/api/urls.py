from django.urls import path
from rest_framework.routers import DefaultRouter

from opsteam.org.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", views.OrgUnitViewSet, basename="org-unit")
router.register("role-families", views.RoleFamilyViewSet, basename="org-role-family")
router.register("levels", views.JobLevelViewSet, basename="org-level")
router.register("positions", views.PositionViewSet, basename="org-position")
router.register("staff", views.StaffViewSet, basename="org-staff")
router.register("assignments", views.AssignmentViewSet, basename="org-assignment")
router.register("job-descriptions", views.JobDescriptionViewSet, basename="org-job-description")
router.register("processes", views.ProcessViewSet, basename="org-process")
router.register("activities", views.ActivityViewSet, basename="org-activity")
router.register("raci", views.RaciViewSet, basename="org-raci")

urlpatterns = [
    path("who-does-what/", views.WhoDoesWhatView.as_view(), name="org-who-does-what"),
    *router.urls,
]
