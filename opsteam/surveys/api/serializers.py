"""Surveys API: read-only output serializers plus input serializers that feed services.

No serializer here puts a rater next to an answer: results come from ``selectors`` already
aggregated and released by the anonymity rule.
"""

from rest_framework import serializers

from opsteam.core.api.serializers import OptionalEmailField
from opsteam.org.models import Staff
from opsteam.surveys.anonymity import MINIMUM_THRESHOLD
from opsteam.surveys.choices import NOMINATABLE_RELATIONSHIPS, Relationship
from opsteam.surveys.models import Campaign, Invitation, Question, Questionnaire, Subject


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "order",
            "kind",
            "text",
            "text_en",
            "competency",
            "competency_name",
            "competency_name_en",
            "scale_min",
            "scale_max",
            "anchors",
        ]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "code",
            "version",
            "name",
            "name_en",
            "description",
            "frozen_at",
            "questions",
        ]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "name_en",
            "questionnaire",
            "deadline",
            "anonymity_threshold",
            "rater_load_limit",
            "status",
            "purpose",
            "created_at",
        ]
        read_only_fields = fields


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    questionnaire = serializers.PrimaryKeyRelatedField(queryset=Questionnaire.objects.all())
    deadline = serializers.DateTimeField()
    anonymity_threshold = serializers.IntegerField(
        min_value=MINIMUM_THRESHOLD, max_value=1000, required=False
    )
    rater_load_limit = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class SubjectSerializer(serializers.ModelSerializer):
    """A person reviewed, or (``staff`` null) a topic such as a training session."""

    staff_name = serializers.CharField(source="staff.display_name", read_only=True, allow_null=True)
    unit = serializers.IntegerField(source="staff.unit_id", read_only=True, allow_null=True)

    class Meta:
        model = Subject
        fields = ["id", "campaign", "staff", "staff_name", "unit", "topic", "created_at"]
        read_only_fields = fields


class SubjectInputSerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all())


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation to give feedback (who is asked about whom; never what they answered)."""

    subject_name = serializers.CharField(source="subject.label", read_only=True)
    campaign = serializers.IntegerField(source="subject.campaign_id", read_only=True)
    rater_name = serializers.CharField(source="rater_label", read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "subject",
            "subject_name",
            "campaign",
            "relationship",
            "rater",
            "rater_name",
            "status",
        ]
        read_only_fields = fields


class NominationSerializer(serializers.Serializer):
    invitation = serializers.IntegerField(source="invitation.pk")
    rater = serializers.CharField()
    relationship = serializers.CharField()
    status = serializers.CharField()


class NominateInputSerializer(serializers.Serializer):
    relationship = serializers.ChoiceField(choices=NOMINATABLE_RELATIONSHIPS)
    rater = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    external_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    external_email = OptionalEmailField(
        read_only=False, required=False, allow_blank=True, max_length=254
    )


class DecisionInputSerializer(serializers.Serializer):
    invitation = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ApprovalSerializer(serializers.Serializer):
    invitation = InvitationSerializer()
    token = serializers.CharField(
        help_text="For an external customer: the link token, returned only once.",
        allow_blank=True,
    )


class RespondInputSerializer(serializers.Serializer):
    ratings = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text="Question id -> rating.",
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4000),
        required=False,
        help_text="Question id -> comment.",
    )
    final = serializers.BooleanField(
        default=True, help_text="Submit (final) or save a draft (false)."
    )

    def validate_ratings(self, value):
        return _question_keys(value)

    def validate_comments(self, value):
        return _question_keys(value)


def _question_keys(value: dict) -> dict:
    keys = {}
    for key, item in value.items():
        if not str(key).isdigit() or len(str(key)) > 18:
            raise serializers.ValidationError("Keys are question ids.")
        keys[int(key)] = item
    return keys


class AnswerFormRowSerializer(serializers.Serializer):
    question = QuestionSerializer()
    rating = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)


class AnswerFormSerializer(serializers.Serializer):
    questions = AnswerFormRowSerializer(many=True)


class _PresentKeysOnly:
    """Serialise only the keys the selector produced: a withheld group stays a bare
    ``{"released": false}`` (no null figures that look like data)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


class FigureSerializer(_PresentKeysOnly, serializers.Serializer):
    competency = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    question_id = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False)
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    raw_mean = serializers.FloatField(allow_null=True, required=False)
    adjustment = serializers.FloatField(allow_null=True, required=False)


class GroupResultSerializer(_PresentKeysOnly, serializers.Serializer):
    relationship = serializers.ChoiceField(choices=Relationship.choices, required=False)
    label = serializers.CharField(required=False)
    named = serializers.BooleanField(required=False)
    released = serializers.BooleanField()
    responses = serializers.IntegerField(required=False)
    mean = serializers.FloatField(allow_null=True, required=False)
    raw_mean = serializers.FloatField(allow_null=True, required=False)
    adjustment = serializers.FloatField(allow_null=True, required=False)
    questions = FigureSerializer(many=True, required=False)
    competencies = FigureSerializer(many=True, required=False)


class CommentSerializer(serializers.Serializer):
    relationship = serializers.CharField()
    label = serializers.CharField()
    question = serializers.CharField()
    text = serializers.CharField()


class SubjectResultsSerializer(serializers.Serializer):
    subject_id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    threshold = serializers.IntegerField()
    groups = GroupResultSerializer(many=True)
    overall = GroupResultSerializer()
    comments = CommentSerializer(many=True)
    shows_adjustments = serializers.BooleanField()


class TeamRateSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit = serializers.CharField()
    subjects = serializers.IntegerField()
    invited = serializers.IntegerField()
    submitted = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ResponseRatesSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    submitted = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    teams = TeamRateSerializer(many=True)
