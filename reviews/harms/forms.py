from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from .models import (
    Disposition,
    HarmCategory,
    HarmSource,
    HarmStatus,
    MitigationStatus,
    Stakeholder,
    StakeholderKind,
)

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


class HarmAddForm(HarmCardForm):
    """A harm raised outside a workshop: from an incident, an audit or feedback."""

    source = forms.ChoiceField(
        choices=[c for c in HarmSource.choices if c[0] != HarmSource.WORKSHOP],
        initial=HarmSource.INCIDENT,
        help_text="Where the harm came from (workshop cards are added on a workshop's board).",
    )


class HarmEditForm(HarmCardForm):
    status = forms.ChoiceField(
        choices=HarmStatus.choices,
        help_text="Mitigated: a mitigation is done. Accepted: for a harm that blocks the "
        "review, a risk acceptance is recorded. Closed: no longer applies (say why).",
    )
    status_note = forms.CharField(
        label="Why closed (or a note on the status)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=StakeholderKind.choices)
    description = forms.CharField(required=False, max_length=2000)
    vulnerable = forms.BooleanField(required=False)


class StakeholderEditForm(StakeholderForm):
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    vulnerable = forms.BooleanField(
        required=False,
        label="Vulnerable",
        help_text="Less able to notice, contest or absorb a harm (e.g. minors, people in "
        "debt, people with limited English).",
    )


class RatingForm(forms.Form):
    severity = forms.TypedChoiceField(
        label="Severity", choices=[(i, i) for i in range(1, 6)], coerce=int
    )
    likelihood = forms.TypedChoiceField(
        label="Likelihood", choices=[(i, i) for i in range(1, 6)], coerce=int
    )
    scale = forms.TypedChoiceField(label="Scale", choices=[(i, i) for i in range(1, 6)], coerce=int)


class MitigationForm(forms.Form):
    action = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=MitigationStatus.choices)
    disposition = forms.ChoiceField(choices=Disposition.choices)
    justification = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for \u201cwon't do\u201d; a won't-do mitigation does not cover "
        "the harm.",
    )
    evidence_url = forms.CharField(
        label="Evidence link",
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="A ticket, test report or document showing it is in place.",
    )

    def __init__(self, *args: Any, owners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same people the service accepts as a mitigation owner.
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
