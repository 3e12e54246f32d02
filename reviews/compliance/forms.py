from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from orgs import access
from reviews.frameworks import selectors as fw_selectors
from reviews.frameworks.models import Framework

from . import evidence as kinds
from .models import Assessment, AssessmentStatus, ReadinessRule


class AttachForm(forms.Form):
    framework: forms.ModelChoiceField[Framework] = forms.ModelChoiceField(
        queryset=Framework.objects.none(), empty_label=None
    )
    readiness_rule = forms.ChoiceField(
        choices=ReadinessRule.choices, initial=ReadinessRule.NOT_MET_ACCEPTED
    )

    def __init__(self, *args: Any, attached: set[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [f.pk for f in fw_selectors.latest_frameworks() if f.urn not in (attached or set())]
        field = self.fields["framework"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = fw_selectors.frameworks().filter(pk__in=ids)


class RuleForm(forms.Form):
    readiness_rule = forms.ChoiceField(choices=ReadinessRule.choices)


class AssessmentForm(forms.Form):
    applicable = forms.TypedChoiceField(
        choices=[("yes", "Yes, it applies"), ("no", "No, it does not apply")],
        coerce=lambda v: v == "yes",
        label="Does this requirement apply?",
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text="Required when it does not apply: say why.",
    )
    status = forms.ChoiceField(choices=AssessmentStatus.choices)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    freshness_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Evidence goes stale after (days)",
        help_text="Leave empty to use the library's policy.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = access.users_who_may(assessment.organization_id, "assessment.own")


class EvidenceForm(forms.Form):
    """One of the review's items (the choice names its kind), a web address or a file."""

    target = forms.ChoiceField(choices=[], required=False, label="Item of this review")
    url = forms.CharField(required=False, max_length=1000, label="or a web address")
    upload = forms.FileField(required=False, label="or a file")
    label = forms.CharField(required=False, max_length=300, label="Label (optional)")
    effective_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, review_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", "—")]
        for kind in kinds.KINDS.values():
            if kind.model is not None:
                rows = kinds.candidates(kind, review_id)[:200]
                options = [(f"{kind.key}:{row.pk}", kind.describe(row)) for row in rows]
                if options:
                    choices.append((kind.label, options))
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.pop("target", "")
        data["target_id"] = None
        if target:
            data["kind"], pk = target.split(":", 1)
            data["target_id"] = int(pk)
        elif data.get("upload") is not None:
            data["kind"] = kinds.FILE
        else:
            data["kind"] = kinds.URL
        return data
