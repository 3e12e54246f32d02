"""The public feedback form (translated: every label, help text and error) and the team's
small forms."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from reviews.feedback.models import TEXT_LIMIT
from reviews.feedback.wording import EFFECT_CHOICES

PHONE = RegexValidator(
    r"^\+?[\d\s().\-]{6,40}$", _("Enter a phone number with digits, spaces or dashes.")
)


class FeedbackForm(forms.Form):
    about = forms.CharField(
        label=_("What decision or experience is this about?"),
        help_text=_("For example: a refused loan application in March."),
        max_length=300,
        required=False,
    )
    text = forms.CharField(
        label=_("What happened?"),
        help_text=_("In your own words. Up to 5,000 characters."),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "data-limit": TEXT_LIMIT,
                "aria-describedby": "id_text_helptext text-counter",
            }
        ),
    )
    effects = forms.MultipleChoiceField(
        label=_("How did it affect you?"),
        help_text=_("Choose any that apply."),
        choices=EFFECT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    self_described_group = forms.CharField(
        label=_("How would you describe yourself or your group? (optional)"),
        help_text=_("For example: a first-time borrower, a small business owner."),
        max_length=200,
        required=False,
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for our reply"), choices=settings.LANGUAGES, required=False
    )
    consent_contact = forms.BooleanField(
        label=_("(a) You may contact me about what I sent, using the details above."),
        required=False,
    )
    consent_keep_text = forms.BooleanField(
        label=_(
            "(b) If I ask you to erase my data, you may keep my words, with my contact "
            "details removed from them."
        ),
        required=False,
    )
    consent_read = forms.BooleanField(
        label=_("I have read what is stored, who sees it and for how long."), required=True
    )
    # A field people do not see (hidden by CSS, skipped by keyboard and screen readers);
    # a bot that fills every field fills it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_contact = bool(data.get("email") or data.get("phone"))
        if has_contact and not data.get("consent_contact"):
            self.add_error(
                "consent_contact",
                _("Tick (a) if we may contact you, or remove your email and phone."),
            )
        return data


class _FieldsCopiedShallowly(dict[str, forms.Field]):
    """A form's ``base_fields`` that every instance copies field by field, without copying
    each field's widget, choices, validators and messages as Django's deep copy does
    (about a tenth of the public form's answer). Nothing changes those per request: the
    widgets' attributes are set here, on the class, and the views only read the fields."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: copy.copy(field) for name, field in self.items()}


FeedbackForm.base_fields = _FieldsCopiedShallowly(FeedbackForm.base_fields)


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        help_text=_("24 letters and digits, for example ABCD-EFGH-IJKL-MNOP-QRST-UVWX."),
        max_length=64,
    )


class ChannelForm(forms.Form):
    title = forms.CharField(max_length=200)
    system_description = forms.CharField(
        label="What the system does, in plain words",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    purpose = forms.CharField(
        label="What the feedback is for and how it is used",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Reply (public)", max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
    mitigation = forms.IntegerField(required=False, min_value=1)
    theme = forms.IntegerField(required=False, min_value=1)


class HarmFromSubmissionForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.SlugField(max_length=60, required=False)


class SettingsForm(forms.Form):
    retention_days = forms.IntegerField(min_value=1, max_value=3650)
    contact_roles = forms.MultipleChoiceField(
        choices=[
            ("owner", "Owner"),
            ("facilitator", "Facilitator"),
            ("reviewer", "Reviewer"),
            ("participant", "Participant"),
            ("viewer", "Viewer"),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
