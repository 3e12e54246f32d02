from __future__ import annotations

from typing import Any

from django import forms

from reviews.harms.models import Disposition, HarmCategory
from reviews.models import Review

from .models import Consequence, WorkshopFormat


class WorkshopForm(forms.Form):
    review: forms.ModelChoiceField[Review] = forms.ModelChoiceField(queryset=None)
    title = forms.CharField(max_length=200)
    format = forms.ChoiceField(choices=WorkshopFormat.choices)
    scheduled_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    anonymous = forms.BooleanField(required=False, help_text="Hide who wrote each card.")
    votes_per_participant = forms.IntegerField(min_value=0, max_value=50, initial=5)

    def __init__(self, *args: Any, reviews: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = reviews  # type: ignore[attr-defined]


class WorkshopEditForm(WorkshopForm):
    """The workshop's settings; its review and format are fixed, and anonymity too once
    people have taken part (the service says why)."""

    facilitator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args: Any, people: Any = None, locked: bool = False, **kw: Any) -> None:
        super().__init__(*args, **kw)
        del self.fields["review"], self.fields["format"]
        self.fields["facilitator"].queryset = people  # type: ignore[attr-defined]
        self.fields["anonymous"].disabled = locked


class ConsequenceForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    intent = forms.ChoiceField(choices=Consequence.Intent.choices)
    valence = forms.ChoiceField(choices=Consequence.Valence.choices)

    def __init__(self, *args: Any, valence: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if valence:  # a round about positives (or negatives) adds those only
            self.fields["valence"].initial = valence
            self.fields["valence"].widget = forms.HiddenInput()


class SortForm(forms.Form):
    disposition = forms.ChoiceField(choices=Disposition.choices)


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(queryset=HarmCategory.objects.all(), to_field_name="slug")


class InvitationForm(forms.Form):
    label = forms.CharField(max_length=200, required=False)
    represents_community = forms.CharField(max_length=200, required=False)
    days = forms.IntegerField(
        min_value=1, max_value=90, initial=14, help_text="Days from now until the link expires."
    )
    max_uses = forms.IntegerField(min_value=1, max_value=500, initial=50, required=False)

    def clean_max_uses(self) -> int:
        return self.cleaned_data["max_uses"] or 50  # left blank: the default
