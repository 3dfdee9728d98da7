"""Pages of the collaboration app under /collab/."""

from django.urls import path

from opsteam.collab import views

app_name = "collab"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
]
