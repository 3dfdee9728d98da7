from django.urls import path

from opsteam.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("home/owed/", views.HomeOwedView.as_view(), name="home_owed"),
    path("home/watch/", views.HomeWatchView.as_view(), name="home_watch"),
    path("reviews/", views.SystemReviewListView.as_view(), name="review_list"),
    path("reviews/new/", views.SystemReviewCreateView.as_view(), name="review_create"),
    path("reviews/<int:pk>/", views.SystemReviewDetailView.as_view(), name="review_detail"),
    path(
        "reviews/<int:pk>/print/",
        views.SystemReviewDetailView.as_view(printable=True),
        name="review_print",
    ),
    path("reviews/<int:pk>/edit/", views.SystemReviewEditView.as_view(), name="review_edit"),
    path("reviews/<int:pk>/start/", views.SystemReviewStartView.as_view(), name="review_start"),
    path("reviews/<int:pk>/close/", views.SystemReviewCloseView.as_view(), name="review_close"),
    path(
        "reviews/<int:pk>/actions/",
        views.ReviewActionCreateView.as_view(),
        name="review_action_create",
    ),
    path("reviews/<int:pk>/export/", views.SystemReviewExportView.as_view(), name="review_export"),
]
