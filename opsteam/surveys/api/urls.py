from rest_framework.routers import DefaultRouter

from opsteam.surveys.api import pulse, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("questionnaires", views.QuestionnaireViewSet, basename="survey-questionnaire")
router.register("campaigns", views.CampaignViewSet, basename="survey-campaign")
router.register("subjects", views.SubjectViewSet, basename="survey-subject")
router.register("invitations", views.InvitationViewSet, basename="survey-invitation")
router.register("pulse-questions", pulse.PulseQuestionViewSet, basename="survey-pulse-question")
router.register("pulse-surveys", pulse.PulseSurveyViewSet, basename="survey-pulse")
router.register("pulse-waves", pulse.PulseWaveViewSet, basename="survey-pulse-wave")

urlpatterns = router.urls
