"""What changed between two dossiers, from their embedded dossier.json. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_CHANGES = 500


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # added | removed | changed
    before: Any = None
    after: Any = None


def _key(item: Any, index: int) -> str:
    """Rows of a list by what names them (a section's key, a harm's ref), else position."""
    if isinstance(item, dict):
        for name in ("key", "ref", "run", "name", "group", "category", "target"):
            if name in item and isinstance(item[name], str | int):
                return str(item[name])
    return str(index + 1)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for name, item in value.items():
            if name == "data" and prefix:
                out.update(flatten(item, prefix))
            else:
                out.update(flatten(item, f"{prefix} › {name}" if prefix else str(name)))
    elif isinstance(value, list) and any(isinstance(i, dict | list) for i in value):
        for index, item in enumerate(value):
            label = _key(item, index)
            out.update(flatten(item, f"{prefix} › {label}" if prefix else label))
    else:
        out[prefix] = value
    return out


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[Change], int]:
    """(the first MAX_CHANGES differences in document order, how many there are)."""
    a, b = flatten(before), flatten(after)
    out: list[Change] = []
    for path in list(a) + [p for p in b if p not in a]:
        if path not in b:
            out.append(Change(path, "removed", before=a[path]))
        elif path not in a:
            out.append(Change(path, "added", after=b[path]))
        elif a[path] != b[path]:
            out.append(Change(path, "changed", a[path], b[path]))
    return out[:MAX_CHANGES], len(out)
