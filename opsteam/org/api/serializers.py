"""Org API: read-only output serializers plus input serializers that feed services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opsteam.core.api.serializers import MAX_ID, OptionalEmailField
from opsteam.org.choices import (
    AssignmentReason,
    Gender,
    LevelTrack,
    RaciRole,
    RelationKind,
    StaffStatus,
    UnitKind,
)
from opsteam.org.models import (
    Activity,
    Assignment,
    JobDescription,
    JobDuty,
    JobLevel,
    JobRelation,
    JobSkillRequirement,
    OrgUnit,
    Position,
    Process,
    RaciAssignment,
    RoleFamily,
    Skill,
    Staff,
)


class OrgUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "parent",
            "parent_code",
            "path",
            "depth",
            "lead",
            "description",
            "is_active",
        ]
        read_only_fields = fields


class OrgUnitInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    lead = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(required=False, allow_blank=True)


class RoleFamilySerializer(serializers.ModelSerializer):
    class Meta:
        model = RoleFamily
        fields = ["id", "code", "name", "name_en", "description"]
        read_only_fields = fields


class JobLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobLevel
        fields = ["id", "code", "name", "name_en", "track", "rank"]
        read_only_fields = fields


class JobLevelInputSerializer(serializers.Serializer):
    """A job level's fields; HR and administrators create and change levels."""

    code = serializers.CharField(max_length=20, help_text="Unique, whatever its case: P2, M1.")
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    track = serializers.ChoiceField(choices=LevelTrack.choices)
    rank = serializers.IntegerField(
        min_value=0, max_value=32767, help_text="Higher is more senior."
    )


class PositionSerializer(serializers.ModelSerializer):
    family_code = serializers.CharField(source="family.code", read_only=True)

    class Meta:
        model = Position
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "family",
            "family_code",
            "unit",
            "min_level",
            "max_level",
            "headcount_plan",
            "is_active",
        ]
        read_only_fields = fields


class PositionInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    family = serializers.PrimaryKeyRelatedField(queryset=RoleFamily.objects.all())
    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    min_level = serializers.PrimaryKeyRelatedField(
        queryset=JobLevel.objects.all(), required=False, allow_null=True
    )
    max_level = serializers.PrimaryKeyRelatedField(
        queryset=JobLevel.objects.all(), required=False, allow_null=True
    )
    headcount_plan = serializers.IntegerField(min_value=0, max_value=100000, required=False)


class StaffSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    position_code = serializers.CharField(source="position.code", read_only=True)
    level_code = serializers.CharField(source="level.code", read_only=True, allow_null=True)
    manager_employee_no = serializers.CharField(
        source="manager.employee_no", read_only=True, allow_null=True
    )
    email = OptionalEmailField()
    # Empty when not recorded: declared so the schema admits "" as well as the choices.
    gender = serializers.ChoiceField(choices=Gender.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Staff
        fields = [
            "id",
            "employee_no",
            "name",
            "name_en",
            "email",
            "phone",
            "hire_date",
            "leave_date",
            "gender",
            "status",
            "unit",
            "unit_code",
            "position",
            "position_code",
            "level",
            "level_code",
            "manager",
            "manager_employee_no",
            "user",
        ]
        read_only_fields = fields


class StaffDirectorySerializer(serializers.ModelSerializer):
    """What everyone may see of a colleague (org chart, who does what)."""

    class Meta:
        model = Staff
        fields = ["id", "employee_no", "name", "name_en", "unit", "position"]
        read_only_fields = fields


class StaffCreateInputSerializer(serializers.Serializer):
    employee_no = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    hire_date = serializers.DateField()
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        allow_blank=True,
        help_text="Optional; empty means not recorded.",
    )
    status = serializers.ChoiceField(choices=StaffStatus.choices, required=False)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    level = serializers.PrimaryKeyRelatedField(
        queryset=JobLevel.objects.all(), required=False, allow_null=True
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )


class StaffUpdateInputSerializer(serializers.Serializer):
    """Personal data only; status, unit, position and manager change through ``reassign``."""

    name = serializers.CharField(max_length=120, required=False)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    hire_date = serializers.DateField(required=False)
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        allow_blank=True,
        help_text="Optional; empty means not recorded.",
    )


class StaffReassignInputSerializer(serializers.Serializer):
    effective_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=AssignmentReason.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), required=False)
    level = serializers.PrimaryKeyRelatedField(
        queryset=JobLevel.objects.all(), required=False, allow_null=True
    )
    manager = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "staff",
            "start_date",
            "end_date",
            "unit",
            "position",
            "level",
            "manager",
            "reason",
            "note",
        ]
        read_only_fields = fields


class JobDutySerializer(serializers.ModelSerializer):
    class Meta:
        model = JobDuty
        fields = [
            "order",
            "title",
            "title_en",
            "description",
            "description_en",
            "time_share",
            "standard",
            "standard_en",
            "sop_url",
            "activity",
        ]
        read_only_fields = fields


class JobSkillSerializer(serializers.ModelSerializer):
    skill_code = serializers.CharField(source="skill.code", read_only=True)

    class Meta:
        model = JobSkillRequirement
        fields = ["skill", "skill_code", "level", "is_required"]
        read_only_fields = fields


class JobRelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobRelation
        fields = ["kind", "position", "unit", "external_party", "description", "description_en"]
        read_only_fields = fields


class JobDescriptionSerializer(serializers.ModelSerializer):
    position_code = serializers.CharField(source="position.code", read_only=True)
    duties = JobDutySerializer(many=True, read_only=True)
    skill_requirements = JobSkillSerializer(many=True, read_only=True)
    relations = JobRelationSerializer(many=True, read_only=True)

    class Meta:
        model = JobDescription
        fields = [
            "id",
            "position",
            "position_code",
            "version",
            "status",
            "purpose",
            "purpose_en",
            "scope",
            "scope_en",
            "authority",
            "authority_en",
            "objectives",
            "objectives_en",
            "qualifications",
            "qualifications_en",
            "change_note",
            "effective_from",
            "published_at",
            "published_by",
            "duties",
            "skill_requirements",
            "relations",
        ]
        read_only_fields = fields


class DutyInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    time_share = serializers.IntegerField(min_value=0, max_value=100, default=0)
    standard = serializers.CharField(required=False, allow_blank=True, default="")
    standard_en = serializers.CharField(required=False, allow_blank=True, default="")
    sop_url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(), required=False, allow_null=True, default=None
    )


class SkillInputSerializer(serializers.Serializer):
    skill = serializers.PrimaryKeyRelatedField(queryset=Skill.objects.all())
    level = serializers.IntegerField(min_value=1, max_value=5)
    is_required = serializers.BooleanField(default=True)


class RelationInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    position = serializers.PrimaryKeyRelatedField(
        queryset=Position.objects.all(), required=False, allow_null=True, default=None
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), required=False, allow_null=True, default=None
    )
    external_party = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")


class JobDescriptionInputSerializer(serializers.Serializer):
    purpose = serializers.CharField(required=False, allow_blank=True)
    purpose_en = serializers.CharField(required=False, allow_blank=True)
    scope = serializers.CharField(required=False, allow_blank=True)
    scope_en = serializers.CharField(required=False, allow_blank=True)
    authority = serializers.CharField(required=False, allow_blank=True)
    authority_en = serializers.CharField(required=False, allow_blank=True)
    objectives = serializers.CharField(required=False, allow_blank=True)
    objectives_en = serializers.CharField(required=False, allow_blank=True)
    qualifications = serializers.CharField(required=False, allow_blank=True)
    qualifications_en = serializers.CharField(required=False, allow_blank=True)
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    effective_from = serializers.DateField(required=False, allow_null=True)
    duties = DutyInputSerializer(many=True, required=False)
    skills = SkillInputSerializer(many=True, required=False)
    relations = RelationInputSerializer(many=True, required=False)


class DiffSectionSerializer(serializers.Serializer):
    section = serializers.CharField()
    changed = serializers.BooleanField()
    ops = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class ProcessSerializer(serializers.ModelSerializer):
    class Meta:
        model = Process
        fields = ["id", "code", "name", "name_en", "description", "owner_unit"]
        read_only_fields = fields


class ActivitySerializer(serializers.ModelSerializer):
    process_code = serializers.CharField(source="process.code", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "code", "name", "name_en", "process", "process_code", "order"]
        read_only_fields = fields


class RaciCellSerializer(serializers.ModelSerializer):
    class Meta:
        model = RaciAssignment
        fields = ["id", "activity", "position", "role"]
        read_only_fields = fields


class RaciSetInputSerializer(serializers.Serializer):
    activity = serializers.PrimaryKeyRelatedField(queryset=Activity.objects.all())
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    role = serializers.ChoiceField(choices=RaciRole.choices, allow_null=True, allow_blank=True)


class RaciActivityFindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    activity = serializers.IntegerField()
    activity_name = serializers.CharField()
    positions = serializers.ListField(child=serializers.IntegerField())


class RaciPairFindingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    position_a = serializers.IntegerField()
    position_b = serializers.IntegerField()
    shared_activities = serializers.ListField(child=serializers.IntegerField())
    similarity = serializers.FloatField()


class RaciLoadFindingSerializer(serializers.Serializer):
    staff = serializers.IntegerField()
    load = serializers.FloatField()
    limit = serializers.FloatField()
    contributions = serializers.ListField(child=serializers.DictField())


class RaciAnalysisSerializer(serializers.Serializer):
    issue_count = serializers.IntegerField()
    activity_findings = RaciActivityFindingSerializer(many=True)
    pair_findings = RaciPairFindingSerializer(many=True)
    load_findings = RaciLoadFindingSerializer(many=True)


class WhoDoesWhatCellSerializer(serializers.Serializer):
    role = serializers.CharField()
    position = serializers.IntegerField()
    position_name = serializers.CharField()
    holders = StaffDirectorySerializer(many=True)


class WhoDoesWhatSerializer(serializers.Serializer):
    activity = serializers.IntegerField()
    activity_name = serializers.CharField()
    process = serializers.CharField()
    cells = WhoDoesWhatCellSerializer(many=True)


class OrgChartNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    lead = serializers.CharField()
    headcount = serializers.IntegerField()
    total = serializers.IntegerField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_children(self, obj):
        return obj["children"]

    children = serializers.SerializerMethodField()


# Query parameters: validated like bodies, so a bad value is a 400 and the schema bounds them.


class AssignmentQuerySerializer(serializers.Serializer):
    staff = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Staff id"
    )
    on = serializers.DateField(
        required=False, help_text="Only the assignment valid on this date (YYYY-MM-DD)"
    )


class DiffQuerySerializer(serializers.Serializer):
    against = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Version id to compare with; default the previous version",
    )


class WhoDoesWhatQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Activity or process text"
    )
