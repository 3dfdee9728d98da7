from django.urls import path

from opsteam.surveys import views
from opsteam.surveys.urls_pulse import urlpatterns as pulse_urlpatterns

app_name = "surveys"

urlpatterns = [
    path("to-give/", views.InvitationListView.as_view(), name="invitation_list"),
    path("invitations/<int:pk>/", views.InvitationAnswerView.as_view(), name="invitation_answer"),
    path(
        "invitations/<int:pk>/approve/",
        views.InvitationDecisionView.as_view(approve=True),
        name="invitation_approve",
    ),
    path(
        "invitations/<int:pk>/decline/",
        views.InvitationDecisionView.as_view(approve=False),
        name="invitation_decline",
    ),
    # The one page without login (core.middleware lets exactly this pattern through).
    path("respond/<str:token>/", views.ExternalRespondView.as_view(), name="external_respond"),
    path("questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire_list"),
    path(
        "questionnaires/<int:pk>/",
        views.QuestionnaireDetailView.as_view(),
        name="questionnaire_detail",
    ),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/open/", views.CampaignOpenView.as_view(), name="campaign_open"),
    path("campaigns/<int:pk>/close/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("campaigns/<int:pk>/export/", views.CampaignExportView.as_view(), name="campaign_export"),
    path("campaigns/<int:pk>/subjects/", views.SubjectAddView.as_view(), name="subject_add"),
    path("subjects/<int:pk>/", views.SubjectDetailView.as_view(), name="subject_detail"),
    path("subjects/<int:pk>/results/", views.SubjectResultsView.as_view(), name="subject_results"),
]

urlpatterns += pulse_urlpatterns
