from django import forms
from django.contrib.auth import get_user_model

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

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            get_user_model()
            .objects.filter(memberships__organization=organization)
            .order_by("username")
        )
        self.fields["lead"].required = False


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ReviewStatus.choices)
    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
