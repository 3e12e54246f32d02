"""A card's sections as a Markdown body under headings, and back.

Writing uses one layout of headings (Hugging Face's template, or the paper's own). Reading
knows both, and the headings Hugging Face's template adds: a heading it does not know is
kept, as text, in the section it appears in (a top-level one goes to "Model details"), so
nothing a person wrote is dropped.
"""

from __future__ import annotations

import re
from typing import Any

from . import Document
from . import analysis as analysis_mod
from .sections import SECTION_KEYS

# (heading level, heading, section key or None for a heading that only groups others).
PAPER_LAYOUT: tuple[tuple[int, str, str | None], ...] = (
    (2, "Model details", "model_details"),
    (2, "Intended use", None),
    (3, "Primary intended uses", "intended_use"),
    (3, "Primary intended users", "intended_users"),
    (3, "Out-of-scope uses", "out_of_scope"),
    (2, "Factors", "factors"),
    (2, "Metrics", "metrics"),
    (2, "Evaluation data", "evaluation_data"),
    (2, "Training data", "training_data"),
    (2, "Quantitative analyses", "quantitative_analyses"),
    (2, "Ethical considerations", "ethical_considerations"),
    (2, "Caveats and recommendations", "caveats_recommendations"),
)
HF_LAYOUT: tuple[tuple[int, str, str | None], ...] = (
    (2, "Model Details", "model_details"),
    (2, "Uses", None),
    (3, "Direct Use", "intended_use"),
    (3, "Intended Users", "intended_users"),
    (3, "Out-of-Scope Use", "out_of_scope"),
    (2, "Bias, Risks, and Limitations", "ethical_considerations"),
    (3, "Recommendations", "caveats_recommendations"),
    (2, "Training Details", None),
    (3, "Training Data", "training_data"),
    (2, "Evaluation", None),
    (3, "Testing Data, Factors & Metrics", None),
    (4, "Testing Data", "evaluation_data"),
    (4, "Factors", "factors"),
    (4, "Metrics", "metrics"),
    (3, "Results", "quantitative_analyses"),
)
GROUPING = object()


def _norm(heading: str) -> str:
    heading = re.sub(r"\[optional\]", "", heading, flags=re.I)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.lower()).split())


ALIASES: dict[str, Any] = {}
for _level, _heading, _key in PAPER_LAYOUT + HF_LAYOUT:
    ALIASES[_norm(_heading)] = _key or GROUPING
ALIASES.update(
    {
        "intended uses": GROUPING,
        "testing data factors metrics": GROUPING,
        "caveats": "caveats_recommendations",
        "limitations": "caveats_recommendations",
        "ethical considerations and limitations": "ethical_considerations",
        "out of scope uses": "out_of_scope",
        "out of scope use cases": "out_of_scope",
        "quantitative analysis": "quantitative_analyses",
        "evaluation results": "quantitative_analyses",
        "training dataset": "training_data",
        "evaluation dataset": "evaluation_data",
    }
)

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
ANALYSIS_START = "<!-- forethought:analysis -->"
ANALYSIS_END = "<!-- /forethought:analysis -->"
_ANALYSIS_BLOCK = re.compile(
    re.escape(ANALYSIS_START) + r".*?" + re.escape(ANALYSIS_END), flags=re.S
)


def parse_body(text: str) -> tuple[str, dict[str, str], str]:
    """(the title of the first level-1 heading, section key → Markdown, the analysis
    block as written by ``write_body``)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    collected: dict[str, list[str]] = {key: [] for key in SECTION_KEYS}
    title = ""
    current = "model_details"
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            collected[current].append(line)
            continue
        level, heading = len(match.group(1)), match.group(2)
        if level == 1 and not title:
            title = heading
            continue
        target = ALIASES.get(_norm(heading))
        if target is GROUPING:
            continue
        if isinstance(target, str):
            current = target
            continue
        if level <= 2 and target is None:
            current = "model_details"
            collected[current].append("### " + heading)
            continue
        collected[current].append(line)
    joined = {key: "\n".join(body) for key, body in collected.items()}
    blocks = [m.group(0) for text in joined.values() for m in _ANALYSIS_BLOCK.finditer(text)]
    sections = {key: _ANALYSIS_BLOCK.sub("", text).strip() for key, text in joined.items()}
    return title, {key: value for key, value in sections.items() if value}, "\n".join(blocks)


def write_body(
    document: Document, layout: tuple[tuple[int, str, str | None], ...], title: str
) -> str:
    sections = document.get("sections") or {}
    parts = [f"# {title}"]
    for level, heading, key in layout:
        parts.append("#" * level + " " + heading)
        text = (sections.get(key) or "").strip() if key else ""
        if key == "quantitative_analyses":
            table = analysis_mod.markdown_table(document.get("analysis"))
            if table:
                text = "\n\n".join(p for p in (text, ANALYSIS_START, table, ANALYSIS_END) if p)
        if text:
            parts.append(text)
    return "\n\n".join(parts) + "\n"


def write(document: Document) -> str:
    """The card in the paper's headings (Mitchell et al., 2019)."""
    name = (document.get("metadata") or {}).get("name") or "Model card"
    return write_body(document, PAPER_LAYOUT, name)


def read(text: str) -> Document:
    title, sections, block = parse_body(text)
    metadata = {"name": title} if title else {}
    analysis = analysis_mod.parse_markdown_table(block)
    return {"metadata": metadata, "sections": sections, "analysis": analysis}
