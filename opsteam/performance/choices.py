from django.db import models
from django.utils.translation import gettext_lazy as _

from opsteam.performance import aggregation, scoring


class KpiCategory(models.TextChoices):
    EFFICIENCY = "efficiency", _("Efficiency")
    QUALITY = "quality", _("Quality")
    GOAL_ATTAINMENT = "goal_attainment", _("Goal attainment")
    PROJECT_COMPLETION = "project_completion", _("Project completion")
    ACCURACY = "accuracy", _("Accuracy")
    SPEED = "speed", _("Speed")
    SATISFACTION = "satisfaction", _("Customer or user satisfaction")
    TEAMWORK = "teamwork", _("Teamwork")


class KpiDirection(models.IntegerChoices):
    HIGHER = 1, _("Higher is better")
    LOWER = -1, _("Lower is better")


class KpiAggregation(models.IntegerChoices):
    """How a period's value comes from its measurements (engine codes in aggregation.py)."""

    SUM = aggregation.SUM, _("Sum")
    MEAN = aggregation.MEAN, _("Average")
    LAST = aggregation.LAST, _("Latest value")
    MIN = aggregation.MIN, _("Lowest value")
    MAX = aggregation.MAX, _("Highest value")
    RATIO = aggregation.RATIO, _("Ratio of two measures")


class ScoringRule(models.IntegerChoices):
    """How a period value becomes a score (engine codes in scoring.py)."""

    LINEAR = scoring.LINEAR, _("Linear between threshold, target and stretch")
    BANDS = scoring.BANDS, _("Score bands")
    DEDUCTION = scoring.DEDUCTION, _("Deduction per unit below target")
    BONUS = scoring.BONUS, _("Bonus points above target, capped")
    PASS_FAIL = scoring.PASS_FAIL, _("Pass or fail")


class MissingRule(models.IntegerChoices):
    SPREAD = scoring.SPREAD, _("Spread its weight over the measured KPIs")
    ZERO = scoring.ZERO, _("Score it 0")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class MeasurementSource(models.TextChoices):
    IMPORT = "import", _("Import")
    API = "api", _("API")
    MANUAL = "manual", _("Entered by hand")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half year")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom")


class CycleStage(models.TextChoices):
    """The stages of a review cycle, in order (the state machine is in ``cycles.py``)."""

    DRAFT = "draft", _("Draft")
    GOAL_SETTING = "goal_setting", _("Goal setting")
    SELF_REVIEW = "self_review", _("Self-review")
    FEEDBACK = "feedback", _("360 nomination and feedback")
    MANAGER_REVIEW = "manager_review", _("Manager review")
    CALIBRATION = "calibration", _("Calibration")
    PUBLISHED = "published", _("Published")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    CLOSED = "closed", _("Closed")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for self-review")
    SELF_DONE = "self_done", _("Self-review submitted")
    MANAGER_DONE = "manager_done", _("Manager review submitted")
    PUBLISHED = "published", _("Published")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    APPEALED = "appealed", _("Appeal filed")
    RESOLVED = "resolved", _("Appeal resolved")


class GradeSource(models.TextChoices):
    """Where a final grade came from."""

    REVIEW = "review", _("Review")
    CALIBRATION = "calibration", _("Calibration")
    APPEAL = "appeal", _("Appeal")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Upheld: grade changed")
    REJECTED = "rejected", _("Rejected: grade kept")


class OneOnOneCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class OneOnOneSide(models.TextChoices):
    """Which side of a 1:1 a person is on (private notes are kept per side)."""

    MANAGER = "manager", _("Manager")
    REPORT = "report", _("Report")


class ActionItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanState(models.TextChoices):
    """States of an improvement plan (the state machine is in ``coaching_states.py``)."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class PlanOutcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    EXTENDED = "extended", _("Extended")
    NOT_SUCCESSFUL = "not_successful", _("Not successful")


class PlanGoalStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("Needs more support")
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
