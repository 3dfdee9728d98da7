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
