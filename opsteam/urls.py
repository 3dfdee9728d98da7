"""URL map: UI pages per app, /api/ (one router per app), schema and docs, admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from opsteam.core.views import HealthView

api_patterns = [
    path("", include("opsteam.accounts.api.urls")),
    path("", include("opsteam.core.api.urls")),
    path("org/", include("opsteam.org.api.urls")),
    path("performance/", include("opsteam.performance.api.urls")),
    path("surveys/", include("opsteam.surveys.api.urls")),
    path("training/", include("opsteam.training.api.urls")),
    path("careers/", include("opsteam.careers.api.urls")),
    path("incentives/", include("opsteam.incentives.api.urls")),
    path("workflow/", include("opsteam.workflow.api.urls")),
    path("collab/", include("opsteam.collab.api.urls")),
    path("insights/", include("opsteam.insights.api.urls")),
]

urlpatterns = [
    path("", include("opsteam.insights.urls")),
    path("accounts/", include("opsteam.accounts.urls")),
    path("org/", include("opsteam.org.urls")),
    path("performance/", include("opsteam.performance.urls")),
    path("surveys/", include("opsteam.surveys.urls")),
    path("training/", include("opsteam.training.urls")),
    path("careers/", include("opsteam.careers.urls")),
    path("incentives/", include("opsteam.incentives.urls")),
    path("workflow/", include("opsteam.workflow.urls")),
    path("collab/", include("opsteam.collab.urls")),
    path("data/", include("opsteam.core.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz/", HealthView.as_view(), name="health"),
    path("api/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "opsteam.core.errors.page_not_found"
handler500 = "opsteam.core.errors.server_error"
handler403 = "opsteam.core.errors.permission_denied"
handler400 = "opsteam.core.errors.bad_request"
