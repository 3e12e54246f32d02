from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from orgs import access
from reviews.frameworks import selectors as fw_selectors

from .models import ControlStatus


class ControlForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    status = forms.ChoiceField(choices=ControlStatus.choices)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False
    )
    requirements = forms.MultipleChoiceField(
        choices=[],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="The requirements this control meets directly; the crosswalk infers others.",
    )

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = access.users_who_may(organization_id, "control.own")
        reqs = self.fields["requirements"]
        assert isinstance(reqs, forms.MultipleChoiceField)
        reqs.choices = [
            (
                fw.name,
                [
                    (q.urn, f"{q.ref} {q.name}")
                    for q in fw_selectors.requirements_of(fw).filter(assessable=True)
                ],
            )
            for fw in fw_selectors.latest_frameworks()
        ]


class ControlEvidenceForm(forms.Form):
    url = forms.CharField(required=False, max_length=1000, label="Web address")
    upload = forms.FileField(required=False, label="or a file")
    label = forms.CharField(required=False, max_length=300, label="Label (for a web address)")
    effective_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
