from __future__ import annotations

from typing import Any

from django import forms

from reviews.harms.models import Disposition
from reviews.models import Review

from .models import Consequence, WorkshopFormat


class WorkshopForm(forms.Form):
    review: forms.ModelChoiceField[Review] = forms.ModelChoiceField(queryset=None)
    title = forms.CharField(max_length=200)
    format = forms.ChoiceField(choices=WorkshopFormat.choices)
    scheduled_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    anonymous = forms.BooleanField(required=False, help_text="Hide who wrote each card.")
    votes_per_participant = forms.IntegerField(min_value=0, max_value=50, initial=5)

    def __init__(self, *args: Any, reviews: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = reviews  # type: ignore[attr-defined]


class ConsequenceForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    intent = forms.ChoiceField(choices=Consequence.Intent.choices)
    valence = forms.ChoiceField(choices=Consequence.Valence.choices)


class SortForm(forms.Form):
    disposition = forms.ChoiceField(choices=Disposition.choices)


class InvitationForm(forms.Form):
    label = forms.CharField(max_length=200, required=False)
    represents_community = forms.CharField(max_length=200, required=False)
    days = forms.IntegerField(min_value=1, max_value=90, initial=14)
