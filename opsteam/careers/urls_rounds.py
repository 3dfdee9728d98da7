"""Promotion-round pages: rounds, nominating, nominations, the committee's reviews."""

from django.urls import path

from opsteam.careers import views_rounds as views

urlpatterns = [
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/nominate/", views.NominateView.as_view(), name="nominate"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/advance/", views.RoundAdvanceView.as_view(), name="round_advance"),
    path("rounds/<int:pk>/nominate/", views.NominateView.as_view(), name="nominate"),
    path("nominations/<int:pk>/", views.NominationDetailView.as_view(), name="nomination_detail"),
    path(
        "nominations/<int:pk>/withdraw/",
        views.NominationWithdrawView.as_view(),
        name="nomination_withdraw",
    ),
    path(
        "nominations/<int:pk>/decide/",
        views.NominationDecideView.as_view(),
        name="nomination_decide",
    ),
    path("committee/", views.CommitteeView.as_view(), name="committee"),
    path("committee/<int:pk>/", views.CommitteeReviewView.as_view(), name="committee_review"),
    path(
        "committee/<int:pk>/submit/",
        views.CommitteeReviewSubmitView.as_view(),
        name="committee_review_submit",
    ),
]
