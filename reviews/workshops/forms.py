from django import forms

from ..models import Review
from .models import (
    Comparator,
    Consequence,
    Disposition,
    GateAction,
    HarmCategory,
    MitigationStatus,
    StakeholderKind,
    WorkshopFormat,
)


class WorkshopForm(forms.Form):
    review = forms.ModelChoiceField(queryset=Review.objects.none())
    title = forms.CharField(max_length=200)
    format = forms.ChoiceField(choices=WorkshopFormat.choices)
    scheduled_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    anonymous = forms.BooleanField(required=False, help_text="Hide who wrote each card.")
    votes_per_participant = forms.IntegerField(min_value=0, max_value=50, initial=5)

    def __init__(self, *args, reviews=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reviews is not None:
            self.fields["review"].queryset = reviews


class HarmCardForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(queryset=HarmCategory.objects.all(), to_field_name="slug")
    stakeholders = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholders"].queryset = review.stakeholders.all() if review else None


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=StakeholderKind.choices)
    description = forms.CharField(required=False, max_length=2000)
    vulnerable = forms.BooleanField(required=False)


class RatingForm(forms.Form):
    severity = forms.TypedChoiceField(choices=[(i, i) for i in range(1, 6)], coerce=int)
    likelihood = forms.TypedChoiceField(choices=[(i, i) for i in range(1, 6)], coerce=int)
    scale = forms.TypedChoiceField(choices=[(i, i) for i in range(1, 6)], coerce=int)


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


class GuestSignupForm(forms.Form):
    name = forms.CharField(max_length=150, required=False, label="Your name (optional)")
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$", max_length=150, help_text="3+ letters, digits or . @ + - _"
    )
    password = forms.CharField(
        widget=forms.PasswordInput, min_length=10, help_text="At least 10 characters."
    )


class MitigationForm(forms.Form):
    action = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=MitigationStatus.choices)
    disposition = forms.ChoiceField(choices=Disposition.choices)
    justification = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members


class LaunchGateForm(forms.Form):
    metric = forms.ChoiceField(choices=[])
    sensitive_feature = forms.CharField(max_length=200, required=False)
    comparator = forms.ChoiceField(choices=Comparator.choices)
    threshold = forms.FloatField()
    action = forms.ChoiceField(choices=GateAction.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from audits.engine.names import SUMMARY_METRIC_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = SUMMARY_METRIC_CHOICES
