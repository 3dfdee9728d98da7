"""Process-map pages: the process list (/workflow/), a process's map and its versions, step
SOPs, and the draft editors (steps, handoffs, layout, publish, discard)."""

from django.urls import path

from opsteam.workflow import views_maps as views

urlpatterns = [
    path("", views.ProcessListView.as_view(), name="process_list"),
    path("processes/new/", views.ProcessCreateView.as_view(), name="process_create"),
    path("processes/<int:pk>/", views.ProcessDetailView.as_view(), name="process_detail"),
    path(
        "processes/<int:pk>/new-version/",
        views.MapNewVersionView.as_view(),
        name="map_new_version",
    ),
    path("maps/<int:pk>/", views.MapDetailView.as_view(), name="map_detail"),
    path("maps/<int:pk>/edit/", views.MapEditView.as_view(), name="map_edit"),
    path("maps/<int:pk>/publish/", views.MapPublishView.as_view(), name="map_publish"),
    path("maps/<int:pk>/discard/", views.MapDiscardView.as_view(), name="map_discard"),
    path("maps/<int:pk>/layout/", views.MapLayoutView.as_view(), name="map_layout"),
    path("maps/<int:pk>/steps/new/", views.StepCreateView.as_view(), name="step_create"),
    path(
        "maps/<int:pk>/handoffs/new/",
        views.TransitionCreateView.as_view(),
        name="transition_create",
    ),
    path("steps/<int:pk>/", views.StepSopView.as_view(), name="step_sop"),
    path("steps/<int:pk>/edit/", views.StepEditView.as_view(), name="step_edit"),
    path("steps/<int:pk>/delete/", views.StepDeleteView.as_view(), name="step_delete"),
    path("handoffs/<int:pk>/edit/", views.TransitionEditView.as_view(), name="transition_edit"),
    path(
        "handoffs/<int:pk>/delete/", views.TransitionDeleteView.as_view(), name="transition_delete"
    ),
]
