"""Counts computed where the data lives: a pre-aggregated table (one row per combination of
sensitive values, label and prediction, with its row count and optionally its weight sums
and score bin) turned into the engine's additive ``Counts``, so the audit equals the
row-level audit of the same rows (with score bins: of rows at the bins' midpoints). The
table may come from a warehouse's GROUP BY (docs/monitoring.md, "Warehouse push-down"),
from a monitor's counts upload, from Spark (``counts_from_spark``) or from a file with a
score column (``score_bin_rows``, for ``forethought-audit --push``). Pure Python +
numpy/pyarrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .columns import BinaryColumn
from .config import AuditConfig
from .counts import Accumulator, Counts, read_scores, read_weights
from .errors import AuditInputError
from .histograms import ScoreBins
from .reading import iter_file

COUNT = "count"
WEIGHT = "weight"  # Σw over the rows of the combination
WEIGHT_SQ = "weight_sq"  # Σw², for the effective sample size; default weight² / count
SCORE_BIN = "score_bin"  # index of the row's score bin among the declared edges
PREDICTION = "prediction"  # a score config's optional predictions (else from the bins)


def _number_column(table: pa.Table, name: str) -> np.ndarray:
    """A column that holds a number on every row, as floats."""
    column = table.column(name)
    if column.null_count or not (
        pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
    ):
        raise AuditInputError(f"{name!r} must be a number on every row.", field=name)
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    values = _number_column(table, name)
    if not np.all(np.isfinite(values)) or (values < 0).any():
        raise AuditInputError(f"{name!r} must be finite and ≥ 0 on every row.", field=name)
    return values


def score_bins_of(edges: Any, config: AuditConfig) -> ScoreBins:
    """The bins of a counts table's ``score_bin`` column, from their edges: at least two
    finite, strictly increasing numbers; at most ``config.score_bins`` bins."""
    if (
        not isinstance(edges, Sequence)
        or isinstance(edges, str)
        or len(edges) < 2
        or any(isinstance(e, bool) or not isinstance(e, int | float) for e in edges)
    ):
        raise AuditInputError(
            "score_bins is a list of at least two bin edges (numbers).", field="score_bins"
        )
    values = np.array(edges, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise AuditInputError("score_bins are finite numbers.", field="score_bins")
    flat = np.flatnonzero(np.diff(values) <= 0)
    if len(flat):
        i = int(flat[0])
        raise AuditInputError(
            f"score_bins increase: edge {i + 2} ({values[i + 1]:g}) is not above edge "
            f"{i + 1} ({values[i]:g}).",
            field="score_bins",
        )
    if len(values) - 1 > config.score_bins:
        raise AuditInputError(
            f"At most {config.score_bins:,} score bins (the config's score_bins).",
            field="score_bins",
        )
    return ScoreBins.from_edges(values.tolist())


def _score_bins(table: pa.Table, bins: ScoreBins) -> np.ndarray:
    found = _number_column(table, SCORE_BIN)
    with np.errstate(invalid="ignore"):
        wrong = ~np.isfinite(found) | (found < 0) | (found != np.floor(found))
    bad = np.flatnonzero(wrong | (found >= bins.count))
    if len(bad):
        i = int(bad[0])
        raise AuditInputError(
            f"Row {i + 1}: score_bin {found[i]:g} is not a bin of score_bins (0 to "
            f"{bins.count - 1}).",
            field=SCORE_BIN,
        )
    return found.astype(np.int64)


def _by_threshold(
    bins: ScoreBins, score_bin: np.ndarray, given: np.ndarray | None, threshold: float
) -> np.ndarray:
    """A score config's predictions: 1 for a bin at or above the threshold, 0 below it; a
    bin that holds the threshold needs the rows' own predictions, and given predictions
    must agree with the bins they can be read from."""
    assert bins.edges is not None
    edges = np.asarray(bins.edges)
    low, high = edges[:-1][score_bin], edges[1:][score_bin]
    last = score_bin == bins.count - 1  # the last bin is closed: it holds its high edge
    if bins.integer:  # each bin holds one whole number
        low = high = bins.midpoints()[score_bin]
        last = np.ones(len(score_bin), dtype=bool)
    above = low >= threshold
    below = (high < threshold) | ((high == threshold) & ~last)
    open_ = ~(above | below)

    def where(i: int) -> str:
        return f"score bin {score_bin[i]} [{low[i]:g}, {high[i]:g}{']' if last[i] else ')'}"

    if given is None:
        if open_.any():
            i = int(np.argmax(open_))
            raise AuditInputError(
                f"Row {i + 1}: {where(i)} holds the threshold {threshold:g}; give the rows' "
                "predictions.",
                field=PREDICTION,
            )
        derived: np.ndarray = above.astype(np.int8)
        return derived
    wrong = ~open_ & (given != above)
    if wrong.any():
        i = int(np.argmax(wrong))
        side = "at or above" if above[i] else "below"
        raise AuditInputError(
            f"Row {i + 1}: prediction {int(given[i])} disagrees with the threshold "
            f"{threshold:g}: {where(i)} lies {side} it.",
            field=PREDICTION,
        )
    return given


def counts_from_table(
    table: pa.Table, config: AuditConfig, score_bins: Sequence[float] | None = None
) -> Counts:
    """``Counts`` from a counts table with the config's label (``y_true``), prediction
    (``y_pred``) and sensitive columns plus ``count`` (and optionally ``weight`` and
    ``weight_sq``). Values are read exactly as a row-level file's would be.

    With ``score_bins`` (bin edges) each row also has a ``score_bin``; its rows' scores are
    taken to sit at the bin's midpoint for the Brier score and calibration, and AUC comes
    from the bins. A score config (``y_score``) needs them, and reads its predictions from
    the bins and the threshold (an optional ``prediction`` column is checked against them)."""
    bins = None if score_bins is None else score_bins_of(score_bins, config)
    if config.y_score is not None and bins is None:
        raise AuditInputError(
            "Counts for a score column carry score bins: give score_bins (the bin edges) and "
            "each row's score_bin.",
            field="score_bins",
        )
    has_bin = SCORE_BIN in table.column_names
    if has_bin and bins is None:
        raise AuditInputError(
            "Rows give a score_bin; give the bins' edges in score_bins.", field="score_bins"
        )
    if bins is not None and not has_bin:
        raise AuditInputError("With score_bins, give each row's score_bin.", field=SCORE_BIN)
    prediction = config.y_pred or PREDICTION
    keys = [config.y_true, *config.sensitive]
    if config.y_pred is not None or (PREDICTION in table.column_names and PREDICTION not in keys):
        keys.append(prediction)
    missing = [c for c in [*keys, COUNT] if c not in table.column_names]
    if missing:
        raise AuditInputError(f"The counts lack the column(s) {', '.join(missing)}.", field="rows")
    if table.num_rows == 0:
        raise AuditInputError("The counts have no rows.", field="rows")
    count = _numbers(table, COUNT)
    if not np.all(count == np.floor(count)):
        raise AuditInputError("Counts are whole numbers.", field=COUNT)
    has_weight = WEIGHT in table.column_names
    weight = _numbers(table, WEIGHT) if has_weight else count
    if WEIGHT_SQ in table.column_names:
        weight_sq = _numbers(table, WEIGHT_SQ)
    elif has_weight:  # every row of a combination weighs the same
        with np.errstate(divide="ignore", invalid="ignore"):
            weight_sq = np.where(count > 0, weight * weight / count, 0.0)
    else:
        weight_sq = count
    acc = Accumulator(config, bins)
    batch = pa.RecordBatch.from_pydict({name: table.column(name).combine_chunks() for name in keys})
    total = int(count.sum())
    cell_ids, local = acc.index.locate(batch, total)
    k = len(cell_ids)
    y = acc.truth.convert(batch.column(config.y_true))
    reader = acc.pred or BinaryColumn(PREDICTION, config.positive, "prediction")
    p = reader.convert(batch.column(prediction)) if prediction in keys else None
    score_bin = None if bins is None else _score_bins(table, bins)
    if config.y_score is not None and config.threshold is not None:
        assert bins is not None and score_bin is not None  # a score config needs bins
        p = _by_threshold(bins, score_bin, p, config.threshold)
    assert p is not None
    idx = local * 4 + (2 * y + p).astype(np.int64)
    for name, values in (("rows", count), ("w", weight), ("w2", weight_sq)):
        acc._add(name, cell_ids, np.bincount(idx, weights=values, minlength=4 * k).reshape(k, 4))
    acc.total_rows = total
    if total == 0:
        raise AuditInputError("The counts add up to no rows.", field=COUNT)
    if bins is not None and score_bin is not None:
        scores = bins.midpoints()[score_bin]
        acc._add_scores(scores, y, weight, local, cell_ids, score_bin=score_bin)
        held = scores[count > 0]
        acc.score_min, acc.score_max = float(held.min()), float(held.max())
    return acc.result()


def table_from_rows(rows: Sequence[Mapping[str, Any]], config: AuditConfig) -> pa.Table:
    """The counts table of the API's JSON form: ``[{"groups": {"sex": "f"}, "label": 1,
    "prediction": 0, "count": 120, "weight": 118.5, "score_bin": 6}, …]``, with the
    config's column names (a score config's predictions, optional, as ``prediction``)."""
    prediction = config.y_pred or PREDICTION
    columns: dict[str, list[Any]] = {c: [] for c in (*config.sensitive, config.y_true)}
    extra: dict[str, list[Any]] = {
        prediction: [],
        COUNT: [],
        WEIGHT: [],
        WEIGHT_SQ: [],
        SCORE_BIN: [],
    }
    for i, row in enumerate(rows):
        groups = row.get("groups")
        if not isinstance(groups, Mapping) or set(groups) != set(config.sensitive):
            raise AuditInputError(
                f"Row {i + 1}: groups names each of {', '.join(config.sensitive)} once.",
                field="rows",
            )
        for feature in config.sensitive:
            value = groups[feature]
            columns[feature].append(None if value is None else str(value))
        for key, values in (("label", columns[config.y_true]), ("prediction", extra[prediction])):
            value = row.get(key)
            if isinstance(value, bool):
                value = int(value)
            if value is None and key == "prediction" and config.y_pred is None:
                values.append(None)  # a score config reads it from the row's score bin
            elif value is None or isinstance(value, dict | list):
                raise AuditInputError(f"Row {i + 1}: {key} is 0/1 or a class name.", field="rows")
            else:
                values.append(str(value))
        for key in (COUNT, WEIGHT, WEIGHT_SQ):
            value = row.get(key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise AuditInputError(f"Row {i + 1}: {key} is a number.", field="rows")
            extra[key].append(value)
        value = row.get(SCORE_BIN)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise AuditInputError(
                f"Row {i + 1}: score_bin is a bin's index (a whole number from 0).", field="rows"
            )
        extra[SCORE_BIN].append(value)
    if not rows:
        raise AuditInputError("The counts have no rows.", field="rows")
    if any(v is None for v in extra[COUNT]):
        raise AuditInputError("Every row has a count.", field="rows")
    data: dict[str, Any] = {k: pa.array(v, type=pa.string()) for k, v in columns.items()}
    for key, values in extra.items():
        given = [v is not None for v in values]
        if key != COUNT and not any(given):
            continue
        if not all(given):
            raise AuditInputError(f"Give {key} on every row or on none.", field="rows")
        if key in data:  # e.g. a sensitive feature called "weight"
            raise AuditInputError(
                f"The config names a column {key!r}, which the counts use for the rows' "
                f"{key}; rename it to send {key}.",
                field="rows",
            )
        if key == prediction:
            data[key] = pa.array(values, type=pa.string())
        elif key == SCORE_BIN:
            data[key] = pa.array(values, type=pa.int64())
        else:
            data[key] = pa.array([float(v) for v in values], type=pa.float64())
    return pa.table(data)


def score_bin_rows(path: Path, config: AuditConfig, bins: ScoreBins) -> list[dict[str, Any]]:
    """A file with a score column as the monitor API's counts rows, one per group, label,
    prediction (score ≥ threshold) and score bin, with its count and weight sums; sent with
    ``"score_bins": bins.edge_list()`` (``forethought-audit --push``). Values are read as
    the row-level audit reads them."""
    if config.y_score is None or config.threshold is None:
        raise ValueError("Score-bin rows need a score column and its threshold.")
    acc = Accumulator(config)
    parts: list[tuple[np.ndarray, ...]] = []
    first_row = 1
    for batch in iter_file(path, config):
        n = batch.num_rows
        if n == 0:
            continue
        cell_ids, local = acc.index.locate(batch, first_row + n - 1)
        y = acc.truth.convert(batch.column(config.y_true)).astype(np.int64)
        scores = read_scores(batch.column(config.y_score), config.y_score, first_row)
        w = (
            read_weights(batch.column(config.weight), config.weight, first_row)
            if config.weight
            else np.ones(n)
        )
        p = (scores >= config.threshold).astype(np.int64)
        key = ((cell_ids[local] * 2 + y) * 2 + p) * bins.count + bins.index(scores)
        unique, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1)
        with np.errstate(over="ignore"):
            sums = [np.bincount(inverse, weights=v) for v in (np.ones(n), w, w * w)]
        parts.append((unique, *sums))
        first_row += n
    if not parts:
        raise AuditInputError("The file has a header but no rows.", field="file")
    keys, inverse = np.unique(np.concatenate([part[0] for part in parts]), return_inverse=True)
    inverse = inverse.reshape(-1)
    sums = [np.concatenate([part[i] for part in parts]) for i in (1, 2, 3)]
    count, weight, weight_sq = (np.bincount(inverse, weights=v) for v in sums)
    rest, score_bin = np.divmod(keys, bins.count)
    rest, p = np.divmod(rest, 2)
    cell, y = np.divmod(rest, 2)
    labels = [enc.labels for enc in acc.index.encoders]
    groups = [
        {f: labels[i][code] for i, (f, code) in enumerate(zip(config.sensitive, t, strict=True))}
        for t in acc.index.cells
    ]
    return [
        {
            "groups": groups[c],
            "label": str(label),
            "prediction": str(predicted),
            "score_bin": b,
            "count": int(n),
            "weight": float(sw),
            "weight_sq": float(sw2),
        }
        for c, label, predicted, b, n, sw, sw2 in zip(
            cell.tolist(),
            y.tolist(),
            p.tolist(),
            score_bin.tolist(),
            count.tolist(),
            weight.tolist(),
            weight_sq.tolist(),
            strict=True,
        )
    ]


def pushdown_sql(table: str, config: AuditConfig, dialect: str = "ansi") -> str:
    """The GROUP BY that turns a table of predictions into the counts table (docs/monitoring.md,
    "Warehouse push-down"); identifiers are quoted for ``dialect`` ("ansi": Postgres,
    DuckDB; "spark": backticks)."""
    if config.y_pred is None:
        raise AuditInputError("Push-down counts need a prediction column.", field="y_pred")

    def q(name: str) -> str:
        if dialect == "spark":
            return "`" + name.replace("`", "``") + "`"
        return '"' + name.replace('"', '""') + '"'

    keys = ", ".join(q(k) for k in (*config.sensitive, config.y_true, config.y_pred))
    sums = [f"COUNT(*) AS {q(COUNT)}"]
    if config.weight:
        w = f"CAST({q(config.weight)} AS DOUBLE{'' if dialect == 'spark' else ' PRECISION'})"
        sums += [f"SUM({w}) AS {q(WEIGHT)}", f"SUM({w} * {w}) AS {q(WEIGHT_SQ)}"]
    return f"SELECT {keys}, {', '.join(sums)} FROM {table} GROUP BY {keys}"  # noqa: S608 - quoted names


def counts_from_spark(frame: Any, config: AuditConfig, view: str = "forethought_rows") -> Counts:
    """The same counts from a Spark DataFrame, computed on the cluster with one GROUP BY
    (``pushdown_sql``); only the aggregated rows (one per combination) reach this process.
    ``frame`` is a ``pyspark.sql.DataFrame`` (duck-typed: the engine does not import Spark)."""
    frame.createOrReplaceTempView(view)
    grouped = frame.sparkSession.sql(pushdown_sql(view, config, dialect="spark"))
    return counts_from_pandas(grouped.toPandas(), config)


def counts_from_pandas(
    frame: Any, config: AuditConfig, score_bins: Sequence[float] | None = None
) -> Counts:
    """A counts table held in a pandas frame (a warehouse query's result), with a
    ``score_bin`` column when ``score_bins`` gives the bins' edges."""
    import pandas as pd

    keys = [*config.sensitive, config.y_true, config.y_pred or PREDICTION]
    keys = [k for k in keys if k in frame.columns or k != PREDICTION]
    frame = frame.copy()
    for column in keys:  # the row-level reader sees every value as text; missing stays so
        frame[column] = frame[column].astype(object).map(lambda v: None if pd.isna(v) else _text(v))
    return counts_from_table(pa.Table.from_pandas(frame, preserve_index=False), config, score_bins)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
