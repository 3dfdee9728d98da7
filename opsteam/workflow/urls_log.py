"""Event-log pages: sources per process, the import flow, the event log."""

from django.urls import path

from opsteam.workflow import views_log as views

urlpatterns = [
    path(
        "processes/<int:process_pk>/sources/",
        views.SourceListView.as_view(),
        name="source_list",
    ),
    path(
        "processes/<int:process_pk>/sources/new/",
        views.SourceCreateView.as_view(),
        name="source_create",
    ),
    path(
        "processes/<int:process_pk>/events/",
        views.EventListView.as_view(),
        name="event_list",
    ),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source_detail"),
    path("sources/<int:pk>/edit/", views.SourceEditView.as_view(), name="source_edit"),
    path("sources/<int:pk>/import/", views.SourceImportView.as_view(), name="source_import"),
    path(
        "sources/<int:pk>/events/delete/",
        views.SourceEventsDeleteView.as_view(),
        name="source_events_delete",
    ),
    path(
        "sources/<int:pk>/imports/<int:job_pk>/errors/",
        views.SourceImportErrorsView.as_view(),
        name="source_import_errors",
    ),
]
