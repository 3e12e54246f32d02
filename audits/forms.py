from __future__ import annotations

from typing import Any, cast

from django import forms

from reviews.harms.models import Harm
from reviews.models import Review

from .engine.config import AuditConfig
from .engine.errors import AuditInputError
from .engine.names import SUMMARY_METRIC_CHOICES
from .models import Comparator, GateAction

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
        help_text="Value of the positive class (default 1, true, yes).",
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
        optional = [("", "—"), *choices]
        self.fields["review"].queryset = reviews  # type: ignore[attr-defined]
        for name, options in (
            ("y_true", choices),
            ("y_pred", optional),
            ("y_score", optional),
            ("weight", optional),
            ("sensitive", choices),
        ):
            cast(forms.ChoiceField, self.fields[name]).choices = options

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
            data["config"] = AuditConfig.from_dict(
                {
                    name: data.get(name)
                    for name in (
                        "y_true",
                        "y_pred",
                        "y_score",
                        "threshold",
                        "sensitive",
                        "positive",
                        "positive_is",
                        "reference",
                        "weight",
                        "bootstrap",
                        "seed",
                    )
                }
            )
        except AuditInputError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class LaunchGateForm(forms.Form):
    metric = forms.ChoiceField(choices=SUMMARY_METRIC_CHOICES)
    sensitive_feature = forms.CharField(max_length=200, required=False)
    comparator = forms.ChoiceField(choices=Comparator.choices)
    threshold = forms.FloatField()
    action = forms.ChoiceField(choices=GateAction.choices)
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    harm: forms.ModelChoiceField[Harm] = forms.ModelChoiceField(
        queryset=None, required=False, label="Linked harm"
    )

    def __init__(self, *args: Any, harms: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["harm"].queryset = harms  # type: ignore[attr-defined]
