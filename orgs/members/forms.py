from django import forms

from orgs.models import Role

from .services import INVITABLE_ROLES


class MemberInvitationForm(forms.Form):
    email = forms.EmailField(
        required=False,
        max_length=254,
        help_text="Optional: the link is mailed there. It is also shown once.",
    )
    role = forms.ChoiceField(choices=[(r, Role(r).label) for r in INVITABLE_ROLES])
    days = forms.IntegerField(min_value=1, max_value=30, initial=7, label="Valid for (days)")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SignupForm(forms.Form):
    name = forms.CharField(max_length=150, required=False, label="Your name (optional)")
    username = forms.RegexField(
        regex=r"^[\w.@+-]{3,150}$", max_length=150, help_text="3+ letters, digits or . @ + - _"
    )
    password = forms.CharField(
        widget=forms.PasswordInput,
        min_length=10,
        max_length=200,
        help_text="At least 10 characters, not a common password.",
    )
