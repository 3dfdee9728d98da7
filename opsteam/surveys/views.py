"""Survey pages: feedback to give, campaigns, nominations, results, the external link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.core import exports, policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import PolicyMixin, ServiceFormView
from opsteam.surveys import selectors, services
from opsteam.surveys.choices import CampaignStatus, InvitationStatus
from opsteam.surveys.forms import CampaignForm, NominateForm, SubjectAddForm
from opsteam.surveys.models import Campaign, Invitation, Questionnaire, Subject


def _answers_from(post: Any, questions: list[dict[str, Any]]) -> tuple[dict, dict]:
    ratings, comments = {}, {}
    for row in questions:
        question = row["question"]
        value = post.get(f"q{question.pk}", "")
        if question.is_rating:
            ratings[question.pk] = value or None
        else:
            comments[question.pk] = value
    return ratings, comments


def _answer_title(invitation: Invitation) -> str:
    subject = invitation.subject
    if subject.staff_id is None:
        return _("Your feedback on {topic}").format(topic=subject.topic)
    return _("Feedback on {person}").format(person=subject.staff)


def _apply_posted(questions: list[dict[str, Any]], post: Any) -> None:
    """Keep what the rater typed when the page comes back with an error."""
    for row in questions:
        value = post.get(f"q{row['question'].pk}", "")
        if row["question"].is_rating:
            row["rating"] = int(value) if value.isdigit() else None
        else:
            row["comment"] = value


class InvitationListView(PolicyMixin, View):
    """ "My feedback to give", and the user's own reviews (to nominate raters and read results)."""

    def get(self, request):
        user = request.user
        invitations = list(selectors.invitations_to_give(user=user))
        own_subjects = list(
            Subject.objects.restrict(user, "view")
            .filter(staff__user=user)
            .select_related("campaign")
            .order_by("-campaign__deadline")
        )
        return render(
            request,
            "surveys/invitation_list.html",
            {
                "title": _("My feedback to give"),
                "to_give": [i for i in invitations if i.status == InvitationStatus.OPEN],
                "given": [i for i in invitations if i.status == InvitationStatus.SUBMITTED],
                "own_subjects": own_subjects,
            },
        )


class InvitationAnswerView(PolicyMixin, View):
    """Answer one invitation: every rating required, comments optional; draft or submit."""

    template_name = "surveys/invitation_answer.html"

    def get_invitation(self) -> Invitation:
        return policy.scoped_get(
            Invitation.objects.select_related("subject__staff", "subject__campaign__questionnaire"),
            self.request.user,
            "answer",
            pk=self.kwargs["pk"],
        )

    def get(self, request, pk):
        invitation = self.get_invitation()
        policy.require(request.user, "answer", invitation)
        return self.render(invitation, selectors.invitation_form_data(invitation=invitation))

    def render(self, invitation, data, error=None, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "title": _answer_title(invitation),
                "invitation": invitation,
                "campaign": invitation.subject.campaign,
                "questions": data["questions"],
                "error": error,
                "submitted": invitation.status == InvitationStatus.SUBMITTED,
                "form_action": self.request.path,
            },
            status=status,
        )

    def post(self, request, pk):
        invitation = self.get_invitation()
        policy.require(request.user, "answer", invitation)
        data = selectors.invitation_form_data(invitation=invitation)
        ratings, comments = _answers_from(request.POST, data["questions"])
        final = "submit" in request.POST
        try:
            services.submit_response(
                actor=request.user,
                invitation=invitation,
                ratings=ratings,
                comments=comments,
                final=final,
            )
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            _apply_posted(data["questions"], request.POST)
            return self.render(invitation, data, error=exc, status=400)
        messages.success(
            request, _("Thank you: your feedback is submitted.") if final else _("Draft saved.")
        )
        if final:
            return redirect("surveys:invitation_list")
        return redirect("surveys:invitation_answer", pk=invitation.pk)


class ExternalRespondView(View):
    """The external customer's page: no login, the link token is the only key.

    A wrong token or an expired link (campaign closed or past its deadline) answers 404.
    """

    template_name = "surveys/external_respond.html"

    def get_invitation(self, token: str) -> Invitation:
        invitation = selectors.external_invitation(token=token)
        if invitation is None:
            raise Http404(_("This link is not valid or has expired."))
        return invitation

    def render(self, invitation, data, error=None, status=200, done=False):
        return render(
            self.request,
            self.template_name,
            {
                "title": _answer_title(invitation),
                "invitation": invitation,
                "campaign": invitation.subject.campaign,
                "questions": data["questions"],
                "error": error,
                "submitted": done or invitation.status == InvitationStatus.SUBMITTED,
                "form_action": self.request.path,
            },
            status=status,
        )

    def get(self, request, token):
        invitation = self.get_invitation(token)
        return self.render(invitation, selectors.invitation_form_data(invitation=invitation))

    def post(self, request, token):
        invitation = self.get_invitation(token)
        data = selectors.invitation_form_data(invitation=invitation)
        ratings, comments = _answers_from(request.POST, data["questions"])
        final = "submit" in request.POST
        try:
            services.external_response_submit(
                token=token, ratings=ratings, comments=comments, final=final
            )
        except NotVisible as exc:
            raise Http404(_("This link is not valid or has expired.")) from exc
        except OpsTeamError as exc:
            _apply_posted(data["questions"], request.POST)
            return self.render(invitation, data, error=exc, status=400)
        invitation.refresh_from_db()
        data = selectors.invitation_form_data(invitation=invitation)
        return self.render(invitation, data, done=final)


class QuestionnaireListView(PolicyMixin, View):
    def get(self, request):
        policy.require(request.user, "view", Questionnaire)
        return render(
            request,
            "surveys/questionnaire_list.html",
            {
                "title": _("Questionnaires"),
                "questionnaires": selectors.questionnaire_list(user=request.user),
            },
        )


class QuestionnaireDetailView(PolicyMixin, View):
    def get(self, request, pk):
        questionnaire = policy.scoped_get(Questionnaire.objects.all(), request.user, pk=pk)
        return render(
            request,
            "surveys/questionnaire_detail.html",
            {
                "title": str(questionnaire),
                "questionnaire": questionnaire,
                "questions": list(questionnaire.questions.all()),
            },
        )


class CampaignListView(PolicyMixin, View):
    def get(self, request):
        policy.require(request.user, "view", Campaign)
        return render(
            request,
            "surveys/campaign_list.html",
            {
                "title": _("Feedback campaigns"),
                "campaigns": selectors.campaign_list(user=request.user),
                "can_add": policy.can(request.user, "add", Campaign),
            },
        )


class CampaignCreateView(ServiceFormView):
    form_class = CampaignForm
    model = Campaign
    policy_action = "add"
    title = gettext_lazy("New feedback campaign")
    success_message = gettext_lazy("Campaign created as a draft.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def context(self, form, obj):
        return {**super().context(form, obj), "cancel_url": reverse("surveys:campaign_list")}

    def perform(self, form, obj):
        return services.campaign_create(actor=self.request.user, **form.cleaned_data)


class CampaignDetailView(PolicyMixin, View):
    def get(self, request, pk):
        campaign = policy.scoped_get(
            Campaign.objects.select_related("questionnaire"), request.user, pk=pk
        )
        user = request.user
        can_change = policy.can(user, "change", campaign)
        return render(
            request,
            "surveys/campaign_detail.html",
            {
                "title": str(campaign),
                "campaign": campaign,
                "subjects": selectors.subject_list(user=user, campaign=campaign),
                "rates": selectors.response_rates(campaign=campaign, user=user),
                "can_change": can_change,
                "can_export": policy.can(user, "export", campaign),
                "add_form": SubjectAddForm(user=user) if can_change and campaign.is_360 else None,
                "is_draft": campaign.status == CampaignStatus.DRAFT,
                "is_open": campaign.status == CampaignStatus.OPEN,
            },
        )


class CampaignTransitionView(PolicyMixin, View):
    service_name = ""
    done_message = ""

    def post(self, request, pk):
        campaign = policy.scoped_get(Campaign.objects.all(), request.user, "change", pk=pk)
        try:
            getattr(services, self.service_name)(actor=request.user, campaign=campaign)
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.done_message)
        return redirect(campaign.get_absolute_url())


class CampaignOpenView(CampaignTransitionView):
    service_name = "campaign_open"
    done_message = gettext_lazy("The campaign is open: raters can answer now.")


class CampaignCloseView(CampaignTransitionView):
    service_name = "campaign_close"
    done_message = gettext_lazy("The campaign is closed.")


class SubjectAddView(PolicyMixin, View):
    def post(self, request, pk):
        campaign = policy.scoped_get(Campaign.objects.all(), request.user, pk=pk)
        policy.require(request.user, "add", Subject)
        form = SubjectAddForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose a person to review."))
            return redirect(campaign.get_absolute_url())
        try:
            services.subject_add(actor=request.user, campaign=campaign, **form.cleaned_data)
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Added; self and manager invitations were created."))
        return redirect(campaign.get_absolute_url())


class CampaignExportView(PolicyMixin, View):
    """Released results of every subject the user may see, as xlsx or csv."""

    def get(self, request, pk):
        campaign = policy.scoped_get(Campaign.objects.all(), request.user, "export", pk=pk)
        file_format = request.GET.get("file_format", "xlsx")
        if file_format not in {"xlsx", "csv"}:
            file_format = "xlsx"
        header, rows = selectors.campaign_export_rows(campaign=campaign, viewer=request.user)
        return exports.spreadsheet_response(
            stem=f"feedback-{campaign.pk}", file_format=file_format, header=header, rows=rows
        )


class SubjectDetailView(PolicyMixin, View):
    def get(self, request, pk, form=None, status=200):
        subject = policy.scoped_get(
            Subject.objects.select_related("staff", "campaign"), request.user, pk=pk
        )
        user = request.user
        # raters of subjects that are not people (training sessions) are invited, not proposed
        takes_nominations = (
            subject.campaign.is_360 and subject.campaign.status != CampaignStatus.CLOSED
        )
        can_nominate = takes_nominations and policy.can(user, "nominate", subject)
        can_approve = (
            takes_nominations
            and policy.can(user, "approve", subject)
            and subject.staff.user_id != user.pk
        )
        return render(
            request,
            "surveys/subject_detail.html",
            {
                "title": _("Feedback for {person}").format(person=subject.label),
                "subject": subject,
                "campaign": subject.campaign,
                "nominations": selectors.subject_nominations(user=user, subject=subject),
                "can_nominate": can_nominate,
                "can_approve": can_approve,
                "can_see_results": policy.can(user, "results", subject),
                "form": form or (NominateForm(user=user) if can_nominate else None),
            },
            status=status,
        )

    def post(self, request, pk):
        """Nominate a rater."""
        subject = policy.scoped_get(Subject.objects.all(), request.user, "nominate", pk=pk)
        form = NominateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.nominate(actor=request.user, subject=subject, **form.cleaned_data)
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Rater proposed; their manager decides."))
                return redirect(subject.get_absolute_url())
        return self.get(request, pk, form=form, status=400)


class SubjectResultsView(PolicyMixin, View):
    def get(self, request, pk):
        subject = policy.scoped_get(
            Subject.objects.select_related("staff", "campaign__questionnaire"),
            request.user,
            "results",
            pk=pk,
        )
        results = selectors.subject_results(subject, request.user)
        return render(
            request,
            "surveys/subject_results.html",
            {
                "title": _("Feedback results: {person}").format(person=subject.label),
                "subject": subject,
                "results": results,
            },
        )


class InvitationDecisionView(PolicyMixin, View):
    """Approve or decline a proposed rater (the subject's manager, HR or an administrator)."""

    approve = True

    def post(self, request, pk):
        visible = Subject.objects.restrict(request.user, "view")
        invitation = (
            Invitation.objects.select_related("subject__staff", "subject__campaign", "rater")
            .filter(pk=pk, subject__in=visible)
            .first()
        )
        if invitation is None:
            raise Http404(_("Not found."))
        try:
            if self.approve:
                approval = services.approve(actor=request.user, invitation=invitation)
            else:
                services.decline(actor=request.user, invitation=invitation)
        except NotVisible:
            raise
        except PolicyDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            if self.approve and approval.token:
                link = request.build_absolute_uri(
                    reverse("surveys:external_respond", args=[approval.token])
                )
                messages.success(
                    request,
                    _("Approved. Send this link to {name}; it is shown only once: {link}").format(
                        name=invitation.external_name, link=link
                    ),
                )
            else:
                messages.success(request, _("Approved.") if self.approve else _("Declined."))
        return redirect(invitation.subject.get_absolute_url())
