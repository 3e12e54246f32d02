"""Counts ↔ JSON, so Celery (JSON serializer only) can carry partial counts between
workers."""

from __future__ import annotations

from typing import Any

import numpy as np

from .counts import Counts, ScoreBins


def scorebins_to_json(bins: ScoreBins | None) -> dict[str, Any] | None:
    if bins is None:
        return None
    return {"low": bins.low, "high": bins.high, "count": bins.count, "integer": bins.integer}


def scorebins_from_json(data: dict[str, Any] | None) -> ScoreBins | None:
    return ScoreBins(**data) if data else None


def counts_to_json(c: Counts) -> dict[str, Any]:
    def arr(a: np.ndarray | None) -> Any:
        return None if a is None else a.tolist()

    return {
        "features": c.features,
        "labels": c.labels,
        "cells": c.cells.tolist(),
        "rows": arr(c.rows),
        "w": arr(c.w),
        "w2": arr(c.w2),
        "brier": arr(c.brier),
        "cal": arr(c.cal),
        "hist": arr(c.hist),
        "bins": scorebins_to_json(c.bins),
        "score_min": c.score_min if c.score_min is None or np.isfinite(c.score_min) else None,
        "score_max": c.score_max if c.score_max is None or np.isfinite(c.score_max) else None,
        "total_rows": c.total_rows,
    }


def counts_from_json(d: dict[str, Any]) -> Counts:
    def arr(a: Any) -> np.ndarray:
        return np.array(a, dtype=np.float64)

    def optional(a: Any) -> np.ndarray | None:
        return None if a is None else arr(a)

    n_features = len(d["features"])
    cells = np.array(d["cells"], dtype=np.int64).reshape(-1, n_features)
    c = len(cells)
    return Counts(
        features=d["features"],
        labels=d["labels"],
        cells=cells,
        rows=arr(d["rows"]).reshape(c, 4),
        w=arr(d["w"]).reshape(c, 4),
        w2=arr(d["w2"]).reshape(c, 4),
        brier=optional(d["brier"]),
        cal=optional(d["cal"]),
        hist=optional(d["hist"]),
        bins=scorebins_from_json(d["bins"]),
        score_min=d["score_min"],
        score_max=d["score_max"],
        total_rows=d["total_rows"],
    )
