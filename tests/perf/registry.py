"""What the query-ceiling walk (tests/test_query_ceilings.py) needs from each app.

The walk finds every page without parameters and every API list in the URL conf itself,
and every page keyed by one ``<id:pk>`` whose path starts like an API list (``reviews/<pk>/
register/`` is keyed by a review, as ``/api/reviews/`` lists reviews) or like an entry of
``PAGE_MODELS``. It requests each as an owner at two data sizes and asserts the queries do
not grow and stay under a ceiling. An app adds to it from a ``tests/**/perf_data.py``
module (found and imported by ``discover``):

* ``@filler`` — a function ``(world, n)`` that adds ``n`` rows of its kind to the world's
  organization (see tests/perf/fill.py for bulk helpers). Pages of an app without one are
  still walked, at the base size.
* ``CEILINGS["route-name"] = n`` — a page's own ceiling where the default is too low.
* ``PAGE_MODELS["path/prefix"] = Model`` — which model keys ``path/prefix/<id:pk>/...``
  when no API list has that prefix.
* ``SKIP["route-name"] = "why"`` — a GET route that is not a page to measure.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models

# Pages without a ceiling of their own make at most 24 queries today (the workshop board,
# a checklist item); the review page has its own (tests/perf/perf_data.py).
DEFAULT_CEILING = 30

FILLERS: list[Callable[[World, int], None]] = []
CEILINGS: dict[str, int] = {}
PAGE_MODELS: dict[str, type[models.Model]] = {}
SKIP: dict[str, str] = {}


@dataclass
class World:
    """One organization with an owner, a system, a review, a workshop; fillers add rows."""

    owner: Any
    organization: Any
    system: Any
    review: Any
    workshop: Any
    extra: dict[str, Any] = field(default_factory=dict)


def filler(fn: Callable[[World, int], None]) -> Callable[[World, int], None]:
    FILLERS.append(fn)
    return fn


def discover() -> None:
    """Import every tests/**/perf_data.py so apps' fillers and ceilings register."""
    root = Path(__file__).resolve().parent.parent
    for path in sorted(root.rglob("perf_data.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        importlib.import_module(".".join(parts))
