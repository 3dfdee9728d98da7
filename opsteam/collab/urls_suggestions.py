"""Pages of collab: suggestions (included by collab/urls.py under the "collab" namespace)."""

from django.urls import path

from opsteam.collab import views_suggestions as views

urlpatterns: list = [
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestion_list"),
    path("suggestions/new/", views.SuggestionCreateView.as_view(), name="suggestion_create"),
    path("suggestions/<int:pk>/", views.SuggestionDetailView.as_view(), name="suggestion_detail"),
    path("suggestions/<int:pk>/vote/", views.SuggestionVoteView.as_view(), name="suggestion_vote"),
    path(
        "suggestions/<int:pk>/follow/",
        views.SuggestionFollowView.as_view(),
        name="suggestion_follow_toggle",
    ),
    path(
        "suggestions/<int:pk>/comment/",
        views.SuggestionCommentView.as_view(),
        name="suggestion_comment",
    ),
    path(
        "suggestions/<int:pk>/status/",
        views.SuggestionTransitionView.as_view(),
        name="suggestion_transition",
    ),
    path("suggestions/<int:pk>/plan/", views.SuggestionPlanView.as_view(), name="suggestion_plan"),
    path(
        "suggestions/follow/<str:token>/",
        views.SuggestionFollowTokenView.as_view(),
        name="suggestion_follow",
    ),
]
