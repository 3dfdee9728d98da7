"""Growth pages: my growth, team readiness, ladders and standards, the competency framework,
development plans."""

from django.urls import path

from opsteam.careers import views_growth as views

urlpatterns = [
    path("growth/", views.MyGrowthView.as_view(), name="my_growth"),
    path("team/", views.TeamReadinessView.as_view(), name="team_readiness"),
    path("ladders/", views.TrackListView.as_view(), name="track_list"),
    path("ladders/new/", views.TrackEditView.as_view(creating=True), name="track_create"),
    path("ladders/<int:pk>/", views.TrackDetailView.as_view(), name="track_detail"),
    path("ladders/<int:pk>/edit/", views.TrackEditView.as_view(), name="track_edit"),
    path("standards/<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("standards/<int:pk>/edit/", views.StandardEditView.as_view(), name="standard_edit"),
    path(
        "standards/<int:pk>/publish/", views.StandardPublishView.as_view(), name="standard_publish"
    ),
    path(
        "levels/<int:level_pk>/standards/new/",
        views.StandardNewDraftView.as_view(),
        name="standard_new_draft",
    ),
    path("competencies/", views.CompetencyListView.as_view(), name="competency_list"),
    path(
        "competencies/<int:skill_pk>/edit/",
        views.CompetencyEditView.as_view(),
        name="competency_edit",
    ),
    path(
        "competencies/groups/new/",
        views.SkillGroupCreateView.as_view(),
        name="competency_group_create",
    ),
    path(
        "competencies/groups/<int:pk>/edit/",
        views.SkillGroupEditView.as_view(),
        name="competency_group_edit",
    ),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/actions/new/", views.PlanActionAddView.as_view(), name="plan_action_add"),
    path(
        "plans/<int:pk>/actions/<int:action_pk>/",
        views.PlanActionEditView.as_view(),
        name="plan_action_edit",
    ),
    path("plans/<int:pk>/checkin/", views.PlanCheckInView.as_view(), name="plan_checkin"),
    path("plans/<int:pk>/close/", views.PlanCloseView.as_view(), name="plan_close"),
]
