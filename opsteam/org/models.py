"""Org structure, positions, staff with assignment history, job descriptions and RACI."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.fields import EncryptedCharField
from opsteam.core.models import BilingualNameMixin, ScopedManager, TimeStampedModel, localized
from opsteam.org.choices import (
    AssignmentReason,
    Gender,
    JobDescriptionStatus,
    LevelTrack,
    RaciRole,
    RelationKind,
    SkillCategory,
    SkillSource,
    StaffStatus,
    UnitKind,
)

PATH_SEGMENT_WIDTH = 7


class OrgUnit(BilingualNameMixin, TimeStampedModel):
    """A node of the org tree: the company, its departments and their teams.

    ``path`` is a materialised path of zero-padded ids ("0000001/0000004/") so that a subtree
    is one indexed ``startswith`` on both SQLite and PostgreSQL; services keep it current.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.TEAM
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    lead = models.ForeignKey(
        "Staff",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_units",
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def get_absolute_url(self) -> str:
        return reverse("org:orgunit_detail", args=[self.pk])

    @staticmethod
    def path_segment(pk: int) -> str:
        return f"{pk:0{PATH_SEGMENT_WIDTH}d}/"


class RoleFamily(BilingualNameMixin, TimeStampedModel):
    """A family of operations roles (store ops, content ops, user ops, data, promotion...)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("role family")
        verbose_name_plural = _("role families")
        ordering = ["sort_order", "code"]


class JobLevel(BilingualNameMixin, TimeStampedModel):
    """A grade on a career track (P1 junior operator ... M3 director)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    track = models.CharField(_("track"), max_length=20, choices=LevelTrack.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("Higher is more senior."))

    class Meta:
        verbose_name = _("job level")
        verbose_name_plural = _("job levels")
        ordering = ["track", "rank"]


class Position(BilingualNameMixin, TimeStampedModel):
    """A position in the catalogue; its duties live in versioned job descriptions."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    family = models.ForeignKey(
        RoleFamily,
        verbose_name=_("role family"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("home unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    min_level = models.ForeignKey(
        JobLevel,
        verbose_name=_("lowest level"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    max_level = models.ForeignKey(
        JobLevel,
        verbose_name=_("highest level"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    headcount_plan = models.PositiveIntegerField(_("planned headcount"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["family__sort_order", "code"]

    def get_absolute_url(self) -> str:
        return reverse("org:position_detail", args=[self.pk])

    @property
    def jd_version_label(self) -> str:
        """Summarise JD state from the list annotations ``published_version``/``draft_version``."""
        from django.utils.translation import gettext

        published = getattr(self, "published_version", None)
        draft = getattr(self, "draft_version", None)
        parts = []
        if published:
            parts.append(gettext("v{version} published").format(version=published))
        if draft:
            parts.append(gettext("v{version} draft").format(version=draft))
        return " · ".join(parts) or gettext("none")


class SkillGroup(BilingualNameMixin, TimeStampedModel):
    """A group of the competency framework (数据能力, 沟通协作 ...)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("competency group")
        verbose_name_plural = _("competency groups")
        ordering = ["order", "code"]


class Skill(BilingualNameMixin, TimeStampedModel):
    """A competency of the framework: a professional skill, tool, knowledge or general ability.

    Job descriptions require it and career levels set a minimum for it, at a level from 1 to 5,
    each level described by a ``SkillLevelDescriptor``.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=SkillCategory.choices)
    group = models.ForeignKey(
        SkillGroup,
        verbose_name=_("competency group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="skills",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["category", "code"]


class Staff(TimeStampedModel):
    """A member of the operations organisation; current assignment fields mirror the open
    ``Assignment`` row, which is the history later modules query by date."""

    employee_no = models.CharField(_("employee number"), max_length=40, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Encrypted at rest (core.fields); shown only to HR, administrators and the person.
    id_number = EncryptedCharField(_("ID card number"), max_length=18)
    bank_account = EncryptedCharField(_("bank account"), max_length=34)
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    # Optional: blank means not recorded. Read by the incentives fairness review only.
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        default="",
        db_default="",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StaffStatus.choices, default=StaffStatus.ACTIVE
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="holders"
    )
    level = models.ForeignKey(
        JobLevel,
        verbose_name=_("level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holders",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    concurrent_positions = models.ManyToManyField(
        Position,
        verbose_name=_("concurrent positions"),
        blank=True,
        related_name="concurrent_holders",
        help_text=_("Positions held in addition to the main one (兼岗)."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_no"]
        indexes = [models.Index(fields=["status", "unit"], name="org_staff_status_unit_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    def get_absolute_url(self) -> str:
        return reverse("org:staff_detail", args=[self.pk])


class SkillLevelDescriptor(models.Model):
    """What level 1..5 of a competency looks like at work (the behaviour a rater looks for)."""

    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.CASCADE, related_name="level_descriptors"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    description = models.TextField(_("description"))
    description_en = models.TextField(_("description (English)"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        ordering = ["skill", "level"]
        constraints = [
            models.UniqueConstraint(fields=["skill", "level"], name="org_skilllevel_once")
        ]

    def __str__(self) -> str:
        return f"{self.skill} L{self.level}"

    @property
    def label(self) -> str:
        return localized(self, "description")


class StaffSkill(models.Model):
    """A person's recorded level (1 to 5) in a skill, and where it came from.

    Training raises it when a course is passed; careers reads it for skill gaps and eligibility.
    Levels only go up through training; assessments may set any level (each change audited).
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="skills"
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="holders"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    source = models.CharField(_("source"), max_length=20, choices=SkillSource.choices)
    source_ref = models.CharField(_("evidence"), max_length=60, blank=True)
    recorded_on = models.DateField(_("recorded on"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("skill level")
        verbose_name_plural = _("skill levels")
        ordering = ["staff", "skill__code"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "skill"], name="org_staffskill_once")
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.skill}: {self.level}"


class Compensation(models.Model):
    """Base pay from a date on (effective-dated, like assignments): the input of pay reviews and
    bonus rules. Visible to HR, administrators and the person; other reads are audited."""

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="compensation"
    )
    effective_from = models.DateField(_("effective from"))
    base_salary = models.DecimalField(
        _("monthly base salary"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensation")
        ordering = ["staff_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "effective_from"], name="org_compensation_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(base_salary__gte=0), name="org_compensation_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.effective_from.isoformat()}"


class Assignment(models.Model):
    """Who held which unit, position, level and manager from ``start_date`` to ``end_date``.

    Dates are inclusive; the open row has no end date. Rows never overlap for one person.
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="assignments"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="assignments"
    )
    level = models.ForeignKey(
        JobLevel,
        verbose_name=_("level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    manager = models.ForeignKey(
        Staff,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=AssignmentReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignment history")
        ordering = ["staff_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="org_assignment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(end_date__isnull=True),
                name="org_assignment_one_open_per_staff",
            ),
        ]
        indexes = [models.Index(fields=["staff", "start_date"], name="org_assignment_staff_idx")]

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else "…"
        return f"{self.staff} {self.start_date.isoformat()}–{end} {self.position}"


class JobDescription(TimeStampedModel):
    """One version of a position's job description (岗位说明书).

    Published versions are read-only; editing starts a new draft; publishing a draft
    supersedes the previous published version.
    """

    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        on_delete=models.CASCADE,
        related_name="job_descriptions",
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=JobDescriptionStatus.choices,
        default=JobDescriptionStatus.DRAFT,
    )
    purpose = models.TextField(_("purpose"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    scope = models.TextField(_("scope"), blank=True)
    scope_en = models.TextField(_("scope (English)"), blank=True)
    authority = models.TextField(_("authority"), blank=True)
    authority_en = models.TextField(_("authority (English)"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    objectives_en = models.TextField(_("objectives (English)"), blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    qualifications_en = models.TextField(_("qualifications (English)"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    TEXT_FIELDS = ("purpose", "scope", "authority", "objectives", "qualifications")

    class Meta:
        verbose_name = _("job description")
        verbose_name_plural = _("job descriptions")
        ordering = ["position__code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "version"], name="org_jobdescription_unique_version"
            ),
            models.UniqueConstraint(
                fields=["position"],
                condition=Q(status="draft"),
                name="org_jobdescription_one_draft_per_position",
            ),
            models.UniqueConstraint(
                fields=["position"],
                condition=Q(status="published"),
                name="org_jobdescription_one_published_per_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("org:jobdescription_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status == JobDescriptionStatus.DRAFT


class JobDuty(models.Model):
    """A duty in a job description with its share of time, work standard and SOP."""

    job_description = models.ForeignKey(
        JobDescription, on_delete=models.CASCADE, related_name="duties"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("duty"), max_length=200)
    title_en = models.CharField(_("duty (English)"), max_length=200, blank=True)
    description = models.TextField(_("details"), blank=True)
    description_en = models.TextField(_("details (English)"), blank=True)
    time_share = models.PositiveSmallIntegerField(
        _("share of time (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    standard = models.TextField(_("work standard"), blank=True)
    standard_en = models.TextField(_("work standard (English)"), blank=True)
    sop_url = models.CharField(_("SOP link"), max_length=500, blank=True)
    activity = models.ForeignKey(
        "Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return localized(self, "title")


class JobSkillRequirement(models.Model):
    """A skill a job description requires, at a level from 1 (aware) to 5 (expert)."""

    job_description = models.ForeignKey(
        JobDescription, on_delete=models.CASCADE, related_name="skill_requirements"
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("skill", "proficiency level"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    is_required = models.BooleanField(_("required"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("skill requirement")
        verbose_name_plural = _("skill requirements")
        ordering = ["skill__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_description", "skill"], name="org_jobskillrequirement_unique_skill"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="org_jobskillrequirement_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.level}"


class JobRelation(models.Model):
    """A collaboration relationship of a position with another position, unit or party."""

    job_description = models.ForeignKey(
        JobDescription, on_delete=models.CASCADE, related_name="relations"
    )
    kind = models.CharField(_("with"), max_length=20, choices=RelationKind.choices)
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    external_party = models.CharField(_("external party"), max_length=200, blank=True)
    description = models.TextField(_("how they work together"), blank=True)
    description_en = models.TextField(_("how they work together (English)"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("collaboration relationship")
        verbose_name_plural = _("collaboration relationships")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return str(self.position or self.unit or self.external_party)

    @property
    def counterpart(self) -> str:
        return str(self.position or self.unit or self.external_party)


class Process(BilingualNameMixin, TimeStampedModel):
    """A business process grouping activities (e.g. promotion campaign, after-sales)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="processes",
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["code"]


class Activity(BilingualNameMixin, TimeStampedModel):
    """A unit of work within a process; the rows of the RACI matrix."""

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="activities"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["process__code", "order", "code"]


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: a position's role (R/A/C/I) in an activity."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="raci"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.CASCADE, related_name="raci"
    )
    role = models.CharField(_("RACI"), max_length=1, choices=RaciRole.choices)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("RACI cell")
        verbose_name_plural = _("RACI matrix")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "position"], name="org_raciassignment_unique_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.position}: {self.role}"


class PurgeRecord(models.Model):
    """That a former employee's identifying data was erased: when, by whom, where.

    Holds only the pseudonym and counts; the staff row it points at is pseudonymous too.
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="purges"
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=120)
    purged_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows_changed = models.JSONField(_("rows changed per table"), default=dict)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-purged_at"]

    def __str__(self) -> str:
        return f"{self.pseudonym} {self.purged_at:%Y-%m-%d}"
