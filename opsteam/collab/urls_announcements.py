"""Pages of collab: announcements (included by collab/urls.py under the "collab" namespace)."""

from django.urls import path

from opsteam.collab import views_announcements as views

urlpatterns: list = [
    path("announcements/", views.AnnouncementListView.as_view(), name="announcement_list"),
    path(
        "announcements/manage/",
        views.AnnouncementManageView.as_view(),
        name="announcement_manage",
    ),
    path("announcements/new/", views.AnnouncementCreateView.as_view(), name="announcement_create"),
    path(
        "announcements/audience/",
        views.AnnouncementAudienceView.as_view(),
        name="announcement_audience",
    ),
    path(
        "announcements/<int:pk>/",
        views.AnnouncementDetailView.as_view(),
        name="announcement_detail",
    ),
    path(
        "announcements/<int:pk>/edit/",
        views.AnnouncementEditView.as_view(),
        name="announcement_edit",
    ),
    path(
        "announcements/<int:pk>/publish/",
        views.AnnouncementPublishView.as_view(),
        name="announcement_publish",
    ),
    path(
        "announcements/<int:pk>/archive/",
        views.AnnouncementArchiveView.as_view(),
        name="announcement_archive",
    ),
    path(
        "announcements/<int:pk>/delete/",
        views.AnnouncementDeleteView.as_view(),
        name="announcement_delete",
    ),
    path(
        "announcements/<int:pk>/acknowledge/",
        views.AnnouncementAcknowledgeView.as_view(),
        name="announcement_acknowledge",
    ),
    path(
        "announcements/<int:pk>/stats/",
        views.AnnouncementStatsView.as_view(),
        name="announcement_stats",
    ),
    path(
        "announcements/<int:pk>/remind/",
        views.AnnouncementRemindView.as_view(),
        name="announcement_remind",
    ),
]
