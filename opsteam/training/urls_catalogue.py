"""Training pages: catalogue (courses, materials), plans, assignment rules."""

from django.urls import path

from opsteam.training import views_catalogue as views

urlpatterns = [
    path("courses/", views.CourseListView.as_view(), name="course_list"),
    path("courses/new/", views.CourseCreateView.as_view(), name="course_create"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/edit/", views.CourseUpdateView.as_view(), name="course_update"),
    path("courses/<int:pk>/retire/", views.CourseRetireView.as_view(), name="course_retire"),
    path("courses/<int:pk>/enrol/", views.CourseEnrolView.as_view(), name="course_enrol"),
    path("courses/<int:pk>/assign/", views.CourseAssignView.as_view(), name="course_assign"),
    path("courses/<int:pk>/materials/new/", views.MaterialAddView.as_view(), name="material_add"),
    path(
        "materials/<int:pk>/download/",
        views.MaterialDownloadView.as_view(),
        name="material_download",
    ),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:pk>/assign/", views.PlanAssignView.as_view(), name="plan_assign"),
    path("plan-assignments/", views.PlanAssignmentListView.as_view(), name="planassignment_list"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/new/", views.RuleCreateView.as_view(), name="rule_create"),
    path("rules/<int:pk>/edit/", views.RuleUpdateView.as_view(), name="rule_update"),
    path("rules/<int:pk>/delete/", views.RuleDeleteView.as_view(), name="rule_delete"),
    path("rules/run/", views.RulesRunView.as_view(), name="rules_run"),
]
