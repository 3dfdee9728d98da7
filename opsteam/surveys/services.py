"""Every write to surveys: keyword-only, one transaction each, permission-checked, audited.

The audit trail records that an invitation was answered, never what was answered: answers
of anonymous groups must not be traceable to their rater through the trail either.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opsteam.core import audit, policy
from opsteam.core.choices import AuditAction
from opsteam.core.exceptions import InvalidTransition, PolicyDenied, ValidationFailed
from opsteam.core.validation import full_clean
from opsteam.org.models import Staff
from opsteam.surveys import anonymity
from opsteam.surveys.choices import (
    NAMED_RELATIONSHIPS,
    CampaignPurpose,
    CampaignStatus,
    InvitationStatus,
    QuestionKind,
    Relationship,
)
from opsteam.surveys.models import (
    Answer,
    Campaign,
    Invitation,
    Question,
    Questionnaire,
    Subject,
)

COMMENT_MAX_LENGTH = 4000
DEANONYMISE_REASON_MIN_LENGTH = 10
QUESTION_FIELDS = (
    "kind",
    "text",
    "text_en",
    "competency",
    "competency_name",
    "competency_name_en",
    "scale_min",
    "scale_max",
    "anchors",
)


def token_hash(token: str) -> str:
    """The stored form of an external invitation token (SHA-256 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _full_clean(obj: Any, exclude: tuple[str, ...] = ()) -> None:
    full_clean(obj, exclude=exclude)


# Questionnaires


def _questions_from(questionnaire: Questionnaire, questions: list[dict[str, Any]]) -> list:
    built = []
    for order, data in enumerate(questions, start=1):
        unknown = set(data) - set(QUESTION_FIELDS)
        if unknown:
            raise ValidationFailed(
                _("Unknown question field: {name}.").format(name=sorted(unknown)[0]),
                field="questions",
            )
        question = Question(questionnaire=questionnaire, order=order, **data)
        if question.kind == QuestionKind.COMMENT:
            question.competency = question.competency or ""
        _full_clean(question, exclude=("questionnaire",))
        built.append(question)
    return built


@transaction.atomic
def questionnaire_create(
    *,
    actor: Any,
    code: str,
    name: str,
    questions: list[dict[str, Any]],
    name_en: str = "",
    description: str = "",
) -> Questionnaire:
    """Create a questionnaire (version 1, or the next version of ``code``) with its questions.

    Each question is a dict of ``QUESTION_FIELDS``: ``kind`` "rating" (with ``competency``,
    ``scale_min``/``scale_max`` and ``anchors`` [{"value", "text", "text_en"}]) or "comment".
    Questions keep the order given. Audit: create.
    """
    policy.require(actor, "add", Questionnaire)
    if not questions:
        raise ValidationFailed(_("A questionnaire needs at least one question."), field="questions")
    latest = Questionnaire.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0
    questionnaire = Questionnaire(
        code=code.strip(),
        version=latest + 1,
        name=name.strip(),
        name_en=name_en,
        description=description,
    )
    _full_clean(questionnaire)
    questionnaire.save()
    Question.objects.bulk_create(_questions_from(questionnaire, questions))
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=questionnaire,
        note=_("{count} questions").format(count=len(questions)),
    )
    return questionnaire


@transaction.atomic
def questionnaire_new_version(*, actor: Any, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a (usually frozen) questionnaire into the next version, editable again."""
    policy.require(actor, "add", Questionnaire)
    questions = [
        {name: getattr(q, name) for name in QUESTION_FIELDS} for q in questionnaire.questions.all()
    ]
    return questionnaire_create(
        actor=actor,
        code=questionnaire.code,
        name=questionnaire.name,
        name_en=questionnaire.name_en,
        description=questionnaire.description,
        questions=questions,
    )


@transaction.atomic
def question_add(*, actor: Any, questionnaire: Questionnaire, **fields: Any) -> Question:
    """Add a question at the end of a questionnaire that no campaign uses yet."""
    policy.require(actor, "change", questionnaire)
    if questionnaire.is_frozen:
        raise InvalidTransition(
            _("This questionnaire is used by a campaign; make a new version to change it.")
        )
    order = (questionnaire.questions.aggregate(o=Max("order"))["o"] or 0) + 1
    (question,) = _questions_from(questionnaire, [fields])
    question.order = order
    question.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=question)
    return question


# Campaigns


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    name: str,
    questionnaire: Questionnaire,
    deadline: Any,
    name_en: str = "",
    anonymity_threshold: int | None = None,
    rater_load_limit: int = 8,
) -> Campaign:
    """Create a draft campaign running ``questionnaire`` until ``deadline``.

    The anonymity threshold defaults to ``OPSTEAM_ANONYMITY_THRESHOLD`` and is never below 3
    (a lower value is raised to 3). The questionnaire is frozen from now on. Audit: create.
    """
    policy.require(actor, "add", Campaign)
    configured = anonymity_threshold or settings.OPSTEAM_ANONYMITY_THRESHOLD
    campaign = Campaign(
        name=name.strip(),
        name_en=name_en,
        questionnaire=questionnaire,
        deadline=deadline,
        anonymity_threshold=anonymity.effective_threshold(configured),
        rater_load_limit=rater_load_limit,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _full_clean(campaign)
    if not questionnaire.questions.filter(kind=QuestionKind.RATING).exists():
        raise ValidationFailed(
            _("The questionnaire has no rating question."), field="questionnaire"
        )
    campaign.save()
    if not questionnaire.is_frozen:
        before = audit.snapshot(questionnaire)
        questionnaire.frozen_at = timezone.now()
        questionnaire.save(update_fields=["frozen_at", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=questionnaire, before=before)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=campaign)
    return campaign


def _transition(actor: Any, campaign: Campaign, allowed_from: set[str], to: str) -> Campaign:
    policy.require(actor, "change", campaign)
    if campaign.status not in allowed_from:
        raise InvalidTransition()
    before = audit.snapshot(campaign)
    campaign.status = to
    campaign.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=campaign, before=before)
    return campaign


@transaction.atomic
def campaign_open(*, actor: Any, campaign: Campaign) -> Campaign:
    """Open a draft campaign: raters can answer their approved invitations until the deadline."""
    if campaign.deadline <= timezone.now():
        raise ValidationFailed(_("The deadline has already passed."), field="deadline")
    return _transition(actor, campaign, {CampaignStatus.DRAFT}, CampaignStatus.OPEN)


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """Close a campaign: no more answers; external links stop working."""
    return _transition(
        actor, campaign, {CampaignStatus.DRAFT, CampaignStatus.OPEN}, CampaignStatus.CLOSED
    )


def _require_not_closed(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise InvalidTransition(_("The campaign is closed."))


def _require_360(campaign: Campaign) -> None:
    if campaign.purpose != CampaignPurpose.FEEDBACK_360:
        raise InvalidTransition(
            _("Only 360 feedback campaigns review people and take proposed raters.")
        )


# Subjects and nominations


@transaction.atomic
def subject_add(*, actor: Any, campaign: Campaign, staff: Staff) -> Subject:
    """Add a person to be reviewed; their self and manager invitations are created at once.

    The self and manager invitations are approved from the start (they are named, not
    anonymous) and do not count against the rater load limit. Audit: create (each).
    """
    policy.require(actor, "add", Subject)
    _require_not_closed(campaign)
    _require_360(campaign)
    if Subject.objects.filter(campaign=campaign, staff=staff).exists():
        raise ValidationFailed(
            _("{person} is already in this campaign.").format(person=staff), field="staff"
        )
    subject = Subject.objects.create(campaign=campaign, staff=staff)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=subject)
    now = timezone.now()
    automatic = [(Relationship.SELF, staff.pk)]
    if staff.manager_id and staff.manager_id != staff.pk:
        automatic.append((Relationship.MANAGER, staff.manager_id))
    for relationship, rater_id in automatic:
        invitation = Invitation.objects.create(
            subject=subject,
            relationship=relationship,
            rater_id=rater_id,
            status=InvitationStatus.OPEN,
            decided_at=now,
        )
        audit.record(actor=actor, action=AuditAction.CREATE, obj=invitation)
    return subject


@transaction.atomic
def nominate(
    *,
    actor: Any,
    subject: Subject,
    relationship: str,
    rater: Staff | None = None,
    external_name: str = "",
    external_email: str = "",
) -> Invitation:
    """Propose a rater for ``subject`` (by the reviewee for themself, or their manager).

    ``rater`` is a staff member, except for external customers, who are named by
    ``external_name`` (and ``external_email``) and answer through a link once approved.
    Self and manager invitations are automatic and cannot be proposed. Audit: create.
    """
    policy.require(actor, "nominate", subject)
    _require_not_closed(subject.campaign)
    _require_360(subject.campaign)
    if (
        relationship in NAMED_RELATIONSHIPS
        or relationship == Relationship.PARTICIPANT
        or relationship not in Relationship.values
    ):
        raise ValidationFailed(
            _("Choose a relationship that can be proposed."), field="relationship"
        )
    if relationship == Relationship.EXTERNAL_CUSTOMER:
        if rater is not None:
            raise ValidationFailed(
                _("An external customer is named, not chosen from staff."), field="rater"
            )
        if not external_name.strip():
            raise ValidationFailed(_("Name the external customer."), field="external_name")
    else:
        if rater is None:
            raise ValidationFailed(_("Choose a rater."), field="rater")
        if rater.pk == subject.staff_id:
            raise ValidationFailed(
                _("People give feedback on themselves through their self-assessment."),
                field="rater",
            )
        if Invitation.objects.filter(subject=subject, rater=rater).exists():
            raise ValidationFailed(
                _("{rater} is already a rater of {person}.").format(
                    rater=rater, person=subject.staff
                ),
                field="rater",
            )
    invitation = Invitation.objects.create(
        subject=subject,
        relationship=relationship,
        rater=rater,
        external_name=external_name.strip() if rater is None else "",
        external_email=external_email.strip() if rater is None else "",
        status=InvitationStatus.PROPOSED,
        proposed_by=actor,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=invitation)
    return invitation


def _require_approver(actor: Any, invitation: Invitation) -> None:
    policy.require(actor, "approve", invitation.subject)
    _require_360(invitation.subject.campaign)
    if invitation.subject.staff.user_id == actor.pk:
        raise PolicyDenied(_("You cannot approve raters for your own feedback."))
    if invitation.status != InvitationStatus.PROPOSED:
        raise InvalidTransition(_("Only proposed raters can be approved or declined."))
    _require_not_closed(invitation.subject.campaign)


@dataclass
class Approval:
    """The approved invitation and, for an external customer, the link token (shown once)."""

    invitation: Invitation
    token: str = ""


@transaction.atomic
def approve(*, actor: Any, invitation: Invitation) -> Approval:
    """Approve a proposed rater (the reviewee's manager, HR or an administrator).

    Refused with a ValidationFailed naming the rater when they already hold the campaign's
    rater load limit of open invitations. An external customer gets an unguessable link
    token, returned here once and stored only hashed. Audit: update.
    """
    _require_approver(actor, invitation)
    campaign = invitation.subject.campaign
    if invitation.rater_id is not None:
        # serialise approvals of the same rater so two at once cannot both pass the limit
        list(Staff.objects.select_for_update().filter(pk=invitation.rater_id).values("pk"))
        load = Invitation.objects.filter(
            subject__campaign=campaign, rater_id=invitation.rater_id, status=InvitationStatus.OPEN
        ).count()
        if load >= campaign.rater_load_limit:
            raise ValidationFailed(
                _(
                    "{rater} already has {load} open invitations in this campaign "
                    "(the limit is {limit}); choose someone else."
                ).format(rater=invitation.rater, load=load, limit=campaign.rater_load_limit),
                field="rater",
            )
    before = audit.snapshot(invitation, exclude=("token_hash",))
    token = ""
    fields = ["status", "decided_by", "decided_at", "updated_at"]
    if invitation.relationship == Relationship.EXTERNAL_CUSTOMER:
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        fields.append("token_hash")
    invitation.status = InvitationStatus.OPEN
    invitation.decided_by = actor
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=invitation,
        before=before,
        after=audit.snapshot(invitation, exclude=("token_hash",)),
    )
    return Approval(invitation=invitation, token=token)


@transaction.atomic
def decline(*, actor: Any, invitation: Invitation) -> Invitation:
    """Decline a proposed rater. Audit: update."""
    _require_approver(actor, invitation)
    before = audit.snapshot(invitation, exclude=("token_hash",))
    invitation.status = InvitationStatus.DECLINED
    invitation.decided_by = actor
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=invitation, before=before)
    return invitation


# Answering


def _save_answers(
    *,
    actor: Any,
    invitation: Invitation,
    ratings: dict[int, Any],
    comments: dict[int, str],
    final: bool,
) -> Invitation:
    campaign = invitation.subject.campaign
    if campaign.status != CampaignStatus.OPEN or campaign.deadline <= timezone.now():
        raise InvalidTransition(_("This feedback campaign is not open for answers."))
    if invitation.status == InvitationStatus.SUBMITTED:
        raise InvalidTransition(_("This feedback was already submitted and is final."))
    if invitation.status != InvitationStatus.OPEN:
        raise InvalidTransition(_("This invitation is not open."))
    questions = list(campaign.questionnaire.questions.all())
    known = {q.pk for q in questions}
    for key in [*ratings, *comments]:
        if int(key) not in known:
            raise ValidationFailed(_("Unknown question {id}.").format(id=key), field="answers")
    rows = []
    for question in questions:
        if question.is_rating:
            value = ratings.get(question.pk, ratings.get(str(question.pk)))
            if value in (None, ""):
                if final:
                    raise ValidationFailed(
                        _("Rate every question: “{question}” has no rating.").format(
                            question=question.display_text
                        ),
                        field=f"q{question.pk}",
                    )
                continue
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = None
            if value is None or not question.scale_min <= value <= question.scale_max:
                raise ValidationFailed(
                    _("Ratings run from {low} to {high}.").format(
                        low=question.scale_min, high=question.scale_max
                    ),
                    field=f"q{question.pk}",
                )
            rows.append(Answer(invitation=invitation, question=question, rating=value))
        else:
            text = str(comments.get(question.pk, comments.get(str(question.pk))) or "").strip()
            if len(text) > COMMENT_MAX_LENGTH:
                raise ValidationFailed(
                    _("Comments are at most {n} characters.").format(n=COMMENT_MAX_LENGTH),
                    field=f"q{question.pk}",
                )
            if text:
                rows.append(Answer(invitation=invitation, question=question, comment=text))
    Answer.objects.filter(invitation=invitation).delete()
    Answer.objects.bulk_create(rows)
    before = {"status": invitation.status}
    now = timezone.now()
    if final:
        invitation.status = InvitationStatus.SUBMITTED
        invitation.submitted_at = now
    invitation.draft_saved_at = now
    invitation.save(update_fields=["status", "submitted_at", "draft_saved_at", "updated_at"])
    # What was answered stays out of the trail: only that the invitation moved on.
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=invitation,
        before=before,
        after={"status": invitation.status},
        note=_("feedback submitted") if final else _("feedback draft saved"),
    )
    return invitation


@transaction.atomic
def submit_response(
    *,
    actor: Any,
    invitation: Invitation,
    ratings: dict[int, Any],
    comments: dict[int, str] | None = None,
    final: bool = True,
) -> Invitation:
    """Save the rater's answers to their own invitation; ``final=False`` keeps a draft.

    ``ratings`` and ``comments`` map question ids to a rating / a text. Submitting requires
    a rating for every rating question (comments are optional) and is final: submitted
    answers cannot be changed. Only the invited rater may answer (others get NotVisible).
    """
    policy.require(actor, "answer", invitation)
    return _save_answers(
        actor=actor, invitation=invitation, ratings=ratings, comments=comments or {}, final=final
    )


@transaction.atomic
def external_response_submit(
    *,
    token: str,
    ratings: dict[int, Any],
    comments: dict[int, str] | None = None,
    final: bool = True,
) -> Invitation:
    """Answer an external customer's invitation through its link token (no login)."""
    from opsteam.surveys import selectors

    invitation = selectors.external_invitation(token=token)
    if invitation is None:
        from opsteam.core.exceptions import NotVisible

        raise NotVisible()
    return _save_answers(
        actor=None, invitation=invitation, ratings=ratings, comments=comments or {}, final=final
    )


# The one de-anonymisation path


@transaction.atomic
def responses_deanonymise(*, actor: Any, subject: Subject, reason: str) -> list[dict[str, Any]]:
    """Return every answer about ``subject`` with its rater, for a documented investigation.

    Allowed only to roles listed in ``OPSTEAM_SURVEY_DEANONYMISE_ROLES`` (nobody by default)
    who may view the subject, with a reason of at least 10 characters. Every use writes an
    audit entry carrying the reason. Never exposed through the API or exports.
    """
    allowed = set(getattr(settings, "OPSTEAM_SURVEY_DEANONYMISE_ROLES", []) or [])
    roles = {str(role.value) for role in policy.user_roles(actor)}
    policy.require(actor, "view", subject)
    if not roles & allowed:
        raise PolicyDenied(_("Nobody may see who wrote which feedback here."))
    if len((reason or "").strip()) < DEANONYMISE_REASON_MIN_LENGTH:
        raise ValidationFailed(
            _("Give a reason of at least {n} characters.").format(n=DEANONYMISE_REASON_MIN_LENGTH),
            field="reason",
        )
    answers = (
        Answer.objects.filter(invitation__subject=subject, invitation__status="submitted")
        .select_related("invitation__rater", "question")
        .order_by("invitation_id", "question__order")
    )
    rows = [
        {
            "rater": answer.invitation.rater_label,
            "relationship": answer.invitation.relationship,
            "question": answer.question.display_text,
            "rating": answer.rating,
            "comment": answer.comment,
        }
        for answer in answers
    ]
    audit.record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=subject,
        after={"deanonymised_answers": len(rows)},
        note=_("De-anonymised: {reason}").format(reason=reason.strip()),
    )
    return rows


@transaction.atomic
def subjects_add_bulk(*, actor: Any, campaign: Campaign, staff_ids: list[int]) -> int:
    """Add many people at once (a review cycle's population) in a few set-based statements.

    As ``subject_add``: each gets their self and manager invitations, approved from the start.
    People already in the campaign are skipped. Audit: one update of the campaign with the
    count (not one entry per person). Returns how many were added.
    """
    policy.require(actor, "add", Subject)
    _require_not_closed(campaign)
    _require_360(campaign)
    present = set(campaign.subjects.values_list("staff_id", flat=True))
    wanted = [pk for pk in dict.fromkeys(staff_ids) if pk not in present]
    if not wanted:
        return 0
    Subject.objects.bulk_create(
        [Subject(campaign=campaign, staff_id=pk) for pk in wanted], batch_size=2000
    )
    subjects = dict(
        Subject.objects.filter(campaign=campaign, staff_id__in=wanted).values_list("staff_id", "pk")
    )
    managers = dict(Staff.objects.filter(pk__in=wanted).values_list("pk", "manager_id"))
    now = timezone.now()
    invitations = []
    for staff_id in wanted:
        raters = [(Relationship.SELF, staff_id)]
        manager_id = managers.get(staff_id)
        if manager_id and manager_id != staff_id:
            raters.append((Relationship.MANAGER, manager_id))
        invitations += [
            Invitation(
                subject_id=subjects[staff_id],
                relationship=relationship,
                rater_id=rater_id,
                status=InvitationStatus.OPEN,
                decided_at=now,
            )
            for relationship, rater_id in raters
        ]
    Invitation.objects.bulk_create(invitations, batch_size=2000)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=campaign,
        before={},
        after={"subjects_added": len(wanted)},
        note=_("{count} people added for review.").format(count=len(wanted)),
    )
    return len(wanted)


# Training reaction surveys (the training app runs them; the rule on answers is the same)

REACTION_QUESTIONNAIRE_CODE = "TRAINING-REACTION"
REACTION_ITEMS = ("satisfaction", "relevance", "instructor", "materials")
REACTION_RECOMMEND = "recommend"


def _points(texts: list[tuple[str, str]], start: int = 1) -> list[dict[str, Any]]:
    return [
        {"value": value, "text": zh, "text_en": en}
        for value, (zh, en) in enumerate(texts, start=start)
    ]


_AGREEMENT = [
    ("非常不满意", "Very dissatisfied"),
    ("不满意", "Dissatisfied"),
    ("一般", "Neutral"),
    ("满意", "Satisfied"),
    ("非常满意", "Very satisfied"),
]
_RELEVANCE = [
    ("完全无关", "Not relevant at all"),
    ("关系不大", "Slightly relevant"),
    ("有些相关", "Somewhat relevant"),
    ("相关", "Relevant"),
    ("非常相关，马上能用", "Very relevant: I can use it right away"),
]
_QUALITY = [
    ("很差", "Poor"),
    ("较差", "Fair"),
    ("一般", "Adequate"),
    ("好", "Good"),
    ("非常好", "Excellent"),
]

REACTION_QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": QuestionKind.RATING,
        "text": "总体而言，你对本次培训的满意度如何？",
        "text_en": "Overall, how satisfied are you with this training?",
        "competency": "satisfaction",
        "competency_name": "满意度",
        "competency_name_en": "Satisfaction",
        "scale_min": 1,
        "scale_max": 5,
        "anchors": _points(_AGREEMENT),
    },
    {
        "kind": QuestionKind.RATING,
        "text": "培训内容与你的日常工作相关吗？",
        "text_en": "How relevant is what you learnt to your work?",
        "competency": "relevance",
        "competency_name": "与工作相关",
        "competency_name_en": "Relevance to my work",
        "scale_min": 1,
        "scale_max": 5,
        "anchors": _points(_RELEVANCE),
    },
    {
        "kind": QuestionKind.RATING,
        "text": "讲师的讲解和互动如何？",
        "text_en": "How good was the instructor?",
        "competency": "instructor",
        "competency_name": "讲师",
        "competency_name_en": "Instructor",
        "scale_min": 1,
        "scale_max": 5,
        "anchors": _points(_QUALITY),
    },
    {
        "kind": QuestionKind.RATING,
        "text": "培训材料（讲义、练习、案例）如何？",
        "text_en": "How good were the materials (handouts, exercises, cases)?",
        "competency": "materials",
        "competency_name": "培训材料",
        "competency_name_en": "Materials",
        "scale_min": 1,
        "scale_max": 5,
        "anchors": _points(_QUALITY),
    },
    {
        "kind": QuestionKind.RATING,
        "text": "你有多大可能向同事推荐这门课程？（0 = 完全不可能，10 = 极有可能）",
        "text_en": "How likely are you to recommend this course to a colleague? "
        "(0 = not at all likely, 10 = extremely likely)",
        "competency": REACTION_RECOMMEND,
        "competency_name": "推荐意愿",
        "competency_name_en": "Would recommend",
        "scale_min": 0,
        "scale_max": 10,
        "anchors": [
            {"value": 0, "text": "完全不可能", "text_en": "Not at all likely"},
            {"value": 10, "text": "极有可能", "text_en": "Extremely likely"},
        ],
    },
    {
        "kind": QuestionKind.COMMENT,
        "text": "有什么建议能让这门课程更好？",
        "text_en": "What would make this course better?",
    },
]


@transaction.atomic
def reaction_questionnaire_ensure(*, actor: Any) -> Questionnaire:
    """The standard training reaction questionnaire (code ``TRAINING-REACTION``): its latest
    version, created (version 1) on first use. Idempotent.

    Standard content, not user input, so no surveys permission is asked: the training app's
    services call this after checking their own (HR, or the session's instructor). HR may
    publish a later version through the questionnaire services; the latest is used.
    """
    existing = (
        Questionnaire.objects.filter(code=REACTION_QUESTIONNAIRE_CODE).order_by("-version").first()
    )
    if existing is not None:
        return existing
    questionnaire = Questionnaire(
        code=REACTION_QUESTIONNAIRE_CODE,
        version=1,
        name="培训反应评估",
        name_en="Training reaction survey",
        description="每次培训后由参训人员匿名填写：满意度、与工作相关、讲师、材料、推荐意愿。",
    )
    _full_clean(questionnaire)
    questionnaire.save()
    Question.objects.bulk_create(_questions_from(questionnaire, REACTION_QUESTIONS))
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=questionnaire,
        note=_("{count} questions").format(count=len(REACTION_QUESTIONS)),
    )
    return questionnaire


@transaction.atomic
def reaction_campaign_create(
    *,
    actor: Any,
    name: str,
    topic: str,
    deadline: Any,
    name_en: str = "",
    anonymity_threshold: int | None = None,
) -> Campaign:
    """Create and open a training reaction campaign with its one subject (``topic``: what is
    rated, e.g. the course and date of a session). Participants are added with
    ``participants_invite``.

    For the training app's services, which check their own permission first (HR, or the
    session's instructor, who holds no surveys role): no surveys permission is asked here.
    Interfaces never call it directly. The threshold is never below 3. Audit: create (campaign,
    subject), update (questionnaire frozen).
    """
    questionnaire = reaction_questionnaire_ensure(actor=actor)
    if not topic.strip():
        raise ValidationFailed(_("Say what the survey is about."), field="topic")
    if deadline <= timezone.now():
        raise ValidationFailed(_("The deadline has already passed."), field="deadline")
    configured = anonymity_threshold or settings.OPSTEAM_ANONYMITY_THRESHOLD
    campaign = Campaign(
        name=name.strip()[:200],
        name_en=name_en.strip()[:200],
        questionnaire=questionnaire,
        deadline=deadline,
        anonymity_threshold=anonymity.effective_threshold(configured),
        rater_load_limit=1,
        status=CampaignStatus.OPEN,
        purpose=CampaignPurpose.TRAINING_REACTION,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _full_clean(campaign)
    campaign.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=campaign)
    if not questionnaire.is_frozen:
        before = audit.snapshot(questionnaire)
        questionnaire.frozen_at = timezone.now()
        questionnaire.save(update_fields=["frozen_at", "updated_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=questionnaire, before=before)
    subject = Subject.objects.create(campaign=campaign, topic=topic.strip()[:300])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=subject)
    return campaign


@transaction.atomic
def participants_invite(*, actor: Any, campaign: Campaign, staff_ids: list[int]) -> int:
    """Invite people as anonymous participants of a reaction campaign's subject, in a few
    set-based statements. People already invited are skipped (idempotent). Invitations are
    open at once. Audit: one update of the campaign with the count. Returns how many were
    invited.

    For the training app's services, which check their own permission first (see
    ``reaction_campaign_create``).
    """
    if campaign.purpose != CampaignPurpose.TRAINING_REACTION:
        raise InvalidTransition(_("Participants are invited only to training reaction surveys."))
    _require_not_closed(campaign)
    subject = campaign.subjects.order_by("pk").first()
    if subject is None:
        raise InvalidTransition(_("This survey has nothing to rate."))
    present = set(subject.invitations.values_list("rater_id", flat=True))
    wanted = [pk for pk in dict.fromkeys(staff_ids) if pk is not None and pk not in present]
    if not wanted:
        return 0
    now = timezone.now()
    Invitation.objects.bulk_create(
        [
            Invitation(
                subject=subject,
                relationship=Relationship.PARTICIPANT,
                rater_id=staff_id,
                status=InvitationStatus.OPEN,
                decided_at=now,
            )
            for staff_id in wanted
        ],
        batch_size=2000,
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=campaign,
        before={},
        after={"participants_invited": len(wanted)},
        note=_("{count} participants invited.").format(count=len(wanted)),
    )
    return len(wanted)
