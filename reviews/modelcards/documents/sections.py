"""What a model card holds (Mitchell et al., 2019, "Model Cards for Model Reporting"), and
its Markdown rendered safely. Pure: no Django.

Each section has a stable key: the field name in the API, the anchor on the card's page
(``#section-<key>``) and the name other apps use to point at it (compliance evidence).
"""

from __future__ import annotations

from dataclasses import dataclass

import markdown  # type: ignore[import-untyped]
import nh3


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    hint: str
    group: str = ""  # the paper's heading when the section is one part of it


SECTIONS: tuple[Section, ...] = (
    Section("model_details", "Model details", "Who built it, when, the model type, licence."),
    Section("intended_use", "Primary intended uses", "What it is for.", group="Intended use"),
    Section("intended_users", "Primary intended users", "Who should use it.", group="Intended use"),
    Section(
        "out_of_scope", "Out-of-scope uses", "Uses it must not be put to.", group="Intended use"
    ),
    Section("factors", "Factors", "Groups, conditions and settings performance may vary with."),
    Section(
        "metrics", "Metrics", "Measures reported, decision thresholds, how variation is shown."
    ),
    Section("evaluation_data", "Evaluation data", "Datasets, why they were chosen, preprocessing."),
    Section("training_data", "Training data", "What the model learned from, as far as known."),
    Section(
        "quantitative_analyses",
        "Quantitative analyses",
        "Notes on the results; the numbers come from an audit run and are not typed here.",
    ),
    Section("ethical_considerations", "Ethical considerations", "Risks, harms and mitigations."),
    Section(
        "caveats_recommendations",
        "Caveats and recommendations",
        "What readers should keep in mind; further testing recommended.",
    ),
)
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
SECTION_LABELS: dict[str, str] = {s.key: s.label for s in SECTIONS}
MAX_SECTION_CHARS = 20_000

# Card metadata: key → (label, kind). Lists are of short strings.
METADATA: dict[str, tuple[str, str]] = {
    "name": ("Model name", "text"),
    "version": ("Model version", "text"),
    "license": ("Licence (SPDX identifier)", "text"),
    "owners": ("Owners", "list"),
    "references": ("References (links)", "list"),
    "tags": ("Tags", "list"),
    "datasets": ("Datasets", "list"),
}
MAX_METADATA_CHARS = 500
MAX_METADATA_ITEMS = 50


def anchor(key: str) -> str:
    return f"section-{key}"


# Markdown may hold links, emphasis, lists, tables and code; nothing that runs or loads
# (no scripts, styles, images, iframes), and links leave with rel="noopener noreferrer".
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def render(text: str) -> str:
    """Markdown → HTML that is safe to put in a page, whatever the text holds."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"])
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
