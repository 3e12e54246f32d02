from typing import Any

from django import forms

from orgs import access

from .models import AISystem, Decision, Review, ReviewStatus, RiskTarget


class AISystemForm(forms.ModelForm):
    class Meta:
        model = AISystem
        fields = ["name", "purpose", "domain", "decision_type", "deployment_context"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "deployment_context": forms.Textarea(attrs={"rows": 3}),
        }


class AISystemEditForm(AISystemForm):
    class Meta(AISystemForm.Meta):
        fields = [*AISystemForm.Meta.fields, "owner"]

    def __init__(self, *args: Any, organization: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = access.users_who_may(organization, "system.own")  # type: ignore[attr-defined]
        self.fields["owner"].required = False


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


class RiskAcceptanceForm(forms.Form):
    target_type = forms.ChoiceField(choices=RiskTarget.choices, widget=forms.HiddenInput)
    target_id = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    justification = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why going ahead is acceptable despite this risk; it is shown on the review, "
        "the register and the event log.",
    )
    conditions = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what must hold while the acceptance stands (e.g. monthly "
        "monitoring, a human review of declines).",
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The risk blocks the review again after this day (at most a year).",
    )
