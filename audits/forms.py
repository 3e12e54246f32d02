from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, cast

from django import forms
from django.forms.models import model_to_dict

from reviews.harms.models import Harm
from reviews.models import Review

from .engine.config import AuditConfig
from .engine.errors import AuditInputError
from .engine.names import SUMMARY_METRIC_CHOICES
from .models import Comparator, GateAction, LaunchGate

POSITIVE_IS = [
    ("beneficial", "Beneficial (e.g. a loan approved)"),
    ("harmful", "Harmful (e.g. flagged as high risk)"),
]


class DatasetForm(forms.Form):
    file = forms.FileField(
        help_text="CSV (UTF-8) or Parquet with true outcomes, predictions or "
        "scores, and sensitive features."
    )
    name = forms.CharField(max_length=200, required=False)


class RunForm(forms.Form):
    """The column mapping of an audit; ``cleaned_data["config"]`` is the AuditConfig."""

    review: forms.ModelChoiceField[Review] = forms.ModelChoiceField(queryset=None)
    y_true = forms.ChoiceField(label="True outcome column")
    prediction_kind = forms.ChoiceField(
        choices=[("pred", "Binary predictions"), ("score", "Scores with a threshold")],
        widget=forms.RadioSelect,
        initial="pred",
    )
    y_pred = forms.ChoiceField(label="Prediction column", required=False)
    y_score = forms.ChoiceField(label="Score column", required=False)
    threshold = forms.FloatField(
        required=False,
        help_text="In the score's own units; a row is predicted positive when score ≥ threshold.",
    )
    sensitive = forms.MultipleChoiceField(
        label="Sensitive features", widget=forms.CheckboxSelectMultiple
    )
    positive = forms.CharField(
        required=False,
        max_length=200,
        label="Positive value",
        help_text="The outcome and prediction value of the positive class (default 1, true, "
        "yes); the other value is negative.",
    )
    positive_is = forms.ChoiceField(choices=POSITIVE_IS)
    reference = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One COLUMN=VALUE per line; default: the largest group.",
    )
    weight = forms.ChoiceField(required=False, label="Sample-weight column (optional)")
    bootstrap = forms.IntegerField(min_value=0, max_value=10000, initial=1000)
    seed = forms.IntegerField(initial=0, min_value=0, max_value=2**32 - 1)

    def __init__(self, *args: Any, columns: Any = (), reviews: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        self.fields["review"].queryset = reviews  # type: ignore[attr-defined]
        for name in ("y_true", "sensitive", "y_pred", "y_score", "weight"):
            optional = name in ("y_pred", "y_score", "weight")
            cast(forms.ChoiceField, self.fields[name]).choices = [("", "—")] * optional + choices

    def clean_reference(self) -> dict[str, str]:
        out = {}
        for line in self.cleaned_data["reference"].splitlines():
            if not line.strip():
                continue
            column, sep, value = line.partition("=")
            if not sep:
                raise forms.ValidationError(f"Write COLUMN=VALUE, not {line!r}.")
            out[column.strip()] = value.strip()
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("prediction_kind") == "pred":
            data["y_score"], data["threshold"] = "", None
            if not data.get("y_pred"):
                self.add_error("y_pred", "Choose the prediction column.")
        else:
            data["y_pred"] = ""
            if not data.get("y_score"):
                self.add_error("y_score", "Choose the score column.")
            if data.get("threshold") is None:
                self.add_error("threshold", "A score needs a threshold.")
        if self.errors:
            return data
        try:
            # Every field of the form that is a setting of the engine's AuditConfig.
            settings = {f.name for f in fields(AuditConfig)}
            data["config"] = AuditConfig.from_dict(
                {name: data.get(name) for name in self.fields if name in settings}
            )
        except AuditInputError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


ALL_FEATURES = "All features (intersection)"


class LaunchGateForm(forms.Form):
    """A gate's fields. The dimension is chosen from the features the review's audits have
    audited (``dimensions``) or the intersection; like the API, the service takes any
    feature name, and an audit without it judges the gate "insufficient"."""

    metric = forms.ChoiceField(choices=SUMMARY_METRIC_CHOICES)
    sensitive_feature = forms.CharField(max_length=200, required=False, label="Dimension")
    comparator = forms.ChoiceField(choices=Comparator.choices)
    threshold = forms.FloatField()
    action = forms.ChoiceField(choices=GateAction.choices, label="Else")
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    harm: forms.ModelChoiceField[Harm] = forms.ModelChoiceField(
        queryset=None, required=False, label="Linked harm"
    )

    def __init__(
        self, *args: Any, harms: Any = None, dimensions: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["harm"].queryset = harms  # type: ignore[attr-defined]
        current = self.initial.get("sensitive_feature") or ""
        names = [*dimensions, *([current] if current and current not in dimensions else [])]
        self.fields["sensitive_feature"].widget = forms.Select(
            choices=[("", ALL_FEATURES), *((d, d) for d in names)]
        )


def gate_initial(gate: LaunchGate) -> dict[str, Any]:
    """A gate's fields as the edit form's initial values."""
    return model_to_dict(gate, fields=list(LaunchGateForm.base_fields))
