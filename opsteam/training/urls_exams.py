"""Training pages: assessment (question bank, exams, attempts, grading, results)."""

from django.urls import path

from opsteam.training import views_exams as v

urlpatterns: list = [
    path("courses/<int:pk>/questions/", v.QuestionBankView.as_view(), name="question_bank"),
    path("courses/<int:pk>/questions/new/", v.QuestionCreateView.as_view(), name="question_create"),
    path("questions/<int:pk>/edit/", v.QuestionUpdateView.as_view(), name="question_update"),
    path(
        "questions/<int:pk>/deactivate/",
        v.QuestionDeactivateView.as_view(),
        name="question_deactivate",
    ),
    path("exams/", v.ExamListView.as_view(), name="exam_list"),
    path("courses/<int:pk>/exams/new/", v.ExamCreateView.as_view(), name="exam_create"),
    path("exams/<int:pk>/", v.ExamDetailView.as_view(), name="exam_detail"),
    path("exams/<int:pk>/edit/", v.ExamUpdateView.as_view(), name="exam_update"),
    path("exams/<int:pk>/start/", v.ExamStartView.as_view(), name="exam_start"),
    path("exams/<int:pk>/results/", v.ExamResultsView.as_view(), name="exam_results"),
    path(
        "exams/<int:pk>/results/export/",
        v.ExamResultsExportView.as_view(),
        name="exam_results_export",
    ),
    path("attempts/<int:pk>/", v.AttemptDetailView.as_view(), name="attempt_detail"),
    path("attempts/<int:pk>/save/", v.AttemptSaveView.as_view(), name="attempt_save"),
    path("attempts/<int:pk>/submit/", v.AttemptSubmitView.as_view(), name="attempt_submit"),
    path("attempts/<int:pk>/grade/", v.AttemptGradeView.as_view(), name="attempt_grade"),
    path("grading/", v.GradingQueueView.as_view(), name="grading_queue"),
]
