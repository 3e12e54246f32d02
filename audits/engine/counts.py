"""Reduce a stream of record batches to additive counts per intersectional cell. Pure Python
+ numpy/pyarrow; no Django.

A *cell* is one combination of sensitive-feature values present in the data; only cells
that occur are ever stored (never the product of the features' values). Per cell the
accumulator keeps, for the four confusion outcomes (TN, FP, FN, TP): row counts, weighted
counts and sums of squared weights; with a score column also the Brier sum, a 10-bin
calibration table and a sparse score histogram per true label. Every one of these is a sum,
so chunks (or files, or Celery workers) combine by addition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from .columns import (
    MISSING,
    BinaryColumn,
    FeatureEncoder,
    finite_floats,
    first_nan_row,
)
from .config import AuditConfig
from .errors import AuditInputError
from .histograms import ScoreBins, SparseHist
from .limits import (
    VALUES_SETTING,
    cell_limit,
    label_too_long,
    too_many_cells,
)
from .reading import check_columns, file_format, iter_file, iter_frame, read_header, row_count

__all__ = [
    "CAL_BINS",
    "FN",
    "FP",
    "MISSING",
    "TN",
    "TP",
    "Accumulator",
    "Counts",
    "ScoreBins",
    "SparseHist",
    "check_columns",
    "check_counts",
    "file_format",
    "iter_file",
    "iter_frame",
    "merge",
    "read_header",
    "read_scores",
    "read_weights",
    "row_count",
    "scan_scores",
]

# Confusion outcome index = 2 * y_true + y_pred.
TN, FP, FN, TP = 0, 1, 2, 3
CAL_BINS = 10
# Combined cell keys stay below this, so they never overflow int64.
KEY_LIMIT = 1 << 62


@dataclass
class Counts:
    """Additive sufficient statistics per intersectional cell."""

    features: list[str]
    labels: list[list[str]]  # per feature, code → label
    cells: np.ndarray  # (C, F) codes
    rows: np.ndarray  # (C, 4) row counts per outcome
    w: np.ndarray  # (C, 4) weighted counts
    w2: np.ndarray  # (C, 4) sums of squared weights
    brier: np.ndarray | None = None  # (C,)
    cal: np.ndarray | None = None  # (C, CAL_BINS, 3): Σw, Σw·score, Σw·y
    hist: SparseHist | None = None  # Σw per cell, true label and score bin
    bins: ScoreBins | None = None
    score_min: float | None = None
    score_max: float | None = None
    total_rows: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


def batch_cells(codes: list[np.ndarray], radix: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The cells a batch's rows fall in, as (C, F) codes, and each row's index among them.

    The codes combine into one integer key per row; a table of every possible key is used
    only while it is no larger than a few times the batch (then one bincount finds the keys
    present), otherwise the keys are sorted."""
    n = len(codes[0])
    key = codes[0]
    size = radix[0]
    mixed = True  # key is the mixed-radix number of the codes (not renumbered)
    for c, r in zip(codes[1:], radix[1:], strict=True):
        if size * r >= KEY_LIMIT:  # renumber the keys seen so far: at most n of them
            uniq, key = np.unique(key, return_inverse=True)
            key, size, mixed = key.reshape(-1), len(uniq), False
        key = key * r + c
        size *= r
    if mixed and size <= max(4 * n, 1 << 16):
        occupied = np.bincount(key, minlength=size) > 0
        present = np.flatnonzero(occupied)
        remap = np.full(size, -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        tuples = np.stack(np.unravel_index(present, radix), axis=1)
        return tuples.astype(np.int64).reshape(len(present), len(codes)), remap[key]
    _, first, local = np.unique(key, return_index=True, return_inverse=True)
    tuples = np.stack([c[first] for c in codes], axis=1)
    return tuples.astype(np.int64), local.reshape(-1)


class CellIndex:
    """The cells met so far, each with a stable id: every sensitive feature's values and
    their combinations, held to the limits as each batch arrives."""

    def __init__(self, config: AuditConfig):
        self.config = config
        self.encoders = [
            FeatureEncoder(f, config.max_values_per_feature, config.max_label_length)
            for f in config.sensitive
        ]
        self._index: dict[tuple[int, ...], int] = {}
        self.cells: list[tuple[int, ...]] = []

    def locate(self, batch: pa.RecordBatch, rows_read: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids of the batch's cells, each row's index among them). ``rows_read`` counts
        the rows up to the end of this batch, for the message when a limit is crossed."""
        codes = [
            enc.encode(batch.column(name), rows_read)
            for enc, name in zip(self.encoders, self.config.sensitive, strict=True)
        ]
        tuples, local = batch_cells(codes, [max(1, len(enc.labels)) for enc in self.encoders])
        keys = list(map(tuple, tuples.tolist()))
        new = [t for t in keys if t not in self._index]
        count = len(self.cells) + len(new)
        if count > cell_limit(self.config)[0]:
            raise too_many_cells(self.config, count, rows_read)
        for t in new:
            self._index[t] = len(self.cells)
            self.cells.append(t)
        return np.array([self._index[t] for t in keys], dtype=np.int64), local


class Accumulator:
    def __init__(self, config: AuditConfig, bins: ScoreBins | None = None):
        self.config = config
        self.index = CellIndex(config)
        self.truth = BinaryColumn(config.y_true, config.positive, "label")
        self.pred = (
            BinaryColumn(config.y_pred, config.positive, "prediction") if config.y_pred else None
        )
        self.bins = bins
        self.total_rows = 0
        self.score_min = np.inf
        self.score_max = -np.inf
        self._stats: dict[str, np.ndarray] = {}
        self._hist = SparseHist.empty(bins.count) if bins is not None else None

    def add(self, batch: pa.RecordBatch) -> None:
        cfg = self.config
        n = batch.num_rows
        if n == 0:
            return
        first_row = self.total_rows + 1
        # The groups first: a feature or a combination over the limits stops the reading
        # here, before anything sized by the number of groups is built.
        cell_ids, local = self.index.locate(batch, self.total_rows + n)
        k = len(cell_ids)
        y = self.truth.convert(batch.column(cfg.y_true))
        if self.pred is not None:
            p = self.pred.convert(batch.column(cfg.y_pred))
            scores = None
        else:
            if cfg.y_score is None:  # AuditConfig names a prediction or a score column
                raise ValueError("The config names neither a prediction nor a score column.")
            scores = _scores(batch.column(cfg.y_score), cfg.y_score, first_row)
            p = (scores >= cfg.threshold).astype(np.int8)
            self.score_min = min(self.score_min, float(scores.min()))
            self.score_max = max(self.score_max, float(scores.max()))
        w = _weights(batch.column(cfg.weight), cfg.weight, first_row) if cfg.weight else None
        outcome = (2 * y + p).astype(np.int64)
        idx = local * 4 + outcome
        self._add("rows", cell_ids, np.bincount(idx, minlength=4 * k).reshape(k, 4))
        self._add("w", cell_ids, np.bincount(idx, weights=w, minlength=4 * k).reshape(k, 4))
        with np.errstate(over="ignore"):  # weights over 1e154: their intervals are null
            w2 = w * w if w is not None else None
        self._add("w2", cell_ids, np.bincount(idx, weights=w2, minlength=4 * k).reshape(k, 4))
        if scores is not None:
            self._add_scores(scores, y, w, local, cell_ids)
        self.total_rows += n

    def _add_scores(
        self,
        scores: np.ndarray,
        y: np.ndarray,
        w: np.ndarray | None,
        local: np.ndarray,
        cell_ids: np.ndarray,
        score_bin: np.ndarray | None = None,
    ) -> None:
        """Brier, calibration and histogram sums; ``score_bin`` gives each row's bin when it
        is known already (a counts table's rows sit at their bins' midpoints)."""
        k = len(cell_ids)
        ww = w if w is not None else np.ones(len(scores))
        # Scores or weights near the float limit overflow these sums to ±inf; they are
        # then reported as null (or, outside [0, 1], not at all), so no warning is due.
        with np.errstate(over="ignore", invalid="ignore"):
            # Brier and calibration are reported only for scores within [0, 1]; clipping
            # far-off scores keeps the unused sums finite.
            err = np.clip(scores, -1e150, 1e150) - y
            self._add("brier", cell_ids, np.bincount(local, weights=ww * err**2, minlength=k))
            cal_bin = np.clip(scores * CAL_BINS, 0, CAL_BINS - 1).astype(np.int64)
            cidx = local * CAL_BINS + cal_bin
            cal = np.stack(
                [
                    np.bincount(cidx, weights=ww, minlength=k * CAL_BINS),
                    np.bincount(cidx, weights=ww * scores, minlength=k * CAL_BINS),
                    np.bincount(cidx, weights=ww * y, minlength=k * CAL_BINS),
                ],
                axis=-1,
            ).reshape(k, CAL_BINS, 3)
            self._add("cal", cell_ids, cal)
            if self.bins is not None and self._hist is not None:
                found = self.bins.index(scores) if score_bin is None else score_bin
                batch_hist = SparseHist.of_rows(cell_ids[local], y, found, ww, self.bins.count)
                self._hist = self._hist.add(batch_hist)

    def _add(self, name: str, cell_ids: np.ndarray, values: np.ndarray) -> None:
        current = self._stats.get(name)
        needed = len(self.index.cells)
        if current is None:
            current = np.zeros((needed, *values.shape[1:]), dtype=np.float64)
        elif current.shape[0] < needed:
            grown = np.zeros((max(needed, 2 * current.shape[0]), *values.shape[1:]))
            grown[: current.shape[0]] = current
            current = grown
        np.add.at(current, cell_ids, values)
        self._stats[name] = current

    def result(self) -> Counts:
        if self.total_rows == 0:
            raise AuditInputError("The file has a header but no rows.", field="file")
        c = len(self.index.cells)

        def stat(name: str, shape: tuple[int, ...]) -> np.ndarray:
            arr = self._stats.get(name)
            if arr is None:
                return np.zeros(shape)
            if arr.shape[0] != c:
                grown = np.zeros((c, *arr.shape[1:]))
                grown[: min(c, arr.shape[0])] = arr[:c]
                arr = grown
            return arr

        def score_stat(name: str) -> np.ndarray | None:
            # Brier and calibration sums exist only once a batch had scores.
            return stat(name, ()) if name in self._stats else None

        # Scores come from a score column, or from the score bins of a counts table.
        has_scores = self.config.y_score is not None or self.bins is not None
        return Counts(
            features=list(self.config.sensitive),
            labels=[enc.labels for enc in self.index.encoders],
            cells=np.array(self.index.cells, dtype=np.int64).reshape(c, len(self.config.sensitive)),
            rows=stat("rows", (c, 4)),
            w=stat("w", (c, 4)),
            w2=stat("w2", (c, 4)),
            brier=score_stat("brier") if has_scores else None,
            cal=score_stat("cal") if has_scores else None,
            hist=self._hist if has_scores else None,
            bins=self.bins,
            score_min=self.score_min if has_scores else None,
            score_max=self.score_max if has_scores else None,
            total_rows=self.total_rows,
        )


def _scores(column: pa.Array | pa.ChunkedArray, name: str, first_row: int) -> np.ndarray:
    scores = finite_floats(column, name, "score", first_row)
    missing = np.isnan(scores)
    if missing.any():
        raise AuditInputError(
            f"{int(missing.sum())} row(s) have no score in {name!r} (the first is row "
            f"{first_nan_row(scores, first_row):,}).",
            field=name,
        )
    return scores


def _weights(column: pa.Array | pa.ChunkedArray, name: str, first_row: int) -> np.ndarray:
    weights = finite_floats(column, name, "weight", first_row)
    bad = np.isnan(weights) | (weights < 0)
    if bad.any():
        row = first_row + int(np.argmax(bad))
        raise AuditInputError(
            f"Weights in {name!r} must be numbers ≥ 0 (row {row:,} has none or a negative one).",
            field=name,
        )
    return weights


# The row-level readers, for other passes over a file (pushdown.score_bin_rows).
read_scores = _scores
read_weights = _weights


def check_counts(counts: Counts, config: AuditConfig) -> None:
    """The limits, on counts built elsewhere (the parts of a split run added up)."""
    for feature, values in zip(counts.features, counts.labels, strict=True):
        if len(values) > config.max_values_per_feature:
            raise AuditInputError(
                f"{feature} has {len(values):,} distinct values; the limit is "
                f"{config.max_values_per_feature:,} ({VALUES_SETTING}). Group rare values, "
                "or audit a coarser feature.",
                field=feature,
            )
        longest = max((v for v in values if v != MISSING), key=len, default="")
        if len(longest) > config.max_label_length:
            raise label_too_long(feature, longest[:40] + "…", len(longest), config.max_label_length)
    if len(counts.cells) > cell_limit(config)[0]:
        raise too_many_cells(config, len(counts.cells), None)


def merge(parts: list[Counts]) -> Counts:
    """Sum counts computed separately (chunks on different workers) into one.

    Cells and category codes are matched by label, so parts may have met categories in
    different orders."""
    first = parts[0]
    features = first.features
    labels: list[list[str]] = [[] for _ in features]
    index: list[dict[str, int]] = [{} for _ in features]
    cell_index: dict[tuple[int, ...], int] = {}
    cells: list[tuple[int, ...]] = []
    mapped = []
    for part in parts:
        luts = []
        for f, part_labels in enumerate(part.labels):
            lut = []
            for label in part_labels:
                if label not in index[f]:
                    index[f][label] = len(labels[f])
                    labels[f].append(label)
                lut.append(index[f][label])
            luts.append(lut)
        ids = []
        for row in part.cells.tolist():
            t = tuple(luts[f][code] for f, code in enumerate(row))
            if t not in cell_index:
                cell_index[t] = len(cells)
                cells.append(t)
            ids.append(cell_index[t])
        mapped.append(np.array(ids, dtype=np.int64))
    c = len(cells)

    def total(name: str) -> np.ndarray:
        arrays = [getattr(p, name) for p in parts]
        out = np.zeros((c, *arrays[0].shape[1:]))
        for ids, arr in zip(mapped, arrays, strict=True):
            np.add.at(out, ids, arr)
        return out

    def score_total(name: str) -> np.ndarray | None:
        # Score statistics are in every part or in none: the parts share one config.
        return None if getattr(first, name) is None else total(name)

    hist = None
    if first.hist is not None:
        hists = [(ids, p.hist) for ids, p in zip(mapped, parts, strict=True) if p.hist is not None]
        hist = SparseHist.total(hists, first.hist.bins)
    mins = [p.score_min for p in parts if p.score_min is not None]
    maxs = [p.score_max for p in parts if p.score_max is not None]
    return Counts(
        features=features,
        labels=labels,
        cells=np.array(cells, dtype=np.int64).reshape(c, len(features)),
        rows=total("rows"),
        w=total("w"),
        w2=total("w2"),
        brier=score_total("brier"),
        cal=score_total("cal"),
        hist=hist,
        bins=first.bins,
        score_min=min(mins) if mins else None,
        score_max=max(maxs) if maxs else None,
        total_rows=sum(p.total_rows for p in parts),
    )


def scan_scores(
    batches: Iterable[pa.RecordBatch], config: AuditConfig
) -> tuple[float, float, bool]:
    """Min, max and whether all scores are whole numbers (the pass before counting that
    sets the histogram bins). The groups are held to the limits in this pass already."""
    if config.y_score is None:
        raise ValueError("Scanning scores needs a score column.")
    column = config.y_score
    low, high, integer = np.inf, -np.inf, True
    first_row = 1
    groups = CellIndex(config)
    for batch in batches:
        groups.locate(batch, first_row + batch.num_rows - 1)
        values = _scores(batch.column(column), column, first_row)
        first_row += len(values)
        if len(values):
            low, high = min(low, values.min()), max(high, values.max())
            integer = integer and bool(np.all(values == np.floor(values)))
    return float(low), float(high), integer
