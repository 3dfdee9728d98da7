"""REST API of the workflow domain under /api/workflow/."""

from rest_framework.routers import DefaultRouter

from opsteam.workflow.api import analytics, events, items, maps, rules

AREAS = (maps, items, events, analytics, rules)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for area in AREAS:
    area.register(router)

urlpatterns = [*router.urls, *(route for area in AREAS for route in area.paths)]
