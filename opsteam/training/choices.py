"""Choices of the training domain (培训与发展)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseCategory(models.TextChoices):
    INDUSTRY = "industry", _("Industry knowledge")
    TOOLS = "tools", _("Tools and systems")
    DATA = "data", _("Data analysis")
    COMMUNICATION = "communication", _("Communication")
    CUSTOMER_PSYCHOLOGY = "customer_psychology", _("Customer psychology")
    CULTURE = "culture", _("Company culture")
    TEAMWORK = "teamwork", _("Teamwork")
    LEADERSHIP = "leadership", _("Leadership")
    CAREER = "career", _("Career planning")
    PROCESS = "process", _("Processes and duties")
    COMPLIANCE = "compliance", _("Compliance and safety")


class TeachingMethod(models.TextChoices):
    THEORY = "theory", _("Theory")
    CASE_STUDY = "case_study", _("Case study")
    HANDS_ON = "hands_on", _("Hands-on practice")


class DeliveryMode(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")


class Provider(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")
    CONFERENCE = "conference", _("Conference")
    CERTIFICATION = "certification", _("Certification")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class MaterialKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class PlanStage(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding (入职培训)")
    ROLE_SKILLS = "role_skills", _("Role skills (岗位技能)")
    DEVELOPMENT = "development", _("Continuous development (职业发展)")


class Trigger(models.TextChoices):
    """Events on which an assignment rule gives people a plan (values match ``rules.py``)."""

    HIRE = "hire", _("Hire")
    POSITION_CHANGE = "position_change", _("Position change")
    LEVEL_CHANGE = "level_change", _("Level change")
    IMPROVEMENT_PLAN = "improvement_plan", _("Improvement plan")


class AssignmentSource(models.TextChoices):
    RULE = "rule", _("Assigned by a rule")
    MANUAL = "manual", _("Assigned by hand")
    SELF = "self", _("Self-enrolled")


class EnrolmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


class LearningKind(models.TextChoices):
    BOOK = "book", _("Book")
    EXTERNAL_COURSE = "external_course", _("External course")
    CONFERENCE = "conference", _("Conference")
    MENTORING = "mentoring", _("Mentoring")
    OTHER = "other", _("Other")


class ApprovalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CertificateSource(models.TextChoices):
    COURSE = "course", _("Issued on completing a course")
    EXTERNAL = "external", _("External (uploaded)")


class QuestionKind(models.TextChoices):
    """Values match ``grading.py``."""

    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT = "short", _("Short answer (graded by the instructor)")
    PRACTICAL = "practical", _("Practical task (graded with a rubric)")


AUTO_GRADED = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE})


class ExamKind(models.TextChoices):
    PRE = "pre", _("Pre-test")
    POST = "post", _("Post-test")


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Awaiting grading")
    GRADED = "graded", _("Graded")


class CheckpointStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


BEHAVIOUR_CHECKPOINTS = (30, 60, 90)
