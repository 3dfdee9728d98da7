"""Analytics pages: a process's dashboard and edge drill-down, improvement actions, the
process review."""

from django.urls import path

from opsteam.workflow import views_analytics as views

urlpatterns = [
    path("processes/<int:pk>/analytics/", views.ProcessAnalyticsView.as_view(), name="analytics"),
    path(
        "processes/<int:pk>/analytics/edge/",
        views.EdgeCasesView.as_view(),
        name="analytics_edge",
    ),
    path(
        "processes/<int:pk>/analytics/actions/new/",
        views.ActionFromBottleneckView.as_view(),
        name="action_from_bottleneck",
    ),
    path("processes/<int:pk>/review/", views.ProcessReviewView.as_view(), name="process_review"),
    path("actions/", views.ActionListView.as_view(), name="action_list"),
    path("actions/<int:pk>/", views.ActionDetailView.as_view(), name="action_detail"),
    path("actions/<int:pk>/edit/", views.ActionEditView.as_view(), name="action_edit"),
]
