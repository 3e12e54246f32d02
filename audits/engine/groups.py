"""Groups of rows: one sensitive feature's values, or the intersection of all of them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .counts import Counts


def num(x: Any) -> float | None:
    """JSON number or null: NaN and ±inf never leak as fill values."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


class Dimension:
    """Groups of one sensitive feature, or of the intersection of all of them."""

    def __init__(self, counts: Counts, name: str, feature_idx: list[int]):
        self.name = name
        self.features = [counts.features[i] for i in feature_idx]
        keys = [tuple(row) for row in counts.cells[:, feature_idx].tolist()]

        def label_of(key: tuple[int, ...]) -> tuple[str, ...]:
            return tuple(counts.labels[f][c] for f, c in zip(feature_idx, key, strict=True))

        # Groups in label order, so the output does not depend on the order of the rows.
        order = sorted(set(keys), key=label_of)
        index = {k: i for i, k in enumerate(order)}
        self.member = np.array([index[k] for k in keys], dtype=np.int64)  # cell → group
        self.keys = order
        self.labels = [
            " & ".join(counts.labels[f][code] for f, code in zip(feature_idx, key, strict=True))
            for key in order
        ]
        self.values = [
            {
                counts.features[f]: counts.labels[f][code]
                for f, code in zip(feature_idx, key, strict=True)
            }
            for key in order
        ]
        # Cells in group order, and where each group's cells start: group sums over a
        # batch of bootstrap resamples are then one np.add.reduceat (no groups × cells
        # matrix, which for 10,000 intersection cells would be 800 MB).
        self._order = np.argsort(self.member, kind="stable")
        self._starts = np.searchsorted(self.member[self._order], np.arange(len(order)))
        self._identity = len(order) == len(keys) and bool(
            np.array_equal(self.member, np.arange(len(keys)))
        )

    def sum(self, cell_values: np.ndarray) -> np.ndarray:
        """Per-group sums of per-cell values (C, …) → (G, …)."""
        out = np.zeros((len(self.keys), *cell_values.shape[1:]))
        np.add.at(out, self.member, cell_values)
        return out

    def sum_resamples(self, cell_values: np.ndarray) -> np.ndarray:
        """Per-group sums of a batch of resampled cell values (B, C, …) → (B, G, …)."""
        if self._identity:
            return cell_values
        grouped: np.ndarray = np.add.reduceat(cell_values[:, self._order], self._starts, axis=1)
        return grouped


def canonical(counts: Counts) -> Counts:
    """Cells sorted by their labels: bootstrap draws then follow the data, not row order."""
    labels = [
        tuple(counts.labels[f][c] for f, c in enumerate(row)) for row in counts.cells.tolist()
    ]
    order = np.array(sorted(range(len(labels)), key=labels.__getitem__), dtype=np.int64)

    def pick(arr: np.ndarray | None) -> np.ndarray | None:
        return None if arr is None else arr[order]

    renamed = np.empty(len(order), dtype=np.int64)
    renamed[order] = np.arange(len(order))

    return Counts(
        features=counts.features,
        labels=counts.labels,
        cells=counts.cells[order],
        rows=counts.rows[order],
        w=counts.w[order],
        w2=counts.w2[order],
        brier=pick(counts.brier),
        cal=pick(counts.cal),
        hist=counts.hist.relabel(renamed) if counts.hist is not None else None,
        bins=counts.bins,
        score_min=counts.score_min,
        score_max=counts.score_max,
        total_rows=counts.total_rows,
    )
