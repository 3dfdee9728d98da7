"""Training pages: delivery (sessions, registration, attendance, self-learning, certificates)."""

from django.urls import path

from opsteam.training import views_delivery as views

urlpatterns = [
    path("sessions/", views.SessionListView.as_view(), name="session_list"),
    path("sessions/new/", views.SessionCreateView.as_view(), name="session_create"),
    path("sessions/mine/", views.MySessionsView.as_view(), name="my_sessions"),
    path("sessions/mine.ics", views.MySessionsIcsView.as_view(), name="my_sessions_ics"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", views.SessionUpdateView.as_view(), name="session_update"),
    path("sessions/<int:pk>/cancel/", views.SessionCancelView.as_view(), name="session_cancel"),
    path("sessions/<int:pk>/close/", views.SessionCloseView.as_view(), name="session_close"),
    path(
        "sessions/<int:pk>/reaction/",
        views.SessionReactionView.as_view(),
        name="session_reaction",
    ),
    path(
        "sessions/<int:pk>/register/", views.SessionRegisterView.as_view(), name="session_register"
    ),
    path(
        "sessions/<int:pk>/attendance/",
        views.SessionAttendanceView.as_view(),
        name="session_attendance",
    ),
    path(
        "sessions/<int:pk>/attendance.xlsx",
        views.SessionAttendanceExportView.as_view(),
        name="session_attendance_export",
    ),
    path(
        "sessions/<int:pk>/check-in/", views.SessionCheckInView.as_view(), name="session_check_in"
    ),
    path("sessions/<int:pk>/invite.ics", views.SessionIcsView.as_view(), name="session_ics"),
    path(
        "registrations/approvals/",
        views.RegistrationApprovalsView.as_view(),
        name="registration_approvals",
    ),
    path(
        "registrations/<int:pk>/approve/",
        views.RegistrationApproveView.as_view(),
        name="registration_approve",
    ),
    path(
        "registrations/<int:pk>/reject/",
        views.RegistrationRejectView.as_view(),
        name="registration_reject",
    ),
    path(
        "registrations/<int:pk>/cancel/",
        views.RegistrationCancelView.as_view(),
        name="registration_cancel",
    ),
    path("self-learning/", views.SelfLearningListView.as_view(), name="selflearning_list"),
    path("self-learning/new/", views.SelfLearningCreateView.as_view(), name="selflearning_create"),
    path(
        "self-learning/<int:pk>/",
        views.SelfLearningDetailView.as_view(),
        name="selflearning_detail",
    ),
    path(
        "self-learning/<int:pk>/decide/",
        views.SelfLearningDecideView.as_view(),
        name="selflearning_decide",
    ),
    path(
        "self-learning/<int:pk>/evidence/",
        views.SelfLearningEvidenceView.as_view(),
        name="selflearning_evidence",
    ),
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path(
        "certificates/expiring/",
        views.CertificateExpiringView.as_view(),
        name="certificate_expiring",
    ),
    path("certificates/new/", views.CertificateCreateView.as_view(), name="certificate_create"),
    path(
        "certificates/<int:pk>/file/",
        views.CertificateDownloadView.as_view(),
        name="certificate_download",
    ),
]
