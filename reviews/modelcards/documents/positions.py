"""Where a value sits in a YAML (or JSON) text, to name its line in an error."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]
# libyaml's loader when PyYAML was built with it (several times faster), else Python's.
Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def path_text(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def compose(text: str) -> Any:
    """The node tree of the text, or None when PyYAML cannot read it (positions are then
    unknown; the data itself was parsed by the format's own reader)."""
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.YAMLError:
        return None


def line_of(root: Any, path: Path, offset: int = 0) -> int | None:
    """1-based line of the value at ``path`` (or of the deepest part of it that exists)."""
    node = root
    if node is None:
        return None
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part >= 0:
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1 + offset


def check(data: Any, spec: Any, path: Path, fail: Any) -> None:
    """Check ``data`` against a small schema: "string", "number", "object", [item spec] or
    {key: spec} (unknown keys allowed). ``fail(message, path)`` raises."""
    if spec == "string":
        if not isinstance(data, str):
            fail("must be a string", path)
    elif spec == "number":
        if not isinstance(data, int | float) or isinstance(data, bool):
            fail("must be a number", path)
    elif spec == "object":
        if not isinstance(data, dict):
            fail("must be an object", path)
    elif isinstance(spec, list):
        if not isinstance(data, list):
            fail("must be a list", path)
        for i, item in enumerate(data):
            check(item, spec[0], (*path, i), fail)
    elif isinstance(spec, dict):
        if not isinstance(data, dict):
            fail("must be an object", path)
        for key, sub in spec.items():
            if key in data and data[key] is not None:
                check(data[key], sub, (*path, key), fail)
