"""REST API of the collaboration domain under /api/collab/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from opsteam.collab.api import (
    announcements,
    knowledge,
    meetings,
    notifications,
    reports,
    suggestions,
)

AREAS = (notifications, announcements, knowledge, meetings, reports, suggestions)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for area in AREAS:
    area.register(router)

urlpatterns = [
    *router.urls,
    path("preferences/", notifications.PreferencesView.as_view(), name="collab-preferences"),
    *(route for area in AREAS for route in area.paths),
]
