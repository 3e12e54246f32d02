"""Compliance benchmark (pure, no database): prints each measured time, its goal and the
ratio (measured / goal; under 1 meets the goal).

    .venv/bin/python benchmarks/compliance_bench.py

1. Reading and validating every shipped framework library and crosswalk mapping (what
   ``manage.py load_frameworks --check`` does). Goal: 1 s.
2. Crosswalk inference for 200 implemented controls, each naming 3 requirements, over the
   shipped crosswalk (what a checklist page computes once per request). Goal: 50 ms.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviews.frameworks.inference import adjacency, infer  # noqa: E402
from reviews.frameworks.library import read_all  # noqa: E402


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    libraries = read_all()
    reqs = [q.urn for f in libraries.frameworks for q in f.requirements if q.assessable]
    edges = [e for m in libraries.mappings for e in m.edges]
    print(
        f"{len(libraries.frameworks)} frameworks, {len(reqs)} assessable requirements, "
        f"{len(edges)} crosswalk edges"
    )
    load = best_of(read_all)
    print(f"read and validate all libraries: {load * 1000:.1f} ms; goal 1000 ms; ratio {load:.3f}")
    rng = random.Random(7)
    controls = [(i, f"C{i}", rng.sample(reqs, 3)) for i in range(200)]
    graph = adjacency(edges)
    found: dict = {}

    def run() -> None:
        found.update(infer(controls, graph))

    took = best_of(run)
    print(
        f"inference, 200 controls: {took * 1000:.1f} ms for {len(found)} requirements reached; "
        f"goal 50 ms; ratio {took / 0.05:.3f}"
    )


if __name__ == "__main__":
    main()
