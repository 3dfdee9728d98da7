"""UI routes of review cycles (included in the "performance" namespace by urls.py)."""

from django.urls import path

from opsteam.performance import views_cycles as views

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("cycles/", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/new/", views.CycleCreateView.as_view(), name="cycle_create"),
    path("cycles/<int:pk>/", views.CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/edit/", views.CycleUpdateView.as_view(), name="cycle_update"),
    path("cycles/<int:pk>/launch/", views.CycleLaunchView.as_view(), name="cycle_launch"),
    path("cycles/<int:pk>/stage/", views.CycleAdvanceView.as_view(), name="cycle_advance"),
    path("cycles/<int:pk>/reviews/", views.ReviewListView.as_view(), name="review_list"),
    path("cycles/<int:pk>/plans/", views.CyclePlansView.as_view(), name="cycle_plans"),
    path("cycles/<int:pk>/calibration/", views.CalibrationView.as_view(), name="calibration"),
    path("reviews/mine/", views.MyReviewsView.as_view(), name="my_reviews"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:pk>/self/", views.ReviewSelfView.as_view(), name="review_self"),
    path("reviews/<int:pk>/target/", views.ReviewTargetView.as_view(), name="review_target"),
    path("reviews/<int:pk>/manager/", views.ReviewManagerView.as_view(), name="review_manager"),
    path(
        "reviews/<int:pk>/acknowledge/",
        views.ReviewAcknowledgeView.as_view(),
        name="review_acknowledge",
    ),
    path("reviews/<int:pk>/appeal/", views.ReviewAppealView.as_view(), name="review_appeal"),
    path("reviews/<int:pk>/grade/", views.GradeChangeView.as_view(), name="review_grade"),
    path("reviews/<int:pk>/what-if/", views.ReviewWhatIfView.as_view(), name="review_what_if"),
    path(
        "reviews/<int:pk>/kpi/<int:kpi>/",
        views.ReviewMeasurementsView.as_view(),
        name="review_measurements",
    ),
    path("appeals/<int:pk>/resolve/", views.AppealResolveView.as_view(), name="appeal_resolve"),
]
