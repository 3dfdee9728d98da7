"""Surveys API viewsets: reads scoped by the policy, writes through services, results only
through the anonymity-applying selectors."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from opsteam.core import exports
from opsteam.core.api.schema import SPREADSHEET_RESPONSES
from opsteam.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from opsteam.surveys import selectors, services
from opsteam.surveys.api import serializers as s
from opsteam.surveys.filters import CampaignFilterSet, InvitationFilterSet, SubjectFilterSet
from opsteam.surveys.models import Campaign, Invitation, Questionnaire, Subject

FORMAT_PARAMETER = OpenApiParameter(
    "file_format",
    str,
    enum=["xlsx", "csv"],
    default="xlsx",
    description="Spreadsheet format of the export.",
)


class QuestionnaireViewSet(ScopedReadOnlyViewSet):
    """Questionnaire versions with their questions (HR, administrators, auditors)."""

    queryset = Questionnaire.objects.prefetch_related("questions")
    serializer_class = s.QuestionnaireSerializer
    ordering = ["code", "-version"]


class CampaignViewSet(ScopedModelViewSet):
    """Feedback campaigns: HR and administrators run them; managers and auditors read them."""

    queryset = Campaign.objects.all()
    serializer_class = s.CampaignSerializer
    filterset_class = CampaignFilterSet
    ordering = ["-deadline", "-id"]
    policy_actions = {
        "open": "change",
        "close": "change",
        "export": "export",
        "response_rates": "view",
    }

    @extend_schema(request=s.CampaignInputSerializer, responses={201: s.CampaignSerializer})
    def create(self, request: Request) -> Response:
        data = s.CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_create(actor=request.user, **data.validated_data)
        return Response(s.CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        campaign = services.campaign_open(actor=request.user, campaign=self.get_object())
        return Response(s.CampaignSerializer(campaign).data)

    @extend_schema(request=None, responses=s.CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        campaign = services.campaign_close(actor=request.user, campaign=self.get_object())
        return Response(s.CampaignSerializer(campaign).data)

    @extend_schema(responses=s.ResponseRatesSerializer)
    @action(detail=True, methods=["get"], url_path="response-rates", filter_backends=[])
    def response_rates(self, request: Request, pk: str | None = None) -> Response:
        """Invited, answered and rate, for the campaign and per team of the people reviewed."""
        rates = selectors.response_rates(campaign=self.get_object(), user=request.user)
        return Response(s.ResponseRatesSerializer(rates).data)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=SPREADSHEET_RESPONSES)
    @action(detail=True, methods=["get"], filter_backends=[])
    def export(self, request: Request, pk: str | None = None):
        """Released results per person, rater group and competency (withheld groups: no
        figures). Formula injection escaped."""
        campaign = self.get_object()
        header, rows = selectors.campaign_export_rows(campaign=campaign, viewer=request.user)
        file_format = "csv" if request.query_params.get("file_format") == "csv" else "xlsx"
        return exports.spreadsheet_response(
            stem=f"feedback-{campaign.pk}", file_format=file_format, header=header, rows=rows
        )


class SubjectViewSet(ScopedModelViewSet):
    """People reviewed. Nominations, approvals and results hang off each subject."""

    queryset = Subject.objects.select_related("staff")
    serializer_class = s.SubjectSerializer
    filterset_class = SubjectFilterSet
    ordering = ["campaign_id", "id"]
    policy_actions = {
        "nominate": "nominate",
        "approve": "approve",
        "decline": "approve",
        "results": "results",
        "nominations": "view",
    }

    @extend_schema(request=s.SubjectInputSerializer, responses={201: s.SubjectSerializer})
    def create(self, request: Request) -> Response:
        data = s.SubjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = services.subject_add(actor=request.user, **data.validated_data)
        return Response(s.SubjectSerializer(subject).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.NominateInputSerializer, responses={201: s.InvitationSerializer})
    @action(detail=True, methods=["post"])
    def nominate(self, request: Request, pk: str | None = None) -> Response:
        subject = self.get_object()
        data = s.NominateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.nominate(actor=request.user, subject=subject, **data.validated_data)
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.NominationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def nominations(self, request: Request, pk: str | None = None) -> Response:
        rows = selectors.subject_nominations(user=request.user, subject=self.get_object())
        return Response(s.NominationSerializer(rows, many=True).data)

    def _invitation(self, subject: Subject, request: Request) -> Invitation:
        data = s.DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = subject.invitations.filter(pk=data.validated_data["invitation"]).first()
        if invitation is None:
            raise NotFound()
        return invitation

    @extend_schema(request=s.DecisionInputSerializer, responses=s.ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a proposed rater; refused (400) past the campaign's rater load limit. For an
        external customer the answer carries the link token, once."""
        subject = self.get_object()
        approval = services.approve(
            actor=request.user, invitation=self._invitation(subject, request)
        )
        return Response(s.ApprovalSerializer(approval).data)

    @extend_schema(request=s.DecisionInputSerializer, responses=s.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        subject = self.get_object()
        invitation = services.decline(
            actor=request.user, invitation=self._invitation(subject, request)
        )
        return Response(s.InvitationSerializer(invitation).data)

    @extend_schema(responses=s.SubjectResultsSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Released results: groups below the threshold are withheld, and so is an overall
        figure that would reveal one; comments without names, shuffled."""
        results = selectors.subject_results(self.get_object(), request.user)
        return Response(s.SubjectResultsSerializer(results).data)


class InvitationViewSet(ScopedReadOnlyViewSet):
    """Invitations to give feedback: each person sees their own (HR, administrators and
    auditors see all, without answers). ``respond`` answers one's own invitation."""

    queryset = Invitation.objects.select_related("subject__staff", "rater")
    serializer_class = s.InvitationSerializer
    filterset_class = InvitationFilterSet
    ordering = ["id"]
    policy_actions = {"respond": "answer", "answer_form": "answer"}

    @extend_schema(responses=s.AnswerFormSerializer)
    @action(detail=True, methods=["get"], url_path="form", filter_backends=[])
    def answer_form(self, request: Request, pk: str | None = None) -> Response:
        """The questions with the rater's own saved answers (the invited rater only)."""
        invitation = self.get_object()
        return Response(
            s.AnswerFormSerializer(selectors.invitation_form_data(invitation=invitation)).data
        )

    @extend_schema(request=s.RespondInputSerializer, responses=s.InvitationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        """Save a draft (``final``: false) or submit (final; every rating required)."""
        invitation = self.get_object()
        data = s.RespondInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.submit_response(
            actor=request.user, invitation=invitation, **data.validated_data
        )
        return Response(s.InvitationSerializer(invitation).data)
