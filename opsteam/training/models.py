"""Training and development (培训与发展): catalogue, plans, delivery, assessment, effectiveness.

A course is taught in sessions or learnt alone; plans bundle courses for a stage of a role and
rules hand plans out on events (hire, position or level change, improvement plan). Each person's
progress in a course is one ``Enrolment``; exams, attendance, reaction surveys and the 30/60/90-day
behaviour checks all hang off it, which is what the effectiveness report reads.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opsteam.core.models import BilingualNameMixin, TimeStampedModel, localized
from opsteam.training.choices import (
    ApprovalStatus,
    AssignmentSource,
    AttemptStatus,
    CertificateSource,
    CheckpointStatus,
    CourseCategory,
    CourseStatus,
    DeliveryMode,
    EnrolmentStatus,
    ExamKind,
    LearningKind,
    MaterialKind,
    PlanStage,
    Provider,
    QuestionKind,
    RegistrationStatus,
    SessionStatus,
    TeachingMethod,
    Trigger,
)

SKILL_LEVELS = [MinValueValidator(1), MaxValueValidator(5)]


class Course(BilingualNameMixin, TimeStampedModel):
    """A course in the catalogue: what it teaches, how, for how long, and to which skill level."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("title"), max_length=200)
    name_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.CharField(_("category"), max_length=30, choices=CourseCategory.choices)
    method = models.CharField(
        _("teaching method"),
        max_length=20,
        choices=TeachingMethod.choices,
        default=TeachingMethod.THEORY,
    )
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.CLASSROOM
    )
    provider = models.CharField(
        _("provider"), max_length=20, choices=Provider.choices, default=Provider.INTERNAL
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        symmetrical=False,
        blank=True,
        related_name="unlocks",
    )
    owner = models.ForeignKey(
        "org.Staff",
        verbose_name=_("course owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_courses",
    )
    is_open = models.BooleanField(
        _("open for self-enrolment"),
        default=True,
        help_text=_("Anyone may enrol themselves; otherwise only by plan or by hand."),
    )
    requires_approval = models.BooleanField(_("session registration needs approval"), default=False)
    issues_certificate = models.BooleanField(_("issues a certificate"), default=False)
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the certificate does not expire."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CourseStatus.choices, default=CourseStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["category", "code"]

    def get_absolute_url(self) -> str:
        return reverse("training:course_detail", args=[self.pk])

    @property
    def display_description(self) -> str:
        return localized(self, "description")


class CourseSkill(models.Model):
    """A skill the course teaches and the level a person reaches by passing it."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="skills"
    )
    skill = models.ForeignKey(
        "org.Skill", verbose_name=_("skill"), on_delete=models.PROTECT, related_name="courses"
    )
    target_level = models.PositiveSmallIntegerField(
        _("level reached"), validators=SKILL_LEVELS, help_text=_("1 (basic) to 5 (expert).")
    )

    class Meta:
        verbose_name = _("skill taught")
        verbose_name_plural = _("skills taught")
        ordering = ["course", "skill__code"]
        constraints = [
            models.UniqueConstraint(fields=["course", "skill"], name="training_courseskill_once")
        ]

    def __str__(self) -> str:
        return f"{self.skill} → {self.target_level}"


class Material(TimeStampedModel):
    """A file or link of a course. Replacing a material adds a version; old ones stay readable."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    file = models.FileField(
        _("file"), upload_to="training/materials/%Y/%m/", blank=True, max_length=300
    )
    url = models.URLField(_("link"), blank=True, max_length=500)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        ordering = ["course", "title", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "title", "version"], name="training_material_version_once"
            ),
            models.UniqueConstraint(
                fields=["course", "title"],
                condition=Q(is_current=True),
                name="training_material_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def clean(self) -> None:
        if self.kind == MaterialKind.LINK and not self.url:
            raise ValidationError({"url": _("A link material needs its address.")})
        if self.kind == MaterialKind.FILE and not self.file:
            raise ValidationError({"file": _("Choose the file to upload.")})


class TrainingPlan(BilingualNameMixin, TimeStampedModel):
    """Courses for one stage of a role: onboarding, role skills or continuous development."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=PlanStage.choices)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["stage", "code"]

    def get_absolute_url(self) -> str:
        return reverse("training:plan_detail", args=[self.pk])


class PlanCourse(models.Model):
    """A course in a plan, due some days after the plan is assigned."""

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="plan_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    due_days = models.PositiveSmallIntegerField(
        _("due (days after assignment)"), default=30, validators=[MaxValueValidator(730)]
    )
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("course in plan")
        verbose_name_plural = _("courses in plan")
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "course"], name="training_plancourse_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} · {self.course.code}"


class AssignmentRule(TimeStampedModel):
    """Gives a plan to everyone an event concerns (hire, position or level change, PIP start),
    optionally only in a unit's subtree, a position or a level."""

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="rules"
    )
    trigger = models.CharField(_("when"), max_length=20, choices=Trigger.choices)
    unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("only in unit (and below)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.ForeignKey(
        "org.Position",
        verbose_name=_("only for position"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    level = models.ForeignKey(
        "org.JobLevel",
        verbose_name=_("only at level"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    due_days = models.PositiveSmallIntegerField(
        _("plan due (days after the event)"), default=30, validators=[MaxValueValidator(730)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["plan", "trigger", "pk"]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.get_trigger_display()}"


class PlanAssignment(TimeStampedModel):
    """A plan given to a person, by a rule on an event, by hand, or taken by themself.

    ``source_ref`` names the event ("assignment:123", "pip:7", "manual:<uuid>") so re-running
    the rules never assigns the same plan for the same event twice.
    """

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="training_plans",
    )
    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="assignments"
    )
    rule = models.ForeignKey(
        AssignmentRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    source = models.CharField(_("source"), max_length=10, choices=AssignmentSource.choices)
    source_ref = models.CharField(_("event"), max_length=60)
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due on"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        verbose_name = _("assigned plan")
        verbose_name_plural = _("assigned plans")
        ordering = ["-assigned_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "plan", "source_ref"], name="training_planassignment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.plan}"


class Enrolment(TimeStampedModel):
    """One person's progress in one course: assigned or self-chosen, then completed."""

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="enrolments"
    )
    plan_assignment = models.ForeignKey(
        PlanAssignment,
        verbose_name=_("from plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    source = models.CharField(_("source"), max_length=10, choices=AssignmentSource.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ASSIGNED,
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    external_score = models.DecimalField(
        _("external result (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("A result from training outside OpsTeam (a provider's exam), imported."),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "course"], name="training_enrolment_once")
        ]
        indexes = [
            models.Index(fields=["course", "status"], name="training_enrol_course_idx"),
            models.Index(fields=["status", "due_on"], name="training_enrol_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} · {self.course}"

    def get_absolute_url(self) -> str:
        return reverse("training:enrolment_detail", args=[self.pk])

    def is_overdue(self, today: dt.date) -> bool:
        return (
            self.status in (EnrolmentStatus.ASSIGNED, EnrolmentStatus.IN_PROGRESS)
            and self.due_on is not None
            and self.due_on < today
        )


class Session(TimeStampedModel):
    """A scheduled delivery of a course: who teaches, when, where, for how many."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    instructor = models.ForeignKey(
        "org.Staff",
        verbose_name=_("instructor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="taught_sessions",
    )
    external_instructor = models.CharField(_("external instructor"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True, max_length=500)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=20, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    reaction_campaign = models.OneToOneField(
        "surveys.Campaign",
        verbose_name=_("reaction survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_session",
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("training:session_detail", args=[self.pk])

    @property
    def instructor_label(self) -> str:
        return str(self.instructor) if self.instructor_id else self.external_instructor

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The session must end after it starts.")})
        if not self.location and not self.online_url:
            raise ValidationError({"location": _("Give a place or an online link.")})


class Registration(TimeStampedModel):
    """A person's seat in a session: pending approval, registered, waiting, then attended."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="registrations"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session registration")
        verbose_name_plural = _("session registrations")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="training_registration_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.staff} · {self.session}"


class SelfLearning(TimeStampedModel):
    """Learning outside the catalogue (books, external courses, conferences), with evidence."""

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="self_learning",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LearningKind.choices)
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider or author"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("500"))],
    )
    completed_on = models.DateField(_("completed on"))
    evidence = models.FileField(
        _("evidence"), upload_to="training/evidence/%Y/%m/", blank=True, max_length=300
    )
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    summary = models.TextField(_("what I learnt"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.SUBMITTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("self-learning record")
        verbose_name_plural = _("self-learning records")
        ordering = ["-completed_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Certificate(TimeStampedModel):
    """A certificate a person holds: issued on completing a course or uploaded for an external one."""

    staff = models.ForeignKey(
        "org.Staff",
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    source = models.CharField(_("source"), max_length=10, choices=CertificateSource.choices)
    name = models.CharField(_("certificate"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(
        _("file"), upload_to="training/certificates/%Y/%m/", blank=True, max_length=300
    )
    renewal_reminded_on = models.DateField(_("renewal reminder sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "pk"]
        indexes = [models.Index(fields=["expires_on"], name="training_cert_expiry_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.expires_on and self.issued_on and self.expires_on <= self.issued_on:
            raise ValidationError(
                {"expires_on": _("A certificate must expire after it is issued.")}
            )


class Question(TimeStampedModel):
    """A question in a course's bank (题库)."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.TextField(_("question"))
    text_en = models.TextField(_("question (English)"), blank=True)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    explanation = models.TextField(_("explanation shown after grading"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("exam question")
        verbose_name_plural = _("exam questions")
        ordering = ["course", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def display_text(self) -> str:
        return localized(self, "text")


class QuestionOption(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    text = models.CharField(_("option"), max_length=500)
    text_en = models.CharField(_("option (English)"), max_length=500, blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def display_text(self) -> str:
        return localized(self, "text")


class RubricCriterion(models.Model):
    """One criterion of a practical task's rubric (评分标准) and its points."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="rubric"
    )
    text = models.CharField(_("criterion"), max_length=300)
    text_en = models.CharField(_("criterion (English)"), max_length=300, blank=True)
    max_points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def display_text(self) -> str:
        return localized(self, "text")


class Exam(BilingualNameMixin, TimeStampedModel):
    """A pre-test or post-test of a course: its questions, pass mark, time limit and attempts."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="exams"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ExamKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    questions = models.ManyToManyField(
        Question, verbose_name=_("questions"), blank=True, related_name="exams"
    )
    draw_count = models.PositiveSmallIntegerField(
        _("questions drawn per attempt"),
        null=True,
        blank=True,
        help_text=_("Empty: every question of the exam."),
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    partial_credit = models.BooleanField(_("partial credit on multiple choice"), default=False)
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["course", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "kind"],
                condition=Q(is_active=True),
                name="training_exam_one_open_per_kind",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("training:exam_detail", args=[self.pk])


class Attempt(TimeStampedModel):
    """One sitting of an exam. ``paper`` fixes the drawn questions and option order."""

    exam = models.ForeignKey(
        Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="attempts"
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    paper = models.JSONField(_("paper"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
    )
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    overdue = models.BooleanField(_("submitted after the time limit"), default=False)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(
        _("out of"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        ordering = ["exam", "enrolment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "enrolment", "number"], name="training_attempt_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("training:attempt_detail", args=[self.pk])


class AttemptAnswer(models.Model):
    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    selected = models.JSONField(_("options chosen"), default=list, blank=True)
    text = models.TextField(_("answer"), blank=True)
    awarded = models.DecimalField(
        _("points awarded"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    rubric_awards = models.JSONField(_("rubric points"), default=dict, blank=True)
    grader_comment = models.CharField(_("grader's comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("exam answer")
        verbose_name_plural = _("exam answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="training_attemptanswer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


class BehaviourItem(models.Model):
    """A behaviour the course should change, observed by the manager at 30/60/90 days."""

    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="behaviour_items",
    )
    text = models.CharField(_("behaviour"), max_length=300)
    text_en = models.CharField(_("behaviour (English)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("observed behaviour")
        verbose_name_plural = _("observed behaviours")
        ordering = ["course", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def display_text(self) -> str:
        return localized(self, "text")


class BehaviourCheck(TimeStampedModel):
    """A manager's observation of a trainee some days after completion (行为层评估)."""

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="behaviour_checks",
    )
    checkpoint_days = models.PositiveSmallIntegerField(_("days after the course"))
    due_on = models.DateField(_("due on"))
    observer = models.ForeignKey(
        "org.Staff",
        verbose_name=_("observer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CheckpointStatus.choices, default=CheckpointStatus.DUE
    )
    ratings = models.JSONField(
        _("ratings"), default=dict, blank=True, help_text=_("Behaviour item id → 1..5.")
    )
    comment = models.TextField(_("comment"), blank=True)
    observed_at = models.DateTimeField(_("observed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("behaviour check")
        verbose_name_plural = _("behaviour checks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "checkpoint_days"], name="training_behaviourcheck_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} +{self.checkpoint_days}"
