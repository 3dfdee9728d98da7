"""Recognition pages (feed, kudos, leaderboards, values, badges, commendations) and the
fairness review."""

from django.urls import path

from opsteam.incentives import views_recognition as views

urlpatterns = [
    path("recognition/", views.RecognitionView.as_view(), name="recognition"),
    path("recognition/kudos/", views.KudosGiveView.as_view(), name="kudos_give"),
    path(
        "recognition/settings/<int:unit_pk>/",
        views.RecognitionSettingsView.as_view(),
        name="recognition_settings",
    ),
    path("values/", views.CompanyValueListView.as_view(), name="value_list"),
    path("values/new/", views.CompanyValueCreateView.as_view(), name="value_create"),
    path("values/<int:pk>/edit/", views.CompanyValueEditView.as_view(), name="value_edit"),
    path("badges/", views.BadgeListView.as_view(), name="badge_list"),
    path("badges/new/", views.BadgeCreateView.as_view(), name="badge_create"),
    path("badges/<int:pk>/", views.BadgeDetailView.as_view(), name="badge_detail"),
    path("badges/<int:pk>/edit/", views.BadgeEditView.as_view(), name="badge_edit"),
    path("badges/<int:pk>/award/", views.BadgeAwardView.as_view(), name="badge_award"),
    path("commendations/", views.CommendationListView.as_view(), name="commendation_list"),
    path("commendations/new/", views.CommendationCreateView.as_view(), name="commendation_create"),
    path("fairness/", views.FairnessView.as_view(), name="fairness"),
]
