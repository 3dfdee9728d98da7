"""REST API of the careers domain under /api/careers/."""

from rest_framework.routers import DefaultRouter

from opsteam.careers.api import framework, growth, rounds

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for area in (growth, framework, rounds):
    area.register(router)

urlpatterns = [*router.urls, *growth.paths, *rounds.paths]
