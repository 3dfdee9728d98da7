"""Forms of the org pages; cleaned data goes straight into a service call."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsteam.core.widgets import PersonPicker
from opsteam.org.choices import AssignmentReason, Gender, RelationKind, StaffStatus, UnitKind
from opsteam.org.models import Activity, JobLevel, OrgUnit, Position, RoleFamily, Skill, Staff

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
AREA = {"class": "form-control", "rows": 3}


def _text(label, required=True, max_length=200, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=TEXT),
        **kwargs,
    )


def _area(label, rows=3):
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={**AREA, "rows": rows})
    )


def _person(label, required=True):
    """A staff member other than someone who left, chosen with the search picker."""
    return forms.ModelChoiceField(
        queryset=Staff.objects.exclude(status=StaffStatus.LEFT),
        label=label,
        required=required,
        widget=PersonPicker(),
    )


def _choice(queryset, label, required=True):
    return forms.ModelChoiceField(
        queryset=queryset, label=label, required=required, widget=forms.Select(attrs=SELECT)
    )


class OrgUnitForm(forms.Form):
    code = _text(_("Code"), max_length=40)
    name = _text(_("Name"), max_length=120)
    name_en = _text(_("English name"), required=False, max_length=120)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=UnitKind.choices, widget=forms.Select(attrs=SELECT)
    )
    parent = _choice(OrgUnit.objects.all(), _("Parent"), required=False)
    lead = _person(_("Lead"), required=False)
    description = _area(_("Description"))


class PositionForm(forms.Form):
    code = _text(_("Code"), max_length=40)
    name = _text(_("Name"), max_length=120)
    name_en = _text(_("English name"), required=False, max_length=120)
    family = _choice(RoleFamily.objects.all(), _("Role family"))
    unit = _choice(OrgUnit.objects.all(), _("Home unit"), required=False)
    min_level = _choice(JobLevel.objects.all(), _("Lowest level"), required=False)
    max_level = _choice(JobLevel.objects.all(), _("Highest level"), required=False)
    headcount_plan = forms.IntegerField(
        label=_("Planned headcount"), min_value=0, initial=0, widget=forms.NumberInput(attrs=TEXT)
    )


class StaffPersonalForm(forms.Form):
    name = _text(pgettext_lazy("person", "Name"), max_length=120)
    name_en = _text(_("English name"), required=False, max_length=120)
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs=TEXT))
    phone = _text(_("Phone"), required=False, max_length=40)
    hire_date = forms.DateField(label=_("Hire date"), widget=forms.DateInput(attrs=DATE))
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("Not recorded")), *Gender.choices],
        widget=forms.Select(attrs=SELECT),
        help_text=_("Optional. The fairness review compares groups by it where it is recorded."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=StaffStatus.choices, widget=forms.Select(attrs=SELECT)
    )
    id_number = _text(
        _("ID card number"),
        required=False,
        max_length=18,
        help_text=_("Stored encrypted; shown only to HR, administrators and the person."),
    )
    bank_account = _text(
        _("Bank account"),
        required=False,
        max_length=34,
        help_text=_("Stored encrypted; shown only to HR, administrators and the person."),
    )


class StaffCreateForm(StaffPersonalForm):
    employee_no = _text(_("Employee number"), max_length=40)
    unit = _choice(OrgUnit.objects.all(), _("Department or team"))
    position = _choice(Position.objects.filter(is_active=True), _("Position"))
    level = _choice(JobLevel.objects.all(), _("Level"), required=False)
    manager = _person(_("Manager"), required=False)

    field_order = [
        "employee_no",
        "name",
        "name_en",
        "email",
        "phone",
        "hire_date",
        "gender",
        "status",
        "unit",
        "position",
        "level",
        "manager",
    ]


class StaffReassignForm(forms.Form):
    unit = _choice(OrgUnit.objects.all(), _("Department or team"))
    position = _choice(Position.objects.filter(is_active=True), _("Position"))
    level = _choice(JobLevel.objects.all(), _("Level"), required=False)
    manager = _person(_("Manager"), required=False)
    effective_date = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs=DATE))
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (c, label)
            for c, label in AssignmentReason.choices
            if c not in {AssignmentReason.HIRE, AssignmentReason.IMPORT, AssignmentReason.LEAVE}
        ],
        widget=forms.Select(attrs=SELECT),
    )
    note = _text(_("Note"), required=False, max_length=300)


class CompensationForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs=DATE))
    base_salary = forms.DecimalField(
        label=_("Monthly base salary"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs=TEXT),
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, initial="CNY", widget=forms.TextInput(attrs=TEXT)
    )
    note = _text(_("Note"), required=False, max_length=300)


class JobDescriptionForm(forms.Form):
    purpose = _area(_("Purpose"))
    purpose_en = _area(_("Purpose (English)"))
    scope = _area(_("Scope"))
    scope_en = _area(_("Scope (English)"))
    authority = _area(_("Authority and permissions"))
    authority_en = _area(_("Authority and permissions (English)"))
    objectives = _area(_("Objectives"))
    objectives_en = _area(_("Objectives (English)"))
    qualifications = _area(_("Qualifications and experience"))
    qualifications_en = _area(_("Qualifications and experience (English)"))
    effective_from = forms.DateField(
        label=_("Effective from"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    change_note = _text(_("What changed in this version"), required=False, max_length=300)


class DutyForm(forms.Form):
    title = _text(_("Duty"))
    title_en = _text(_("Duty (English)"), required=False)
    description = _area(_("Details"), rows=2)
    description_en = _area(_("Details (English)"), rows=2)
    time_share = forms.IntegerField(
        label=_("Share of time (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        widget=forms.NumberInput(attrs=TEXT),
    )
    standard = _area(_("Work standard"), rows=2)
    standard_en = _area(_("Work standard (English)"), rows=2)
    sop_url = _text(_("SOP link"), required=False, max_length=500)
    activity = _choice(Activity.objects.all(), _("RACI activity"), required=False)


class SkillRequirementForm(forms.Form):
    skill = _choice(Skill.objects.all(), _("Skill"))
    level = forms.IntegerField(
        label=_("Level (1-5)"),
        min_value=1,
        max_value=5,
        initial=3,
        widget=forms.NumberInput(attrs=TEXT),
    )
    is_required = forms.BooleanField(
        label=_("Required"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class RelationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("With"), choices=RelationKind.choices, widget=forms.Select(attrs=SELECT)
    )
    position = _choice(Position.objects.all(), _("Position"), required=False)
    unit = _choice(OrgUnit.objects.all(), _("Department or team"), required=False)
    external_party = _text(_("External party"), required=False)
    description = _area(_("How they work together"), rows=2)
    description_en = _area(_("How they work together (English)"), rows=2)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needed = {"position": "position", "unit": "unit", "external": "external_party"}.get(kind)
        if needed and not data.get(needed):
            self.add_error(needed, _("Name who this position works with."))
        return data


DutyFormSet = forms.formset_factory(DutyForm, extra=0, can_delete=True)
SkillFormSet = forms.formset_factory(SkillRequirementForm, extra=0, can_delete=True)
RelationFormSet = forms.formset_factory(RelationForm, extra=0, can_delete=True)
