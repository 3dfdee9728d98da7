"""Pages of the collaboration app under /collab/."""

from django.urls import path

from opsteam.collab import (
    urls_announcements,
    urls_knowledge,
    urls_meetings,
    urls_reports,
    urls_suggestions,
    views,
    views_channels,
)

app_name = "collab"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("preferences/", views_channels.PreferencesView.as_view(), name="preferences"),
    path("channels/", views_channels.ChannelListView.as_view(), name="channel_list"),
    path("channels/new/", views_channels.ChannelCreateView.as_view(), name="channel_create"),
    path("channels/<int:pk>/", views_channels.ChannelDetailView.as_view(), name="channel_detail"),
    path("channels/<int:pk>/edit/", views_channels.ChannelEditView.as_view(), name="channel_edit"),
    path("channels/<int:pk>/test/", views_channels.ChannelTestView.as_view(), name="channel_test"),
    path(
        "channels/<int:pk>/delete/",
        views_channels.ChannelDeleteView.as_view(),
        name="channel_delete",
    ),
    path("deliveries/", views_channels.DeliveryListView.as_view(), name="delivery_list"),
    path(
        "deliveries/<int:pk>/retry/",
        views_channels.DeliveryRetryView.as_view(),
        name="delivery_retry",
    ),
]

for area in (urls_announcements, urls_knowledge, urls_meetings, urls_reports, urls_suggestions):
    urlpatterns += area.urlpatterns
