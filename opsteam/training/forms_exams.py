"""Forms of the assessment area; cleaned data goes straight into ``services_exams``."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.training.choices import ExamKind, QuestionKind
from opsteam.training.models import Exam, Question


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(
        label=_("Question (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.DecimalField(
        label=_("Points"), min_value=Decimal("0.5"), max_value=1000, decimal_places=1, initial=1
    )
    true_answer = forms.TypedChoiceField(
        label=_("The statement is"),
        choices=(("true", _("True (对)")), ("false", _("False (错)"))),
        required=False,
        help_text=_("True/false questions only."),
    )
    explanation = forms.CharField(
        label=_("Explanation shown after grading"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OptionForm(forms.Form):
    text = forms.CharField(label=_("Option"), max_length=500, required=False)
    text_en = forms.CharField(label=_("Option (English)"), max_length=500, required=False)
    is_correct = forms.BooleanField(label=_("Correct"), required=False)


class CriterionForm(forms.Form):
    text = forms.CharField(label=_("Criterion"), max_length=300, required=False)
    text_en = forms.CharField(label=_("Criterion (English)"), max_length=300, required=False)
    max_points = forms.DecimalField(
        label=_("Points"),
        min_value=Decimal("0.5"),
        max_value=1000,
        decimal_places=1,
        required=False,
    )


OptionFormSet = forms.formset_factory(OptionForm, extra=0, can_delete=True)
CriterionFormSet = forms.formset_factory(CriterionForm, extra=0, can_delete=True)


def formset_rows(formset: forms.BaseFormSet) -> list[dict]:
    """The filled, not deleted rows of a valid formset, without the DELETE flag."""
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("text")
    ]


class ExamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ExamKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    questions = forms.ModelMultipleChoiceField(
        label=_("Questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to use every active question of the bank."),
    )
    draw_count = forms.IntegerField(
        label=_("Questions drawn per attempt"),
        min_value=1,
        required=False,
        help_text=_("Empty: every chosen question."),
    )
    pass_mark = forms.DecimalField(
        label=_("Pass mark (%)"), min_value=0, max_value=100, decimal_places=1, initial=60
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"), min_value=1, max_value=600, required=False
    )
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Empty: no limit."),
    )
    shuffle_questions = forms.BooleanField(
        label=_("Shuffle questions"), required=False, initial=True
    )
    shuffle_options = forms.BooleanField(label=_("Shuffle options"), required=False, initial=True)
    partial_credit = forms.BooleanField(
        label=_("Partial credit on multiple choice"), required=False
    )
    is_active = forms.BooleanField(label=_("Open"), required=False, initial=True)

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        if course is not None:
            self.fields["questions"].queryset = Question.objects.filter(
                course=course, is_active=True
            )
            self.fields["questions"].label_from_instance = lambda q: (
                f"[{QuestionKind(q.kind).label}] {q.display_text[:80]} ({q.points})"
            )

    @staticmethod
    def initial_for(exam: Exam) -> dict:
        initial = {
            name: getattr(exam, name) for name in ExamForm.base_fields if name != "questions"
        }
        initial["questions"] = list(exam.questions.all())
        return initial
