"""REST API of the incentives domain under /api/incentives/."""

from rest_framework.routers import DefaultRouter

from opsteam.incentives.api import pools, recognition

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for area in (pools, recognition):
    area.register(router)

urlpatterns = [*router.urls, *pools.paths, *recognition.paths]
