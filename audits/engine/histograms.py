"""Score histograms: the bins, and the weight per (cell, true label, bin) kept sparsely.

A dense cells × 2 × bins table would take 655 MB for 10,000 cells of 4,096 bins; the rows of
a file fill only a few of those entries, so only those are kept, sorted by key. Groups are
made dense a few at a time when AUC and the score median need them."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

# A block of groups made dense at once holds at most this many floats (16 MiB).
DENSE_FLOATS = 1 << 21


@dataclass(frozen=True)
class ScoreBins:
    """Histogram bins for AUC and the score median: one bin per integer when scores are
    whole numbers spanning fewer than ``max_bins`` values (exact), else equal widths, or the
    bins a counts batch declares by their ``edges`` (``from_edges``)."""

    low: float
    high: float
    count: int
    integer: bool
    edges: tuple[float, ...] | None = None  # given edges: bins [e0, e1), …, [e(n-1), en]

    @classmethod
    def for_range(cls, low: float, high: float, integer: bool, max_bins: int) -> ScoreBins:
        if integer and high - low + 1 <= max_bins:
            return cls(low, high, int(high - low) + 1, True)
        if high <= low:
            return cls(low, low, 1, False)
        return cls(low, high, max_bins, False)

    @classmethod
    def from_edges(cls, edges: Sequence[float]) -> ScoreBins:
        """Bins between increasing, finite edges (checked by the caller), the last one
        closed. Bins of width one centred on whole numbers (599.5, 600.5, …) are read as
        whole-number scores, exactly as a file of whole numbers would be."""
        given = tuple(float(e) for e in edges)
        count = len(given) - 1
        centres = given[0] + 0.5
        integer = centres == math.floor(centres) and all(
            b - a == 1.0 for a, b in zip(given, given[1:], strict=False)
        )
        if integer:
            return cls(centres, given[-1] - 0.5, count, True, given)
        return cls(given[0], given[-1], count, False, given)

    def index(self, scores: np.ndarray) -> np.ndarray:
        if self.integer:
            return (scores - self.low).astype(np.int64)
        if self.count == 1:
            return np.zeros(len(scores), dtype=np.int64)
        if self.edges is not None:
            found = np.searchsorted(np.asarray(self.edges), scores, side="right") - 1
            return np.clip(found, 0, self.count - 1).astype(np.int64)
        span = self.high - self.low
        if math.isfinite(span):
            scaled = (scores - self.low) / span * self.count
        else:  # scores near ±1.8e308: halving first is exact and cannot overflow
            scaled = (scores / 2 - self.low / 2) / (self.high / 2 - self.low / 2) * self.count
        return np.clip(scaled, 0, self.count - 1).astype(np.int64)

    def upper_edges(self) -> np.ndarray:
        if self.integer:
            return self.low + np.arange(self.count, dtype=float)
        if self.edges is not None:
            return np.asarray(self.edges[1:], dtype=float)
        fraction = np.arange(1, self.count + 1) / self.count
        span = self.high - self.low
        if math.isfinite(span):
            return self.low + fraction * span
        edges: np.ndarray = (1 - fraction) * self.low + fraction * self.high  # cannot overflow
        return edges

    def edge_list(self) -> list[float]:
        """The edges a counts batch declares for these bins (``from_edges`` reads them back
        as the same bins): whole numbers get bins of width one centred on them; a single
        value, a bin of width one around it."""
        if self.edges is not None:
            return list(self.edges)
        if self.integer or (self.count == 1 and self.high <= self.low):
            return [float(e) for e in self.low - 0.5 + np.arange(self.count + 1)]
        return [self.low, *(float(e) for e in self.upper_edges())]

    def midpoints(self) -> np.ndarray:
        """Each bin's middle: where a counts batch's scores are taken to sit (for the score
        range, the Brier score and calibration). Whole-number bins: the numbers."""
        if self.integer:
            return self.low + np.arange(self.count, dtype=float)
        edges = np.asarray(self.edge_list(), dtype=float)
        middle: np.ndarray = edges[:-1] / 2 + edges[1:] / 2  # halves: no overflow
        return middle


@dataclass(frozen=True)
class SparseHist:
    """Σw per (cell, true label, score bin) where rows fell, as sorted unique keys
    ``(cell · 2 + label) · bins + bin`` and their weights."""

    keys: np.ndarray  # int64, sorted, unique
    weights: np.ndarray  # float64
    bins: int

    @classmethod
    def empty(cls, bins: int) -> SparseHist:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), bins)

    @classmethod
    def of_rows(
        cls, cell: np.ndarray, label: np.ndarray, score_bin: np.ndarray, w: np.ndarray, bins: int
    ) -> SparseHist:
        """One batch of rows; ``cell`` indexes the batch's cells (0 … k−1)."""
        key = (cell * 2 + label) * bins + score_bin
        k = int(cell.max()) + 1 if len(cell) else 0
        if k * 2 * bins <= max(4 * len(key), 1 << 16):
            dense = np.bincount(key, weights=w, minlength=k * 2 * bins)
            hit = np.flatnonzero(np.bincount(key, minlength=k * 2 * bins))
            return cls(hit.astype(np.int64), dense[hit], bins)
        # Many cells: sort the batch's keys rather than allocate every possible entry.
        unique, inverse = np.unique(key, return_inverse=True)
        return cls(unique, np.bincount(inverse.reshape(-1), weights=w), bins)

    def relabel(self, cell_ids: np.ndarray) -> SparseHist:
        """The same entries with cell c renamed ``cell_ids[c]`` (one-to-one), re-sorted."""
        cell, rest = np.divmod(self.keys, 2 * self.bins)
        keys = cell_ids[cell] * 2 * self.bins + rest
        order = np.argsort(keys, kind="stable")
        return SparseHist(keys[order], self.weights[order], self.bins)

    def add(self, other: SparseHist) -> SparseHist:
        """Entry-wise sum: ``self`` + ``other`` per key, in that order."""
        if len(other.keys) == 0:
            return self
        at = np.searchsorted(self.keys, other.keys)
        found = at < len(self.keys)
        found[found] = self.keys[at[found]] == other.keys[found]
        weights = self.weights.copy()
        weights[at[found]] += other.weights[found]
        new = ~found
        return SparseHist(
            np.insert(self.keys, at[new], other.keys[new]),
            np.insert(weights, at[new], other.weights[new]),
            self.bins,
        )

    @classmethod
    def total(cls, parts: list[tuple[np.ndarray, SparseHist]], bins: int) -> SparseHist:
        """Sum of parts whose cells are renamed by each part's ``cell_ids`` (many-to-one
        allowed), adding in part order."""
        keys, weights = [], []
        for cell_ids, hist in parts:
            cell, rest = np.divmod(hist.keys, 2 * bins)
            keys.append(cell_ids[cell] * 2 * bins + rest)
            weights.append(hist.weights)
        if not keys:
            return cls.empty(bins)
        unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
        return cls(unique, np.bincount(inverse.reshape(-1), weights=np.concatenate(weights)), bins)

    def group_blocks(self, member: np.ndarray, groups: int) -> Iterator[tuple[int, np.ndarray]]:
        """Dense (g, 2, bins) histograms of the groups ``member`` maps cells to, a block of
        groups at a time: (first group, block). Within a group, cells add in cell order, as
        ``np.add.at`` over cells would."""
        b = self.bins
        cell, rest = np.divmod(self.keys, 2 * b)
        group = member[cell] if len(cell) else np.zeros(0, dtype=np.int64)
        order = np.argsort(group, kind="stable")
        group, rest, weights = group[order], rest[order], self.weights[order]
        step = max(1, DENSE_FLOATS // (2 * b))
        for lo in range(0, groups, step):
            hi = min(groups, lo + step)
            a, z = np.searchsorted(group, [lo, hi])
            flat = (group[a:z] - lo) * 2 * b + rest[a:z]
            block = np.bincount(flat, weights=weights[a:z], minlength=(hi - lo) * 2 * b)
            yield lo, block.reshape(hi - lo, 2, b)
