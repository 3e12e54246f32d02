from __future__ import annotations

from typing import Any

from django import forms

from .documents import formats
from .documents.sections import MAX_METADATA_CHARS, MAX_SECTION_CHARS, METADATA, SECTIONS


class VersionForm(forms.Form):
    """A draft's metadata (lists one item a line) and its sections, in Markdown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, (label, kind) in METADATA.items():
            if kind == "list":
                self.fields[f"meta_{key}"] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="One a line.",
                    max_length=MAX_METADATA_CHARS * 10,
                )
            else:
                self.fields[f"meta_{key}"] = forms.CharField(
                    label=label, required=False, max_length=MAX_METADATA_CHARS
                )
        for section in SECTIONS:
            self.fields[section.key] = forms.CharField(
                label=section.label,
                required=False,
                help_text=section.hint,
                max_length=MAX_SECTION_CHARS,
                widget=forms.Textarea(attrs={"rows": 6, "data-preview": section.key}),
            )

    @staticmethod
    def initial_for(metadata: dict[str, Any], sections: dict[str, str]) -> dict[str, Any]:
        initial: dict[str, Any] = dict(sections)
        for key, (_label, kind) in METADATA.items():
            value = metadata.get(key, [] if kind == "list" else "")
            initial[f"meta_{key}"] = "\n".join(value) if kind == "list" else value
        return initial

    def payload(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(metadata, sections) for the service."""
        data = self.cleaned_data
        metadata: dict[str, Any] = {}
        for key, (_label, kind) in METADATA.items():
            value = data[f"meta_{key}"]
            metadata[key] = value.splitlines() if kind == "list" else value
        return metadata, {s.key: data[s.key] for s in SECTIONS}

    def section_fields(self) -> list[forms.BoundField]:
        return [self[s.key] for s in SECTIONS]

    def metadata_fields(self) -> list[forms.BoundField]:
        return [self[f"meta_{key}"] for key in METADATA]


class ImportForm(forms.Form):
    format = forms.ChoiceField(choices=[(k, f.label) for k, f in formats().items()])
    file = forms.FileField(help_text="A README.md, model_card.json or Markdown file.")
