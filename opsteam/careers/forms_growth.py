"""Forms of the growth pages (ladders, standards, competency framework, development plans,
team readiness filters); cleaned data goes straight into a service call or a selector.

Choices that name many rows (levels, skills grouped by competency group, courses) are built
once per request and handed to every form of a formset, so a formset of ten rows does not
query the same list ten times.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.careers import selectors, selectors_growth
from opsteam.careers.choices import ActionKind, ActionStatus, PlanStatus, StandardStatus
from opsteam.careers.models import DevelopmentPlan, LevelStandard
from opsteam.core.filters import SELECT as FILTER_SELECT
from opsteam.core.filters import IdChoiceFilter, SearchFilterSet
from opsteam.org.choices import LevelTrack
from opsteam.org.forms import AREA, DATE, SELECT, TEXT
from opsteam.org.models import JobLevel, OrgUnit, SkillGroup, Staff
from opsteam.training.choices import CourseStatus
from opsteam.training.models import Course

NUMBER = {"class": "form-control"}
MULTI = {"class": "form-select", "size": 6}
CHECK = {"class": "form-check-input"}


def _text(label, *, required=True, max_length=200, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=TEXT),
        **kwargs,
    )


def _area(label, *, required=False, rows=3):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={**AREA, "rows": rows})
    )


def level_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Job levels grouped by track, most junior first (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    labels = dict(LevelTrack.choices)
    for level in JobLevel.objects.order_by("track", "rank", "code"):
        groups.setdefault(str(labels.get(level.track, level.track)), []).append(
            (level.pk, f"{level.code} · {level.display_name}")
        )
    return list(groups.items())


def course_choices(*, include_inactive: bool = False) -> list[tuple[int, str]]:
    """Courses of the catalogue (active ones unless ``include_inactive``), one query."""
    courses = Course.objects.order_by("code")
    if not include_inactive:
        courses = courses.filter(status=CourseStatus.ACTIVE)
    return [(course.pk, f"{course.code} · {course.display_name}") for course in courses]


class _ChoicesFromCaller:
    """A form whose choice lists are handed in (``choices={"field": [...]}``)."""

    choice_fields: tuple[str, ...] = ()

    def __init__(self, *args, choices: dict[str, list] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, values in (choices or {}).items():
            if name in self.fields:
                field = self.fields[name]
                blank = [] if isinstance(field, forms.MultipleChoiceField) else [("", "—")]
                field.choices = blank + list(values)


# Ladders ------------------------------------------------------------------------------------


class TrackForm(forms.Form):
    code = _text(_("Code"), max_length=40)
    name = _text(_("Name"), max_length=120)
    name_en = _text(_("English name"), required=False, max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=LevelTrack.choices, widget=forms.Select(attrs=SELECT)
    )
    description = _area(_("Description"))
    description_en = _area(_("Description (English)"))
    is_active = forms.BooleanField(
        label=_("Active: people move along this track"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs=CHECK),
    )


class StepForm(_ChoicesFromCaller, forms.Form):
    """One step of the ladder: its level, its position and the levels leading into it."""

    choice_fields = ("level", "entry_from")

    order = forms.IntegerField(
        label=_("Step"),
        min_value=1,
        max_value=99,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Lowest level first; renumber to reorder."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=(), widget=forms.Select(attrs=SELECT)
    )
    entry_from = forms.TypedMultipleChoiceField(
        label=_("Also entered from (other tracks)"),
        coerce=int,
        choices=(),
        required=False,
        widget=forms.SelectMultiple(attrs={**MULTI, "size": 4}),
    )


StepFormSet = forms.formset_factory(StepForm, extra=0, can_delete=True)


def ladder_steps(formset: Any) -> list[tuple[JobLevel, list[JobLevel]]]:
    """The steps a valid ``StepFormSet`` describes, in step order (then row order)."""
    rows = [
        (form.cleaned_data.get("order") or index + 1, index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    ids = {row[2]["level"] for row in rows} | {pk for row in rows for pk in row[2]["entry_from"]}
    levels = JobLevel.objects.in_bulk(list(ids))
    return [
        (levels[data["level"]], [levels[pk] for pk in data["entry_from"]])
        for _order, _index, data in rows
    ]


# Standards ----------------------------------------------------------------------------------


def grade_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((name, name) for name in selectors.grade_scale().names)]


class StandardForm(_ChoicesFromCaller, forms.Form):
    """The thresholds of a draft standard and the courses it requires."""

    choice_fields = ("courses",)

    min_months_in_level = forms.IntegerField(
        label=_("Minimum months in the current level"),
        min_value=0,
        max_value=600,
        initial=0,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    appraisal_window = forms.IntegerField(
        label=_("Appraisal cycles considered"),
        min_value=1,
        max_value=40,
        initial=4,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("The person's most recent published cycles."),
    )
    appraisal_min_count = forms.IntegerField(
        label=_("Good grades needed"),
        min_value=0,
        max_value=40,
        initial=0,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("0: no count of good grades is required."),
    )
    appraisal_at_least = forms.ChoiceField(
        label=_("Good grade: at least"),
        required=False,
        choices=grade_choices,
        widget=forms.Select(attrs=SELECT),
    )
    appraisal_none_below = forms.ChoiceField(
        label=_("No grade below"),
        required=False,
        choices=grade_choices,
        widget=forms.Select(attrs=SELECT),
        help_text=_("Empty: any grade is accepted."),
    )
    min_assessment_score = forms.DecimalField(
        label=_("Minimum defence score (答辩)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(100),
        decimal_places=1,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.1"}),
        help_text=_("Empty: no defence is required."),
    )
    notes = _area(_("Notes"))
    notes_en = _area(_("Notes (English)"))
    courses = forms.TypedMultipleChoiceField(
        label=_("Required courses"),
        coerce=int,
        choices=(),
        required=False,
        widget=forms.SelectMultiple(attrs={**MULTI, "size": 8}),
    )

    def clean(self):
        data = super().clean()
        count, window = data.get("appraisal_min_count"), data.get("appraisal_window")
        if count and window and count > window:
            self.add_error(
                "appraisal_min_count",
                _("More good grades are required than cycles are considered."),
            )
        if count and not data.get("appraisal_at_least"):
            self.add_error("appraisal_at_least", _("Say which grade counts as good."))
        return data


class CompetencyRowForm(_ChoicesFromCaller, forms.Form):
    choice_fields = ("skill",)

    skill = forms.TypedChoiceField(
        label=_("Competency"), coerce=int, choices=(), widget=forms.Select(attrs=SELECT)
    )
    min_level = forms.IntegerField(
        label=_("Minimum level (1-5)"),
        min_value=1,
        max_value=5,
        initial=3,
        widget=forms.NumberInput(attrs=NUMBER),
    )


class CertificateRowForm(_ChoicesFromCaller, forms.Form):
    choice_fields = ("course",)

    course = forms.TypedChoiceField(
        label=_("Issued for the course"),
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    name = _text(
        _("or the certificate's name"),
        required=False,
        help_text=_("For outside certificates (e.g. PMP); matched without regard to case."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("course") and not (data.get("name") or "").strip():
            self.add_error("name", _("Name the certificate or choose its course."))
        return data


CompetencyFormSet = forms.formset_factory(CompetencyRowForm, extra=0, can_delete=True)
CertificateFormSet = forms.formset_factory(CertificateRowForm, extra=0, can_delete=True)


def kept_rows(formset: Any) -> list[dict[str, Any]]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


# Competency framework -----------------------------------------------------------------------


class SkillGroupForm(forms.Form):
    code = _text(_("Code"), max_length=40)
    name = _text(_("Name"), max_length=120)
    name_en = _text(_("English name"), required=False, max_length=120)
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=999, initial=0, widget=forms.NumberInput(NUMBER)
    )


class CompetencyForm(forms.Form):
    """A competency's group and what each of its five levels looks like at work."""

    group = forms.ModelChoiceField(
        label=_("Competency group"),
        queryset=SkillGroup.objects.order_by("order", "code"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for level in range(1, 6):
            self.fields[f"level_{level}"] = _area(_("Level {level}").format(level=level), rows=2)
            self.fields[f"level_{level}_en"] = _area(
                _("Level {level} (English)").format(level=level), rows=2
            )

    def descriptors(self) -> dict[int, tuple[str, str]]:
        return {
            level: (self.cleaned_data[f"level_{level}"], self.cleaned_data[f"level_{level}_en"])
            for level in range(1, 6)
        }


# Development plans --------------------------------------------------------------------------


class PlanCreateForm(_ChoicesFromCaller, forms.Form):
    choice_fields = ("target_level",)

    target_level = forms.TypedChoiceField(
        label=_("Target level"),
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    title = _text(_("Title"))
    goals = _area(_("Goals"), rows=4)
    end_date = forms.DateField(
        label=_("Target date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    generate = forms.BooleanField(
        label=_("Add an action for every standard not met yet (editable afterwards)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs=CHECK),
    )


class ActionForm(forms.Form):
    """An action of a development plan. ``mentors`` limits whom the mentor field offers
    (``selectors_growth.mentor_choices``); a mentoring action needs one unless it is a
    generated one that found nobody and stays as it was."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=ActionKind.choices, widget=forms.Select(attrs=SELECT)
    )
    title = _text(_("Action"))
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.order_by("code"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    skill = forms.TypedChoiceField(
        label=_("Competency"),
        coerce=int,
        empty_value=None,
        choices=(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    mentor = forms.ModelChoiceField(
        label=_("Mentor (带教)"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    due_date = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs=DATE))
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, widget=forms.Select(attrs=SELECT)
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        widget=forms.NumberInput(attrs=NUMBER),
    )

    def __init__(self, *args, mentors=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", "—"), *selectors_growth.grouped_skill_choices()]
        if mentors is not None:
            self.fields["mentor"].queryset = mentors

    def clean_skill(self):
        from opsteam.org.models import Skill

        value = self.cleaned_data.get("skill")
        return Skill.objects.filter(pk=value).first() if value else None

    def clean(self):
        data = super().clean()
        initial = self.initial
        unchanged = initial.get("kind") == ActionKind.MENTORING and not initial.get("mentor")
        if (
            data.get("kind") == ActionKind.MENTORING
            and not data.get("mentor")
            and not unchanged
            and "mentor" not in self.errors
        ):
            self.add_error("mentor", _("Name the mentor (带教) of a mentoring action."))
        return data


class CheckInForm(forms.Form):
    notes = _area(_("How is it going?"), required=True, rows=3)
    progress = forms.IntegerField(
        label=_("Overall progress (%)"),
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("Empty: the mean progress of the actions."),
    )


class PlanCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Close as"),
        choices=[
            (PlanStatus.COMPLETED, PlanStatus.COMPLETED.label),
            (PlanStatus.CANCELLED, PlanStatus.CANCELLED.label),
        ],
        widget=forms.Select(attrs=SELECT),
    )


# Team readiness -----------------------------------------------------------------------------


class ReadinessFilterForm(forms.Form):
    """Filters of the team readiness page and API (``ready``: "yes", "no" or empty)."""

    unit = forms.ModelChoiceField(
        label=_("Department or team"),
        empty_label=_("All"),
        queryset=OrgUnit.objects.filter(is_active=True).order_by("path"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    level = forms.ModelChoiceField(
        label=_("Current level"),
        empty_label=_("All"),
        queryset=JobLevel.objects.order_by("track", "rank"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    target = forms.ModelChoiceField(
        label=_("Next level"),
        empty_label=_("All"),
        queryset=JobLevel.objects.order_by("track", "rank"),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    ready = forms.ChoiceField(
        label=_("Ready"),
        required=False,
        choices=[("", _("All")), ("yes", _("Ready")), ("no", _("Not yet"))],
        widget=forms.Select(attrs=SELECT),
    )

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors_growth.team_readiness``."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        ready = {"yes": True, "no": False}.get(data.get("ready") or "")
        return {
            "unit": data.get("unit"),
            "level": data.get("level"),
            "target": data.get("target"),
            "ready": ready,
        }


class DevelopmentPlanFilterSet(SearchFilterSet):
    """Filters of the plan list page and API."""

    search_fields = ("title", "staff__name", "staff__name_en", "staff__employee_no")
    status = django_filters.ChoiceFilter(
        choices=PlanStatus.choices, label=_("Status"), widget=FILTER_SELECT
    )
    target_level = IdChoiceFilter(
        queryset=JobLevel.objects.order_by("track", "rank"),
        label=_("Target level"),
        widget=FILTER_SELECT,
    )

    class Meta:
        model = DevelopmentPlan
        fields = ["q", "status", "target_level"]


class StandardFilterSet(django_filters.FilterSet):
    """Filters of the standards API: a level's versions, or only published ones."""

    level = IdChoiceFilter(queryset=JobLevel.objects.all(), label=_("Level"))
    status = django_filters.ChoiceFilter(choices=StandardStatus.choices, label=_("Status"))

    class Meta:
        model = LevelStandard
        fields = ["level", "status"]
