"""Model cards in and out of other formats: Hugging Face (README.md with YAML front matter
and ``model-index``), Google's Model Card Toolkit JSON (schema v0.0.2) and Markdown.

Every format reads and writes the plain card document of ``ModelCardVersion.document()``:
``{"metadata": {...}, "sections": {key: markdown}, "analysis": {...} | None}``. Export →
import → export gives the same file for the fields the format carries (docs/modelcards.md
lists them). Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]


class CardFormatError(Exception):
    """An imported file that cannot be read: names the field and, when known, its line."""

    def __init__(self, message: str, *, field: str = "", line: int | None = None) -> None:
        where = " ".join(p for p in (field and f"{field}:", line and f"(line {line})") if p)
        super().__init__(f"{where} {message}".strip() if where else message)
        self.message = message
        self.field = field
        self.line = line


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    filename: str
    content_type: str
    write: Callable[[Document], str]
    read: Callable[[str], Document]


def formats() -> dict[str, Format]:
    from . import huggingface, markdown_body, mct

    return {
        "huggingface": Format(
            "huggingface",
            "Hugging Face model card (README.md)",
            "README.md",
            "text/markdown; charset=utf-8",
            huggingface.write,
            huggingface.read,
        ),
        "mct": Format(
            "mct",
            "Model Card Toolkit JSON (schema 0.0.2)",
            "model_card.json",
            "application/json",
            mct.write,
            mct.read,
        ),
        "markdown": Format(
            "markdown",
            "Markdown",
            "MODEL_CARD.md",
            "text/markdown; charset=utf-8",
            markdown_body.write,
            markdown_body.read,
        ),
    }
