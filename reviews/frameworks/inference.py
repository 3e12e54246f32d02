"""Crosswalk inference: which requirements an implemented control meets, and how well.

Edges read ``source <relationship> target`` in NIST OLIR set terms about obligations:
"A subset of B" means A's obligations are part of B's, so meeting B meets A in full and
meeting A meets B in part. Walking an edge therefore gives full coverage only when the
side we come from contains the side we go to (equal, or superset in the direction of
travel); subset and intersect give partial coverage, and once partial a path stays
partial: never "met" over a partial edge. Pure Python."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FULL, PARTIAL = "met", "partially_met"
MAX_HOPS = 3


@dataclass(frozen=True)
class Step:
    urn: str  # the requirement reached
    relationship: str  # as read in the direction of travel
    strength: int
    justification: str


@dataclass(frozen=True)
class Inference:
    status: str  # met | partially_met
    control_id: int
    control_name: str
    source_urn: str  # the requirement the control meets directly
    path: tuple[Step, ...]

    @property
    def label(self) -> str:
        return "met (inferred)" if self.status == FULL else "partially met (inferred)"

    def describe(self, names: dict[str, str] | None = None) -> str:
        names = names or {}
        parts = [
            f"Control “{self.control_name}” meets {names.get(self.source_urn, self.source_urn)}"
        ]
        for step in self.path:
            parts.append(
                f"{step.relationship} (strength {step.strength}) {names.get(step.urn, step.urn)}"
                f": {step.justification}"
            )
        return " → ".join(parts)


INVERSE = {"equal": "equal", "subset": "superset", "superset": "subset", "intersect": "intersect"}


def adjacency(edges: Iterable[Any]) -> dict[str, list[tuple[str, str, int, str]]]:
    """urn → [(neighbour, relationship read from urn to neighbour, strength, why)]."""
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    for e in edges:
        out.setdefault(e.source, []).append((e.target, e.relationship, e.strength, e.justification))
        out.setdefault(e.target, []).append(
            (e.source, INVERSE[e.relationship], e.strength, e.justification)
        )
    return out


def _full(relationship: str) -> bool:
    # Coming from A to B: A ⊇ B (equal, or A superset of B) means meeting A meets B.
    return relationship in ("equal", "superset")


def infer(
    controls: Iterable[tuple[int, str, Iterable[str]]],
    graph: dict[str, list[tuple[str, str, int, str]]],
) -> dict[str, Inference]:
    """The best inference per requirement URN from implemented controls, each given as
    (id, name, URNs it meets directly): full over partial, then fewer hops."""
    best: dict[str, Inference] = {}

    def better(new: Inference, old: Inference | None) -> bool:
        if old is None:
            return True
        rank = (new.status == FULL, -len(new.path))
        return rank > (old.status == FULL, -len(old.path))

    for control_id, name, urns in controls:
        for start in urns:
            seed = Inference(FULL, control_id, name, start, ())
            if better(seed, best.get(start)):
                best[start] = seed
            queue: deque[tuple[str, bool, tuple[Step, ...]]] = deque([(start, True, ())])
            seen = {(start, True)}
            while queue:
                urn, full, path = queue.popleft()
                if len(path) >= MAX_HOPS:
                    continue
                for nxt, rel, strength, why in graph.get(urn, []):
                    now_full = full and _full(rel)
                    if (nxt, now_full) in seen or nxt == start:
                        continue
                    seen.add((nxt, now_full))
                    step_path = (*path, Step(nxt, rel, strength, why))
                    found = Inference(
                        FULL if now_full else PARTIAL, control_id, name, start, step_path
                    )
                    if better(found, best.get(nxt)):
                        best[nxt] = found
                    queue.append((nxt, now_full, step_path))
    return best
