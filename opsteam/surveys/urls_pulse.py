from django.urls import path

from opsteam.surveys import views_pulse as views

urlpatterns = [
    path("pulse/", views.PulseListView.as_view(), name="pulse_list"),
    path("pulse/new/", views.PulseCreateView.as_view(), name="pulse_create"),
    path("pulse/library/", views.PulseLibraryView.as_view(), name="pulse_library"),
    path(
        "pulse/library/new/", views.PulseQuestionCreateView.as_view(), name="pulse_question_create"
    ),
    path("pulse/<int:pk>/", views.PulseDetailView.as_view(), name="pulse_detail"),
    path("pulse/<int:pk>/schedule/", views.PulseScheduleView.as_view(), name="pulse_schedule"),
    path("pulse/<int:pk>/close/", views.PulseCloseView.as_view(), name="pulse_close"),
    path("pulse/<int:pk>/results/", views.PulseResultsView.as_view(), name="pulse_results"),
    path("pulse/waves/<int:pk>/", views.PulseRespondView.as_view(), name="pulse_respond"),
]
