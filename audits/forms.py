from django import forms

from .models import AuditRun


class DatasetForm(forms.Form):
    file = forms.FileField(
        help_text="CSV (UTF-8) or Parquet with true outcomes, predictions or "
        "scores, and sensitive features."
    )
    name = forms.CharField(max_length=200, required=False)


class RunForm(forms.Form):
    review = forms.ModelChoiceField(queryset=None)
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
        required=False, help_text="Value of the positive class (default 1, true, yes)."
    )
    positive_is = forms.ChoiceField(choices=AuditRun._meta.get_field("positive_is").choices)
    reference = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One COLUMN=VALUE per line; default: the largest group.",
    )
    weight = forms.ChoiceField(required=False, label="Sample-weight column (optional)")
    bootstrap = forms.IntegerField(min_value=0, max_value=10000, initial=1000)
    seed = forms.IntegerField(initial=0)

    def __init__(self, *args, columns=(), reviews=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c, c) for c in columns]
        optional = [("", "—"), *choices]
        self.fields["review"].queryset = reviews
        self.fields["y_true"].choices = choices
        self.fields["y_pred"].choices = optional
        self.fields["y_score"].choices = optional
        self.fields["weight"].choices = optional
        self.fields["sensitive"].choices = choices

    def clean_reference(self):
        out = {}
        for line in self.cleaned_data["reference"].splitlines():
            if not line.strip():
                continue
            column, sep, value = line.partition("=")
            if not sep:
                raise forms.ValidationError(f"Write COLUMN=VALUE, not {line!r}.")
            out[column.strip()] = value.strip()
        return out

    def clean(self):
        data = super().clean()
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
        return data
