"""Read a predictions file chunk by chunk and reduce it to additive counts per
intersectional cell. Pure Python + numpy/pyarrow; no Django.

A *cell* is one combination of sensitive-feature values present in the data. Per cell the
accumulator keeps, for the four confusion outcomes (TN, FP, FN, TP): row counts, weighted
counts and sums of squared weights; with a score column also the Brier sum, a 10-bin
calibration table and a score histogram per true label. Every one of these is a sum, so
chunks (or files, or Celery workers) combine by addition.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .config import DEFAULT_POSITIVE, AuditConfig
from .errors import AuditInputError

if TYPE_CHECKING:
    import pandas as pd

# Stream with the system allocator: Arrow's default jemalloc pool keeps freed batches
# resident, which more than doubled peak memory when streaming 10M rows (docs/performance.md).
pa.set_memory_pool(pa.system_memory_pool())

MISSING = "(missing)"
# Confusion outcome index = 2 * y_true + y_pred.
TN, FP, FN, TP = 0, 1, 2, 3
CAL_BINS = 10
DENSE_LIMIT = 4_000_000


# --- Reading -----------------------------------------------------------------------------


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return "parquet"
    if suffix in {".csv", ".txt", ".tsv"}:
        return "csv"
    raise AuditInputError(f"{path.name}: use a .csv or .parquet file.", field="file")


def _sniff_delimiter(path: Path) -> str:
    try:
        head = path.open("rb").read(65536)
    except OSError as exc:
        raise AuditInputError(f"Cannot read {path.name}: {exc.strerror}.", field="file") from exc
    if not head.strip():
        raise AuditInputError(f"{path.name} is empty.", field="file")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 64 KiB edge
            raise AuditInputError(
                f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV.",
                field="file",
            ) from exc
        text = head[: exc.start].decode("utf-8")
    first = text.splitlines()[0] if text.splitlines() else ""
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_header(path: Path) -> list[str]:
    """Column names of a CSV or Parquet file (for the upload form and validation)."""
    if file_format(path) == "parquet":
        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except (pa.ArrowInvalid, OSError) as exc:
            raise AuditInputError(
                f"{path.name} is not a readable Parquet file.", field="file"
            ) from exc
    delimiter = _sniff_delimiter(path)
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        row = next(csv.reader(handle, delimiter=delimiter), [])
    return [c.strip() for c in row]


def row_count(path: Path) -> int:
    """Data rows in the file: Parquet metadata, or newlines of a CSV less its header."""
    if file_format(path) == "parquet":
        rows: int = pq.ParquetFile(path).metadata.num_rows
        return rows
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1  # no newline after the last row
    return max(0, lines - 1)


def check_columns(config: AuditConfig, header: list[str]) -> None:
    for name in config.columns:
        if name not in header:
            close = difflib.get_close_matches(name, header, n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if len(header) == 1 and any(d in header[0] for d in ";\t|"):
                hint = " The file looks like it uses another delimiter than the one detected."
            raise AuditInputError(
                f"Column {name!r} is not in the file (columns: {', '.join(header)}).{hint}",
                field=name,
            )


def iter_file(path: Path, config: AuditConfig) -> Iterator[pa.RecordBatch]:
    header = read_header(path)
    check_columns(config, header)
    columns = list(dict.fromkeys(config.columns))
    if file_format(path) == "parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=config.chunk_rows, columns=columns)
        return
    types: dict[str, pa.DataType] = {c: pa.string() for c in columns}
    if config.y_score:
        types[config.y_score] = pa.float64()
    if config.weight:
        types[config.weight] = pa.float64()
    try:
        # open_csv already parses the first block, so it sits inside the try too.
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=_sniff_delimiter(path)),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns,
                column_types=types,
                strings_can_be_null=True,
                null_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"],
            ),
        )
        yield from reader
    except pa.ArrowInvalid as exc:
        text = str(exc)
        for name in (config.y_score, config.weight):
            # Arrow names the column by its position in the file.
            if name and f"column #{header.index(name)}" in text:
                raise AuditInputError(
                    f"Column {name!r} must be numeric: {text.split(':')[-1].strip()}", field=name
                ) from exc
        raise AuditInputError(f"The file could not be parsed as CSV: {text}", field="file") from exc
    except UnicodeDecodeError as exc:
        raise AuditInputError(
            "The file is not UTF-8 text; save it as UTF-8 CSV.", field="file"
        ) from exc


def iter_frame(frame: pd.DataFrame, config: AuditConfig) -> Iterator[pa.RecordBatch]:
    check_columns(config, [str(c) for c in frame.columns])
    table = pa.Table.from_pandas(frame[list(dict.fromkeys(config.columns))], preserve_index=False)
    yield from table.to_batches(max_chunksize=config.chunk_rows)


# --- Encoding ----------------------------------------------------------------------------


class FeatureEncoder:
    """Maps a sensitive feature's values to stable integer codes across chunks."""

    def __init__(self, name: str):
        self.name = name
        self.labels: list[str] = []
        self._index: dict[str, int] = {}

    def code_of(self, label: str) -> int:
        code = self._index.get(label)
        if code is None:
            code = self._index[label] = len(self.labels)
            self.labels.append(label)
        return code

    def encode(self, column: pa.Array | pa.ChunkedArray) -> np.ndarray:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if not pa.types.is_dictionary(column.type):
            if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
                column = pc.cast(column, pa.string())
            column = pc.dictionary_encode(column)
        values = column.dictionary.to_pylist()
        lookup = np.array([self.code_of(_label(v)) for v in values] or [0], dtype=np.int64)
        indices = column.indices
        if column.null_count:
            missing = self.code_of(MISSING)
            idx = pc.fill_null(indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
            filled: np.ndarray = np.where(idx < 0, missing, lookup[np.maximum(idx, 0)])
            return filled
        codes: np.ndarray = lookup[indices.to_numpy(zero_copy_only=False).astype(np.int64)]
        return codes


def _label(value: object) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text if text else MISSING


class BinaryColumn:
    """Turns a label or prediction column into 0/1, agreeing on one positive value."""

    def __init__(self, name: str, positive: str | None, role: str):
        self.name = name
        self.positive = positive
        self.role = role
        self.seen: set[str] = set()

    def convert(self, column: pa.Array | pa.ChunkedArray) -> np.ndarray:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if column.null_count:
            raise AuditInputError(
                f"{column.null_count} row(s) have an empty or NaN {self.role} in {self.name!r}; "
                "remove them or fill them in before auditing.",
                field=self.name,
            )
        if pa.types.is_boolean(column.type):
            # Binary by construction: True is positive unless --positive names False.
            arr: np.ndarray = column.to_numpy(zero_copy_only=False).astype(np.int8)
            if self.positive is not None and str(self.positive).strip().lower() in {
                "false",
                "0",
                "no",
                "f",
                "n",
            }:
                return 1 - arr
            return arr
        encoded = pc.dictionary_encode(pc.cast(column, pa.string()))
        values = [_label(v) for v in encoded.dictionary.to_pylist()]
        self.seen.update(values)
        if len(self.seen) > 2:
            shown = ", ".join(sorted(self.seen)[:6])
            raise AuditInputError(
                f"{self.role.capitalize()} column {self.name!r} is not binary: it has the values "
                f"{shown}{'…' if len(self.seen) > 6 else ''}.",
                field=self.name,
            )
        lookup = np.array([self._is_positive(v) for v in values] or [0], dtype=np.int8)
        positives: np.ndarray = lookup[
            encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        ]
        return positives

    def _is_positive(self, value: str) -> int:
        if self.positive is not None:
            return int(value == str(self.positive).strip() or _same_number(value, self.positive))
        if value.lower() in DEFAULT_POSITIVE:
            return 1
        if value.lower() in {"0", "0.0", "false", "no", "n", "f"}:
            return 0
        raise AuditInputError(
            f"{self.role.capitalize()} column {self.name!r} has the value {value!r}; say which "
            "value is the positive class with --positive (default positives: 1, true, yes).",
            field="positive",
        )


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


# --- Score binning -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreBins:
    """Histogram bins for AUC and the score median: one bin per integer when scores are
    whole numbers spanning fewer than ``max_bins`` values (exact), else equal widths."""

    low: float
    high: float
    count: int
    integer: bool

    @classmethod
    def for_range(cls, low: float, high: float, integer: bool, max_bins: int) -> ScoreBins:
        if integer and high - low + 1 <= max_bins:
            return cls(low, high, int(high - low) + 1, True)
        if high <= low:
            return cls(low, low, 1, False)
        return cls(low, high, max_bins, False)

    def index(self, scores: np.ndarray) -> np.ndarray:
        if self.integer:
            return (scores - self.low).astype(np.int64)
        if self.count == 1:
            return np.zeros(len(scores), dtype=np.int64)
        scaled = (scores - self.low) / (self.high - self.low) * self.count
        return np.clip(scaled.astype(np.int64), 0, self.count - 1)

    def upper_edges(self) -> np.ndarray:
        if self.integer:
            return self.low + np.arange(self.count, dtype=float)
        return self.low + (np.arange(1, self.count + 1) / self.count) * (self.high - self.low)


# --- Accumulating ------------------------------------------------------------------------


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
    hist: np.ndarray | None = None  # (C, 2, B): Σw per true label and score bin
    bins: ScoreBins | None = None
    score_min: float | None = None
    score_max: float | None = None
    total_rows: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


class Accumulator:
    def __init__(self, config: AuditConfig, bins: ScoreBins | None = None):
        self.config = config
        self.encoders = [FeatureEncoder(f) for f in config.sensitive]
        self.truth = BinaryColumn(config.y_true, config.positive, "label")
        self.pred = (
            BinaryColumn(config.y_pred, config.positive, "prediction") if config.y_pred else None
        )
        self.bins = bins
        self._cell_index: dict[tuple[int, ...], int] = {}
        self._cells: list[tuple[int, ...]] = []
        self.total_rows = 0
        self.score_min = np.inf
        self.score_max = -np.inf
        self._stats: dict[str, np.ndarray] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        cfg = self.config
        n = batch.num_rows
        if n == 0:
            return
        y = self.truth.convert(batch.column(cfg.y_true))
        if self.pred is not None:
            p = self.pred.convert(batch.column(cfg.y_pred))
            scores = None
        else:
            if cfg.y_score is None:  # AuditConfig names a prediction or a score column
                raise ValueError("The config names neither a prediction nor a score column.")
            scores = _floats(batch.column(cfg.y_score), cfg.y_score, "score")
            if np.isnan(scores).any():
                raise AuditInputError(
                    f"{int(np.isnan(scores).sum())} row(s) have no score in {cfg.y_score!r}.",
                    field=cfg.y_score,
                )
            p = (scores >= cfg.threshold).astype(np.int8)
            self.score_min = min(self.score_min, float(scores.min()))
            self.score_max = max(self.score_max, float(scores.max()))
        weights = None
        if cfg.weight:
            weights = _floats(batch.column(cfg.weight), cfg.weight, "weight")
            if np.isnan(weights).any() or (weights < 0).any():
                raise AuditInputError(
                    f"Weights in {cfg.weight!r} must be numbers ≥ 0.", field=cfg.weight
                )
        codes = [
            enc.encode(batch.column(name))
            for enc, name in zip(self.encoders, cfg.sensitive, strict=True)
        ]
        radix = [len(enc.labels) for enc in self.encoders]
        size = int(np.prod(radix, dtype=np.float64))
        if size <= DENSE_LIMIT:
            key = np.zeros(n, dtype=np.int64)
            for c, r in zip(codes, radix, strict=True):
                key = key * r + c
            present, local = _present(key, size)
        else:  # very many categories: sort instead of a dense table
            stacked = np.stack(codes, axis=1)
            uniq, local = np.unique(stacked, axis=0, return_inverse=True)
            local = local.reshape(-1)
            present = uniq
        cell_ids = self._cell_ids(present, radix, dense=size <= DENSE_LIMIT)
        k = len(cell_ids)
        outcome = (2 * y + p).astype(np.int64)
        idx = local * 4 + outcome
        self._add("rows", cell_ids, np.bincount(idx, minlength=4 * k).reshape(k, 4))
        w = weights if weights is not None else None
        self._add("w", cell_ids, np.bincount(idx, weights=w, minlength=4 * k).reshape(k, 4))
        w2 = w * w if w is not None else None
        self._add("w2", cell_ids, np.bincount(idx, weights=w2, minlength=4 * k).reshape(k, 4))
        if scores is not None:
            ww = w if w is not None else np.ones(n)
            self._add(
                "brier", cell_ids, np.bincount(local, weights=ww * (scores - y) ** 2, minlength=k)
            )
            cal_bin = np.clip((scores * CAL_BINS).astype(np.int64), 0, CAL_BINS - 1)
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
            if self.bins is not None:
                b = self.bins.count
                hidx = (local * 2 + y) * b + self.bins.index(scores)
                self._add(
                    "hist",
                    cell_ids,
                    np.bincount(hidx, weights=ww, minlength=k * 2 * b).reshape(k, 2, b),
                )
        self.total_rows += n

    def _cell_ids(self, present: np.ndarray, radix: list[int], dense: bool) -> np.ndarray:
        if dense:
            tuples = (
                np.stack(np.unravel_index(present, radix), axis=1)
                if len(present)
                else np.zeros((0, len(radix)), dtype=np.int64)
            )
        else:
            tuples = present
        ids = np.empty(len(tuples), dtype=np.int64)
        for i, t in enumerate(map(tuple, tuples.tolist())):
            cid = self._cell_index.get(t)
            if cid is None:
                cid = self._cell_index[t] = len(self._cells)
                self._cells.append(t)
            ids[i] = cid
        return ids

    def _add(self, name: str, cell_ids: np.ndarray, values: np.ndarray) -> None:
        current = self._stats.get(name)
        needed = len(self._cells)
        if current is None:
            current = np.zeros((needed, *values.shape[1:]), dtype=np.float64)
        elif current.shape[0] < needed:
            grown = np.zeros((needed, *values.shape[1:]), dtype=np.float64)
            grown[: current.shape[0]] = current
            current = grown
        np.add.at(current, cell_ids, values)
        self._stats[name] = current

    def result(self) -> Counts:
        if self.total_rows == 0:
            raise AuditInputError("The file has a header but no rows.", field="file")
        c = len(self._cells)

        def stat(name: str, shape: tuple[int, ...]) -> np.ndarray:
            arr = self._stats.get(name)
            if arr is None:
                return np.zeros(shape)
            if arr.shape[0] < c:
                grown = np.zeros((c, *arr.shape[1:]))
                grown[: arr.shape[0]] = arr
                arr = grown
            return arr

        def score_stat(name: str) -> np.ndarray | None:
            # Brier, calibration and histogram sums exist only once a batch had scores.
            return stat(name, ()) if name in self._stats else None

        has_scores = self.config.y_score is not None
        return Counts(
            features=list(self.config.sensitive),
            labels=[enc.labels for enc in self.encoders],
            cells=np.array(self._cells, dtype=np.int64).reshape(c, len(self.encoders)),
            rows=stat("rows", (c, 4)),
            w=stat("w", (c, 4)),
            w2=stat("w2", (c, 4)),
            brier=score_stat("brier") if has_scores else None,
            cal=score_stat("cal") if has_scores else None,
            hist=score_stat("hist") if has_scores and self.bins else None,
            bins=self.bins,
            score_min=self.score_min if has_scores else None,
            score_max=self.score_max if has_scores else None,
            total_rows=self.total_rows,
        )


def _present(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-empty dense keys and each row's index among them."""
    occupied = np.bincount(key, minlength=size) > 0
    present = np.flatnonzero(occupied)
    remap = np.full(size, -1, dtype=np.int64)
    remap[present] = np.arange(len(present))
    return present, remap[key]


def _floats(column: pa.Array | pa.ChunkedArray, name: str, role: str) -> np.ndarray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not (
        pa.types.is_floating(column.type)
        or pa.types.is_integer(column.type)
        or pa.types.is_decimal(column.type)
    ):
        try:
            column = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise AuditInputError(
                f"The {role} column {name!r} must be numeric.", field=name
            ) from exc
    values: np.ndarray = pc.fill_null(pc.cast(column, pa.float64()), float("nan")).to_numpy(
        zero_copy_only=False
    )
    return values


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
        hist=score_total("hist"),
        bins=first.bins,
        score_min=min(mins) if mins else None,
        score_max=max(maxs) if maxs else None,
        total_rows=sum(p.total_rows for p in parts),
    )


def scan_scores(batches: Iterable[pa.RecordBatch], column: str) -> tuple[float, float, bool]:
    """Min, max and whether all scores are whole numbers (one cheap pass over one column)."""
    low, high, integer = np.inf, -np.inf, True
    for batch in batches:
        values = _floats(batch.column(column), column, "score")
        if np.isnan(values).any():
            raise AuditInputError(
                f"{int(np.isnan(values).sum())} row(s) have no score in {column!r}.", field=column
            )
        if len(values):
            low, high = min(low, values.min()), max(high, values.max())
            integer = integer and bool(np.all(values == np.floor(values)))
    return float(low), float(high), integer
