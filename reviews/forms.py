from typing import Any

from django import forms

from orgs import access

from .models import AISystem, Decision, Review, ReviewStatus


class AISystemForm(forms.ModelForm):
    class Meta:
        model = AISystem
        fields = ["name", "purpose", "domain", "decision_type", "deployment_context"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "deployment_context": forms.Textarea(attrs={"rows": 3}),
        }


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["title", "system_version", "due_date", "lead"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, organization: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same people the service accepts as a lead.
        self.fields["lead"].queryset = access.users_who_may(organization, "review.lead")  # type: ignore[attr-defined]
        self.fields["lead"].required = False


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewStatus.choices)
    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
