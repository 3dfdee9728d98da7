"""Forms of the learning pages: withdrawing a course, a manager's behaviour observation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opsteam.training.models import BehaviourItem

RATING_CHOICES = [
    (1, _("1 · Not yet")),
    (2, _("2 · Sometimes")),
    (3, _("3 · Usually")),
    (4, _("4 · Consistently")),
    (5, _("5 · A model for others")),
]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the course withdrawn?"), max_length=300)


class BehaviourCheckForm(forms.Form):
    """One 1-5 rating per observed behaviour of the course, and a comment."""

    comment = forms.CharField(
        label=_("What did you observe?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, items: list[BehaviourItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.display_text,
                choices=RATING_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.order_fields([*(f"item_{item.pk}" for item in items), "comment"])

    def ratings(self) -> dict[str, int]:
        return {str(item.pk): self.cleaned_data[f"item_{item.pk}"] for item in self.items}
