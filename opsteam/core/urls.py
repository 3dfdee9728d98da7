from django.urls import path

from opsteam.core import views

app_name = "core"

urlpatterns = [
    path("audit/", views.AuditEntryListView.as_view(), name="audit_list"),
    path("audit/<int:pk>/", views.AuditEntryDetailView.as_view(), name="audit_detail"),
    path("imports/", views.ImportJobListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", views.ImportJobDetailView.as_view(), name="import_detail"),
    path("imports/new/<slug:kind>/", views.ImportUploadView.as_view(), name="import_upload"),
    path(
        "imports/template/<slug:kind>/", views.ImportTemplateView.as_view(), name="import_template"
    ),
]
