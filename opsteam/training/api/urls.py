"""REST API of the training domain under /api/training/."""

from rest_framework.routers import DefaultRouter

from opsteam.training.api import catalogue, delivery, exams, learning

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for area in (catalogue, delivery, exams, learning):
    area.register(router)

urlpatterns = [*router.urls, *learning.paths]
