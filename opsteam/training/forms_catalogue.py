"""Forms and filters of the catalogue pages; cleaned data goes straight into a service call.

``CourseFilterSet`` and ``PlanFilterSet`` are shared by the list pages and the API.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from opsteam.core.filters import SELECT, SearchFilterSet
from opsteam.core.widgets import PeoplePicker, PersonPicker
from opsteam.org.forms import AREA, DATE, TEXT
from opsteam.org.models import OrgUnit, Skill, Staff
from opsteam.training.choices import (
    CourseCategory,
    CourseStatus,
    DeliveryMode,
    MaterialKind,
    PlanStage,
    Provider,
    TeachingMethod,
    Trigger,
)
from opsteam.training.models import AssignmentRule, Course, TrainingPlan

MULTI = {"class": "form-select", "size": 8}
CHECK = {"class": "form-check-input"}
COURSE_FORM_FIELDS = (
    "code",
    "name",
    "name_en",
    "category",
    "method",
    "delivery",
    "provider",
    "duration_hours",
    "description",
    "description_en",
    "owner",
    "is_open",
    "requires_approval",
    "issues_certificate",
    "certificate_valid_months",
    "status",
)
PLAN_FORM_FIELDS = (
    "code",
    "name",
    "name_en",
    "stage",
    "description",
    "description_en",
    "is_active",
)
RULE_FORM_FIELDS = ("plan", "trigger", "unit", "position", "level", "due_days", "is_active")


def _styled(fields: dict[str, forms.Field]) -> dict[str, forms.Field]:
    """Tabler classes on the widgets Django builds from model fields."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.update(CHECK)
        elif isinstance(widget, forms.Textarea):
            widget.attrs.update(AREA)
        elif isinstance(widget, forms.Select):
            widget.attrs.update({"class": "form-select"})
        else:
            widget.attrs.update(TEXT)
    return fields


class _ModelFieldsForm(forms.Form):
    """A plain form whose fields come from a model (never bound to an instance: services
    write, the form only validates)."""


def _model_form(name: str, model: type, field_names: tuple[str, ...], extra: dict) -> type:
    fields = _styled(fields_for_model(model, fields=list(field_names)))
    return type(name, (_ModelFieldsForm,), {**fields, **extra})


SKILL_ITEM = re.compile(r"^\s*([^:：\s]+)\s*[:：]\s*(\d)\s*$")


def parse_skills(text: str) -> list[tuple[Skill, int]]:
    """Parse "EXCEL:3; SQL:2" into (skill, level) pairs; raise ValidationError naming the bad
    item. Shared by the course form and the import."""
    pairs: list[tuple[str, int]] = []
    for item in re.split(r"[;；,，\n]", text or ""):
        if not item.strip():
            continue
        match = SKILL_ITEM.match(item)
        if not match or not 1 <= int(match.group(2)) <= 5:
            raise forms.ValidationError(
                _t("“{item}” is not CODE:LEVEL with a level from 1 to 5.").format(item=item.strip())
            )
        pairs.append((match.group(1), int(match.group(2))))
    skills = Skill.objects.in_bulk([code for code, _level in pairs], field_name="code")
    unknown = [code for code, _level in pairs if code not in skills]
    if unknown:
        raise forms.ValidationError(
            _t("Unknown skill code: {codes}.").format(codes=", ".join(unknown))
        )
    return [(skills[code], level) for code, level in pairs]


class SkillsField(forms.CharField):
    """Skills taught as "CODE:LEVEL; CODE:LEVEL"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={**TEXT, "placeholder": "EXCEL:3; SQL:2"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "; ".join(f"{skill.code}:{level}" for skill, level in value)
        return value

    def clean(self, value):
        return parse_skills(super().clean(value))


CourseForm = _model_form(
    "CourseForm",
    Course,
    COURSE_FORM_FIELDS,
    {
        "skills": SkillsField(
            label=_("Skills taught"),
            help_text=_("Skill code and level reached (1–5), e.g. EXCEL:3; SQL:2."),
        ),
        "prerequisites": forms.ModelMultipleChoiceField(
            label=_("Prerequisites"),
            queryset=Course.objects.exclude(status=CourseStatus.RETIRED),
            required=False,
            widget=forms.SelectMultiple(attrs=MULTI),
            help_text=_("Courses a person must complete before enrolling."),
        ),
    },
)
CourseForm.base_fields["owner"].widget = PersonPicker()  # before the queryset: it sets the choices
CourseForm.base_fields["owner"].queryset = Staff.objects.exclude(status="left")


class MaterialForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("Use the same title to replace a material: it becomes the next version."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MaterialKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_("File"), required=False, widget=forms.ClearableFileInput(attrs=TEXT)
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs=TEXT),
    )
    note = forms.CharField(
        label=_("What changed"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT)
    )


PLAN_ITEM = re.compile(r"^\s*([^,，\s]+)\s*(?:[,，]\s*(\d+))?\s*(?:[,，]\s*(\S+))?\s*$")
OPTIONAL_WORDS = {"optional", "选修", "可选", "no", "否", "n"}


class PlanItemsField(forms.CharField):
    """A plan's courses, one per line: "CODE, due days, optional"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={**AREA, "rows": 6}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                "{code}, {days}{optional}".format(
                    code=item["course"].code,
                    days=item["due_days"],
                    optional="" if item["is_required"] else ", optional",
                )
                for item in value
            )
        return value

    def clean(self, value):
        text = super().clean(value)
        parsed = []
        for number, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            match = PLAN_ITEM.match(line)
            if not match:
                raise forms.ValidationError(
                    _t("Line {line}: write CODE, days, optional.").format(line=number)
                )
            parsed.append((number, match.group(1), match.group(2), match.group(3)))
        courses = Course.objects.in_bulk([code for _n, code, _d, _o in parsed], field_name="code")
        items = []
        for number, code, days, optional in parsed:
            if code not in courses:
                raise forms.ValidationError(
                    _t("Line {line}: unknown course code {code}.").format(line=number, code=code)
                )
            items.append(
                {
                    "course": courses[code],
                    "due_days": int(days) if days else 30,
                    "is_required": (optional or "").lower() not in OPTIONAL_WORDS,
                }
            )
        return items


PlanForm = _model_form(
    "PlanForm",
    TrainingPlan,
    PLAN_FORM_FIELDS,
    {
        "items": PlanItemsField(
            label=_("Courses"),
            help_text=_(
                "One course per line in order: code, days until due after assignment, and"
                " “optional” for a course that is not required. Example: CULT-01, 7"
            ),
        )
    },
)

RuleForm = _model_form("RuleForm", AssignmentRule, RULE_FORM_FIELDS, {})
RuleForm.base_fields["plan"].queryset = TrainingPlan.objects.filter(is_active=True)
RuleForm.base_fields["unit"].queryset = OrgUnit.objects.filter(is_active=True)


class AssignForm(forms.Form):
    """Pick people (limited to those the actor may assign to) and an optional due date."""

    staff = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=Staff.objects.none(), widget=PeoplePicker(scope="view")
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_queryset is not None:
            self.fields["staff"].queryset = staff_queryset


class RunRulesForm(forms.Form):
    since = forms.DateField(
        label=_("Events since"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Empty: every event in the history. Events already handled are skipped."),
    )


class CourseFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en", "description", "description_en")
    category = django_filters.ChoiceFilter(
        choices=CourseCategory.choices, label=_("Category"), widget=SELECT
    )
    method = django_filters.ChoiceFilter(
        choices=TeachingMethod.choices, label=_("Teaching method"), widget=SELECT
    )
    delivery = django_filters.ChoiceFilter(
        choices=DeliveryMode.choices, label=_("Delivery"), widget=SELECT
    )
    provider = django_filters.ChoiceFilter(
        choices=Provider.choices, label=_("Provider"), widget=SELECT
    )
    status = django_filters.ChoiceFilter(
        choices=CourseStatus.choices, label=_("Status"), widget=SELECT
    )

    class Meta:
        model = Course
        fields = ["q", "category", "method", "delivery", "provider", "status"]


class PlanFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")
    stage = django_filters.ChoiceFilter(choices=PlanStage.choices, label=_("Stage"), widget=SELECT)

    class Meta:
        model = TrainingPlan
        fields = ["q", "stage"]


class RuleFilterSet(SearchFilterSet):
    search_fields = ("plan__code", "plan__name", "plan__name_en")
    trigger = django_filters.ChoiceFilter(choices=Trigger.choices, label=_("When"), widget=SELECT)

    class Meta:
        model = AssignmentRule
        fields = ["q", "trigger"]
