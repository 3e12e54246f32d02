"""Counts ↔ JSON, so Celery (JSON serializer only) can carry partial counts between
workers."""

from __future__ import annotations

from typing import Any

import numpy as np

from .counts import Counts, ScoreBins, SparseHist


def scorebins_to_json(bins: ScoreBins | None) -> dict[str, Any] | None:
    if bins is None:
        return None
    data: dict[str, Any] = {
        "low": bins.low,
        "high": bins.high,
        "count": bins.count,
        "integer": bins.integer,
    }
    if bins.edges is not None:
        data["edges"] = list(bins.edges)
    return data


def scorebins_from_json(data: dict[str, Any] | None) -> ScoreBins | None:
    if not data:
        return None
    edges = data.get("edges")
    return ScoreBins(**{**data, "edges": None if edges is None else tuple(edges)})


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
        "hist": hist_to_json(c.hist),
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
        hist=hist_from_json(d["hist"], c),
        bins=scorebins_from_json(d["bins"]),
        score_min=d["score_min"],
        score_max=d["score_max"],
        total_rows=d["total_rows"],
    )


def hist_to_json(hist: SparseHist | None) -> dict[str, Any] | None:
    if hist is None:
        return None
    return {"keys": hist.keys.tolist(), "weights": hist.weights.tolist(), "bins": hist.bins}


def hist_from_json(data: Any, cells: int) -> SparseHist | None:
    """The sparse histogram; a dense (cells, 2, bins) list from a worker of the previous
    version is read too (parts of one run may straddle a deploy)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return SparseHist(
            np.array(data["keys"], dtype=np.int64),
            np.array(data["weights"], dtype=np.float64),
            int(data["bins"]),
        )
    dense = np.array(data, dtype=np.float64).reshape(cells, 2, -1)
    keys = np.flatnonzero(dense)
    return SparseHist(keys.astype(np.int64), dense.reshape(-1)[keys], dense.shape[2])
