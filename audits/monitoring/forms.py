"""The monitor form of the pages: what the API takes, with human labels. The services
decide; their refusals land on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms

from audits.engine.config import AuditConfig
from audits.engine.errors import AuditInputError
from audits.models import LaunchGate
from orgs import access

from .models import ROUTE_KEYS, STEPS

STEP_LABELS = {
    "incident": "Open an incident",
    "reopen_review": "Reopen the review for a new sign-off round",
    "notify": "Notify (in-app and email) the lead, the owner and the on-call people",
    "webhook": "Send the signed webhooks",
}
ROUTE_LABELS = {
    "rollback": "When a \u201croll back\u201d gate breaches",
    "human_review": "When a \u201chuman review\u201d gate breaches",
    "block_launch": "When a \u201cblock launch\u201d gate breaches",
    "alert": "When data is late (no-data alert)",
}


class MonitorForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. \u201cLoan model v2 in production\u201d")
    y_true = forms.CharField(max_length=200, label="Outcome column (true label)")
    y_pred = forms.CharField(max_length=200, label="Prediction column")
    sensitive = forms.CharField(
        max_length=1000,
        label="Sensitive feature columns",
        help_text="Comma-separated, as in the production data, e.g. race_ethnicity, age_band",
    )
    gates = forms.ModelMultipleChoiceField(
        queryset=LaunchGate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Watched launch gates",
    )
    cadence_hours = forms.IntegerField(initial=24, label="Expected cadence (hours between batches)")
    late_margin = forms.FloatField(
        initial=0.5,
        label="Late margin",
        help_text="A no-data alert when no batch came for cadence \u00d7 (1 + margin).",
    )
    alpha = forms.FloatField(
        initial=0.05,
        label="False-alarm level (alpha)",
        help_text="The chance of a false breach over any number of batches, 0.001 to 0.5.",
    )
    window = forms.IntegerField(
        initial=7, label="Window (batches the estimate covers; 0 = every batch)"
    )
    on_call = forms.ModelMultipleChoiceField(
        queryset=LaunchGate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="On-call people",
    )
    active = forms.BooleanField(
        required=False, initial=True, label="Active (untick to pause: batches are refused)"
    )

    def __init__(self, *args: Any, review: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        gates: Any = self.fields["gates"]
        gates.queryset = LaunchGate.objects.filter(review=review).order_by("created_at", "id")
        gates.label_from_instance = lambda g: (
            f"{g.get_metric_display()} on {g.sensitive_feature or 'all features'} "
            f"{g.get_comparator_display()} {g.threshold:g}, else {g.get_action_display().lower()}"
        )
        people: Any = self.fields["on_call"]
        people.queryset = access.users_who_may(review.organization, "monitor.read")
        people.label_from_instance = lambda u: u.get_full_name() or u.username
        for key in ROUTE_KEYS:
            self.fields[f"route_{key}"] = forms.MultipleChoiceField(
                choices=[(s, STEP_LABELS[s]) for s in STEPS],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=ROUTE_LABELS.get(key, key),
            )
        if editing:  # the column mapping is fixed once batches are read with it
            for name in ("y_true", "y_pred", "sensitive"):
                del self.fields[name]
        else:
            del self.fields["active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "sensitive" in self.fields and not self.errors:
            spec = {
                "y_true": data["y_true"].strip(),
                "y_pred": data["y_pred"].strip(),
                "sensitive": [s.strip() for s in data["sensitive"].split(",") if s.strip()],
            }
            try:
                data["config"] = AuditConfig.from_dict(spec)
            except (AuditInputError, ValueError, TypeError) as exc:
                self.add_error("sensitive", str(exc))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["routes"] = {key: data.pop(f"route_{key}") for key in ROUTE_KEYS}
        for name in ("y_true", "y_pred", "sensitive"):
            data.pop(name, None)
        data["gates"] = list(data["gates"])
        data["on_call"] = list(data["on_call"])
        return data
