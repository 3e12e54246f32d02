from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from .models import Disposition, HarmCategory, MitigationStatus, Stakeholder, StakeholderKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class HarmCardForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ModelChoiceField(queryset=HarmCategory.objects.all(), to_field_name="slug")
    stakeholders: forms.ModelMultipleChoiceField[Stakeholder] = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )

    def __init__(self, *args: Any, stakeholders: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholders"].queryset = stakeholders  # type: ignore[attr-defined]


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=StakeholderKind.choices)
    description = forms.CharField(required=False, max_length=2000)
    vulnerable = forms.BooleanField(required=False)


class RatingForm(forms.Form):
    severity = forms.TypedChoiceField(choices=[(i, i) for i in range(1, 6)], coerce=int)
    likelihood = forms.TypedChoiceField(choices=[(i, i) for i in range(1, 6)], coerce=int)
    scale = forms.TypedChoiceField(choices=[(i, i) for i in range(1, 6)], coerce=int)


class MitigationForm(forms.Form):
    action = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=MitigationStatus.choices)
    disposition = forms.ChoiceField(choices=Disposition.choices)
    justification = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same people the service accepts as a mitigation owner.
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
