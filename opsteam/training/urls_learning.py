"""Training pages: my learning, team, overview, enrolments, behaviour checks, reports."""

from django.urls import path

from opsteam.training import views_learning as views

urlpatterns = [
    path("", views.MyLearningView.as_view(), name="my_learning"),
    path("team/", views.TeamLearningView.as_view(), name="team"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("enrolments/<int:pk>/", views.EnrolmentDetailView.as_view(), name="enrolment_detail"),
    path(
        "enrolments/<int:pk>/complete/",
        views.EnrolmentCompleteView.as_view(),
        name="enrolment_complete",
    ),
    path(
        "enrolments/<int:pk>/cancel/", views.EnrolmentCancelView.as_view(), name="enrolment_cancel"
    ),
    path("behaviour-checks/<int:pk>/", views.BehaviourCheckView.as_view(), name="behaviour_check"),
    path("courses/<int:pk>/effectiveness/", views.CourseReportView.as_view(), name="course_report"),
]
