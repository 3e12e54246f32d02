"""The harm taxonomy shipped in reviews/harms/data/harm_taxonomy.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TAXONOMY_PATH = Path(__file__).resolve().parent / "data" / "harm_taxonomy.json"


def read_taxonomy(path: Path = TAXONOMY_PATH) -> list[dict[str, Any]]:
    """Flatten the file into one dict per category, in display order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    for family in data["families"]:
        for category in family["categories"]:
            rows.append(
                {
                    "slug": category["slug"],
                    "family": family["slug"],
                    "family_name": family["name"],
                    "name": category["name"],
                    "prompt": category["prompt"],
                    "order": len(rows) + 1,
                }
            )
    return rows


def load_taxonomy(category_model: Any, path: Path = TAXONOMY_PATH) -> int:
    """Create or update every category (by slug); used by the migration and the command."""
    rows = read_taxonomy(path)
    for row in rows:
        slug = row.pop("slug")
        category_model.objects.update_or_create(slug=slug, defaults=row)
    return len(rows)
