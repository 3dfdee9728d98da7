"""Choices of the survey instrument (360 feedback now; training reactions and pulse later)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating (competency)")
    COMMENT = "comment", _("Comment (free text)")


class CampaignPurpose(models.TextChoices):
    """What a campaign measures: people (360 feedback) or a training session (reaction)."""

    FEEDBACK_360 = "feedback_360", _("360 feedback")
    TRAINING_REACTION = "training_reaction", _("Training reaction survey")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Relationship(models.TextChoices):
    """How a rater relates to the person reviewed. Self and manager answers are attributed
    (named); every other group is anonymous and released only at the threshold."""

    SELF = "self", _("Self")
    MANAGER = "manager", _("Manager")
    DOTTED_LINE = "dotted_line", _("Dotted-line manager or project lead")
    PEER = "peer", _("Peer")
    DIRECT_REPORT = "direct_report", _("Direct report")
    INTERNAL_CUSTOMER = "internal_customer", _("Internal customer")
    EXTERNAL_CUSTOMER = "external_customer", _("External customer")
    # A trainee answering a training session's reaction survey (anonymous, like peers).
    PARTICIPANT = "participant", _("Training participant")


NAMED_RELATIONSHIPS = frozenset({Relationship.SELF, Relationship.MANAGER})
# Raters a reviewee or manager may propose in a 360 campaign (participants are invited by the
# training app from the attendance list, never proposed).
NOMINATABLE_RELATIONSHIPS = [
    choice
    for choice in Relationship.choices
    if choice[0] not in NAMED_RELATIONSHIPS and choice[0] != Relationship.PARTICIPANT
]


class InvitationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DECLINED = "declined", _("Declined")
    OPEN = "open", _("Invited")
    SUBMITTED = "submitted", _("Submitted")
