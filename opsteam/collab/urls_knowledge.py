"""Pages of collab: knowledge base (included by collab/urls.py under the "collab" namespace)."""

from django.urls import path

from opsteam.collab import views_knowledge as views

urlpatterns: list = [
    path("knowledge/", views.DocumentListView.as_view(), name="document_list"),
    path("knowledge/new/", views.DocumentCreateView.as_view(), name="document_create"),
    path("knowledge/<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("knowledge/<int:pk>/edit/", views.DocumentEditView.as_view(), name="document_edit"),
    path(
        "knowledge/<int:pk>/publish/",
        views.DocumentPublishView.as_view(),
        name="document_publish",
    ),
    path(
        "knowledge/<int:pk>/archive/",
        views.DocumentArchiveView.as_view(),
        name="document_archive",
    ),
    path("knowledge/<int:pk>/delete/", views.DocumentDeleteView.as_view(), name="document_delete"),
    path(
        "knowledge/<int:pk>/history/",
        views.DocumentHistoryView.as_view(),
        name="document_history",
    ),
    path("knowledge/<int:pk>/diff/", views.DocumentDiffView.as_view(), name="document_diff"),
    path(
        "knowledge/<int:pk>/versions/<int:number>/",
        views.DocumentVersionView.as_view(),
        name="document_version",
    ),
    path(
        "knowledge/<int:pk>/versions/<int:number>/restore/",
        views.DocumentRestoreView.as_view(),
        name="document_restore",
    ),
    path(
        "knowledge/<int:pk>/attachments/",
        views.DocumentAttachView.as_view(),
        name="document_attach",
    ),
    path(
        "knowledge/attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="document_attachment",
    ),
    path(
        "knowledge/attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="document_attachment_delete",
    ),
]
