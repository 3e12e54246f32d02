"""Framework libraries and crosswalk mappings as YAML files: parsing and validation.

Pure Python (PyYAML, no Django): a file is read into plain dataclasses, and every problem
is reported with the file, the line and the field, e.g.
``gdpr.yaml:41: requirements[3].text: required``. The store (``store.py``) writes what this
module returns; docs/compliance.md describes the format.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode

LIBRARY_DIR = Path(__file__).resolve().parent / "libraries"
FRAMEWORK_URN = re.compile(r"^urn:forethought:framework:[a-z0-9][a-z0-9-]{0,60}$")
MAPPING_URN = re.compile(r"^urn:forethought:mapping:[a-z0-9][a-z0-9-]{0,80}$")
REQ_ID = re.compile(r"^[a-z0-9][a-z0-9.()_-]{0,80}$")
RELATIONSHIPS = ("equal", "subset", "superset", "intersect")  # NIST OLIR set theory
RATIONALES = ("syntactic", "semantic", "functional")
# Facts an item may ask an audit for (see reviews/compliance/machine.py).
FACTS = ("audit_age", "impact_ratios", "subgroup_performance", "unknown_category_counts")


class LibraryError(ValueError):
    """A refused file: where and what."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class _Map(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: MappingNode) -> _Map:
    loader.flatten_mapping(node)
    data = _Map()
    data.line = node.start_mark.line + 1
    data.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.MarkedYAMLError(
                problem="keys must be text", problem_mark=key_node.start_mark
            )
        if key in data:
            raise yaml.MarkedYAMLError(
                problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = key_node.start_mark.line + 1
    return data


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_ = ScalarNode  # (imported for readers: scalars keep PyYAML's safe typing)


@dataclass(frozen=True)
class RequirementSpec:
    id: str
    urn: str
    ref: str
    name: str
    text: str
    parent: str | None = None
    evidence: str = ""
    question: str = ""
    assessable: bool = True
    computed: str = ""  # one of FACTS
    freshness_days: int | None = None
    renamed_from: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class FrameworkSpec:
    urn: str
    version: int
    name: str
    provider: str
    published: datetime.date
    licence: str
    description: str
    requirements: tuple[RequirementSpec, ...]
    replaces: tuple[str, ...] = ()
    file: str = ""

    @property
    def slug(self) -> str:
        return self.urn.rsplit(":", 1)[1]


@dataclass(frozen=True)
class EdgeSpec:
    source: str  # requirement URN
    target: str
    relationship: str
    rationale: str
    strength: int
    justification: str
    line: int = 0


@dataclass(frozen=True)
class MappingSpec:
    urn: str
    name: str
    source: str  # framework URN
    target: str
    edges: tuple[EdgeSpec, ...]
    file: str = ""


@dataclass
class Libraries:
    frameworks: list[FrameworkSpec] = field(default_factory=list)
    mappings: list[MappingSpec] = field(default_factory=list)


def requirement_urn(framework_urn: str, req_id: str) -> str:
    return f"urn:forethought:req:{framework_urn.rsplit(':', 1)[1]}:{req_id}"


# --- Reading ------------------------------------------------------------------------------


class _Reader:
    """Checks one mapping's fields, naming the file, line and field of a problem."""

    def __init__(self, file: str, data: _Map, path: str = "") -> None:
        self.file, self.data, self.path = file, data, path

    def fail(self, key: str, message: str) -> LibraryError:
        line = self.data.lines.get(key, self.data.line) if key else self.data.line
        return LibraryError(self.file, line, f"{self.path}{key}", message)

    def only(self, allowed: Iterable[str]) -> None:
        for key in self.data:
            if key not in allowed:
                raise self.fail(key, "unknown field (check the spelling)")

    def text(self, key: str, *, required: bool = True, limit: int = 4000) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                if key in self.data:
                    raise self.fail(key, "must not be empty")
                raise LibraryError(self.file, self.data.line, f"{self.path}{key}", "required")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(key, "must be text")
        value = " ".join(str(value).split())
        if len(value) > limit:
            raise self.fail(key, f"longer than {limit} characters")
        return value

    def pattern(self, key: str, regex: re.Pattern[str], hint: str) -> str:
        value = self.text(key)
        if not regex.match(value):
            raise self.fail(key, f"{value!r} is not {hint}")
        return value

    def integer(self, key: str, *, low: int, high: int, required: bool = True) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise LibraryError(self.file, self.data.line, f"{self.path}{key}", "required")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(key, f"must be a whole number from {low} to {high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def urns(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and v.strip() for v in items):
            raise self.fail(key, "must be a URN or a list of URNs")
        return tuple(v.strip() for v in items)

    def items(self, key: str) -> list[_Reader]:
        value = self.data.get(key)
        if not isinstance(value, list) or not value:
            if key in self.data:
                raise self.fail(key, "must be a non-empty list")
            raise LibraryError(self.file, self.data.line, f"{self.path}{key}", "required")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, _Map):
                raise self.fail(key, f"item {i} must be a mapping of fields")
            out.append(_Reader(self.file, item, f"{key}[{i}]."))
        return out


def _parse(path: Path) -> _Map:
    name = path.name
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise LibraryError(name, line, "", f"not valid YAML: {exc.problem}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise LibraryError(name, None, "", f"not valid YAML: {exc}") from exc
    if not isinstance(data, _Map):
        raise LibraryError(name, 1, "", "the file must be a mapping of fields")
    return data


FRAMEWORK_FIELDS = [
    "kind",
    "urn",
    "version",
    "name",
    "provider",
    "published",
    "licence",
    "description",
    "replaces",
    "requirements",
]
REQUIREMENT_FIELDS = [
    "id",
    "parent",
    "ref",
    "name",
    "text",
    "evidence",
    "question",
    "assessable",
    "computed",
    "freshness_days",
    "renamed_from",
]


def read_framework(path: Path) -> FrameworkSpec:
    data = _parse(path)
    r = _Reader(path.name, data)
    r.only(FRAMEWORK_FIELDS)
    urn = r.pattern("urn", FRAMEWORK_URN, "urn:forethought:framework:<lowercase-slug>")
    published = data.get("published")
    if not isinstance(published, datetime.date):
        raise r.fail("published", "must be a date (YYYY-MM-DD)")
    reqs: list[RequirementSpec] = []
    seen: dict[str, int] = {}
    for item in r.items("requirements"):
        item.only(REQUIREMENT_FIELDS)
        req_id = item.pattern("id", REQ_ID, "an id of lowercase letters, digits and . ( ) - _")
        if req_id in seen:
            raise item.fail("id", f"{req_id!r} is used twice (first on line {seen[req_id]})")
        seen[req_id] = item.data.line
        assessable = item.boolean("assessable", True)
        computed = item.text("computed", required=False)
        if computed and computed not in FACTS:
            raise item.fail("computed", f"must be one of {', '.join(FACTS)}")
        parent = item.text("parent", required=False) or None
        if parent is not None and parent not in seen:
            raise item.fail("parent", f"no requirement {parent!r} above this one")
        renamed = tuple(
            u if u.startswith("urn:") else requirement_urn(urn, u)
            for u in item.urns("renamed_from")
        )
        reqs.append(
            RequirementSpec(
                id=req_id,
                urn=requirement_urn(urn, req_id),
                ref=item.text("ref", limit=60),
                name=item.text("name", limit=200),
                text=item.text("text", required=assessable),
                parent=parent,
                evidence=item.text("evidence", required=False),
                question=item.text("question", required=False, limit=500),
                assessable=assessable,
                computed=computed,
                freshness_days=item.integer("freshness_days", low=1, high=3650, required=False),
                renamed_from=renamed,
                line=item.data.line,
            )
        )
    return FrameworkSpec(
        urn=urn,
        version=r.integer("version", low=1, high=10_000) or 1,
        name=r.text("name", limit=200),
        provider=r.text("provider", limit=200),
        published=published,
        licence=r.text("licence", limit=200),
        description=r.text("description", required=False),
        requirements=tuple(reqs),
        replaces=r.urns("replaces"),
        file=path.name,
    )


def read_mapping(path: Path, frameworks: dict[str, FrameworkSpec]) -> MappingSpec:
    """A crosswalk between two loaded frameworks (their latest versions); edges name the
    requirement ids of each."""
    data = _parse(path)
    r = _Reader(path.name, data)
    r.only(["kind", "urn", "name", "source", "target", "edges"])
    urn = r.pattern("urn", MAPPING_URN, "urn:forethought:mapping:<lowercase-slug>")
    ends = {}
    for side in ("source", "target"):
        fw_urn = r.text(side)
        if fw_urn not in frameworks:
            raise r.fail(side, f"no framework {fw_urn!r} is loaded")
        ends[side] = frameworks[fw_urn]
    edges: list[EdgeSpec] = []
    pairs: set[tuple[str, str]] = set()
    for item in r.items("edges"):
        item.only(["source", "target", "relationship", "rationale", "strength", "justification"])
        urns = {}
        for side, fw in ends.items():
            req_id = item.text(side)
            ids = {q.id: q for q in fw.requirements}
            if req_id not in ids:
                raise item.fail(side, f"{fw.file} has no requirement {req_id!r}")
            urns[side] = ids[req_id].urn
        if (urns["source"], urns["target"]) in pairs:
            raise item.fail("target", "this pair is mapped twice")
        pairs.add((urns["source"], urns["target"]))
        relationship = item.text("relationship")
        if relationship not in RELATIONSHIPS:
            raise item.fail("relationship", f"must be one of {', '.join(RELATIONSHIPS)}")
        rationale = item.text("rationale")
        if rationale not in RATIONALES:
            raise item.fail("rationale", f"must be one of {', '.join(RATIONALES)}")
        edges.append(
            EdgeSpec(
                source=urns["source"],
                target=urns["target"],
                relationship=relationship,
                rationale=rationale,
                strength=item.integer("strength", low=0, high=10) or 0,
                justification=item.text("justification", limit=500),
                line=item.data.line,
            )
        )
    return MappingSpec(
        urn=urn,
        name=r.text("name", limit=200),
        source=ends["source"].urn,
        target=ends["target"].urn,
        edges=tuple(edges),
        file=path.name,
    )


def read_all(directory: Path = LIBRARY_DIR) -> Libraries:
    """Every framework file in ``directory`` and every mapping in ``directory/mappings``,
    validated together (unique URN and version; mappings against the latest versions)."""
    out = Libraries()
    seen: dict[tuple[str, int], str] = {}
    for path in sorted(directory.glob("*.yaml")):
        spec = read_framework(path)
        key = (spec.urn, spec.version)
        if key in seen:
            raise LibraryError(
                path.name, 1, "version", f"{spec.urn} v{spec.version} is also in {seen[key]}"
            )
        seen[key] = path.name
        out.frameworks.append(spec)
    latest: dict[str, FrameworkSpec] = {}
    for spec in sorted(out.frameworks, key=lambda s: s.version):
        latest[spec.urn] = spec
    mapping_urns: set[str] = set()
    for path in sorted((directory / "mappings").glob("*.yaml")):
        mapping = read_mapping(path, latest)
        if mapping.urn in mapping_urns:
            raise LibraryError(path.name, 1, "urn", f"{mapping.urn} is used by another file")
        mapping_urns.add(mapping.urn)
        out.mappings.append(mapping)
    return out


def diff(old_items: Iterable[Any], new_items: Iterable[Any]) -> dict[str, list[Any]]:
    """What an upgrade from one version's requirements to the next does (items with
    ``urn``, ``name``, ``text`` and ``renamed_from``, specs or rows): added, changed,
    removed, and renamed as (old item, new item) pairs."""
    old_list, new_list = list(old_items), list(new_items)
    before = {q.urn: q for q in old_list}
    after = {q.urn: q for q in new_list}
    renamed = []
    taken: set[str] = set()
    for q in new_list:
        if q.urn in before:
            continue
        for old_urn in q.renamed_from:
            if old_urn in before and old_urn not in after and old_urn not in taken:
                renamed.append((before[old_urn], q))
                taken.add(old_urn)
                break
    renamed_new = {q.urn for _, q in renamed}
    return {
        "added": [q for q in new_list if q.urn not in before and q.urn not in renamed_new],
        "changed": [
            q
            for q in new_list
            if q.urn in before and (before[q.urn].text, before[q.urn].name) != (q.text, q.name)
        ],
        "removed": [q for q in old_list if q.urn not in after and q.urn not in taken],
        "renamed": renamed,
    }
