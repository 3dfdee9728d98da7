from rest_framework.routers import DefaultRouter

from opsteam.surveys.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("questionnaires", views.QuestionnaireViewSet, basename="survey-questionnaire")
router.register("campaigns", views.CampaignViewSet, basename="survey-campaign")
router.register("subjects", views.SubjectViewSet, basename="survey-subject")
router.register("invitations", views.InvitationViewSet, basename="survey-invitation")

urlpatterns = router.urls
