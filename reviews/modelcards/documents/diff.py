"""What changed between two versions of a card: a line diff per section and metadata
field (difflib), and whether the analysis moved to another run. Pure."""

from __future__ import annotations

import difflib
from typing import Any

from .sections import METADATA, SECTIONS


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value or "")


def _lines(old: str, new: str) -> list[dict[str, str]]:
    out = []
    for line in list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2))[
        2:
    ]:
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        out.append({"kind": kind, "text": line[1:] if kind != "hunk" else line})
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of (key, label, changed, lines) for every metadata field and section, then the
    analysis; ``old`` and ``new`` are card documents (ModelCardVersion.document())."""
    rows = []
    for key, (label, _kind) in METADATA.items():
        a, b = _text(old["metadata"].get(key)), _text(new["metadata"].get(key))
        rows.append({"key": key, "label": label, "changed": a != b, "lines": _lines(a, b)})
    for section in SECTIONS:
        a, b = old["sections"].get(section.key, ""), new["sections"].get(section.key, "")
        rows.append(
            {"key": section.key, "label": section.label, "changed": a != b, "lines": _lines(a, b)}
        )
    rows.append(
        {
            "key": "analysis",
            "label": "Quantitative analysis (numbers)",
            "changed": old.get("analysis") != new.get("analysis"),
            "lines": _lines(_provenance(old.get("analysis")), _provenance(new.get("analysis"))),
        }
    )
    return rows


def _provenance(analysis: dict[str, Any] | None) -> str:
    if not analysis:
        return "No analysis."
    origin = (
        f"Computed by Forethought from audit run #{analysis.get('run_id')}"
        if analysis.get("source") == "audit"
        else f"Imported ({analysis.get('format', 'file')})"
    )
    return "\n".join(
        [
            origin,
            f"Input SHA-256: {analysis.get('input_sha256') or 'n/a'}",
            f"{len(analysis.get('results', []))} results",
        ]
    )
