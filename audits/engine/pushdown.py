"""Counts computed where the data lives: a pre-aggregated table (one row per combination of
sensitive values, label and prediction, with its row count and optionally its weight sums)
turned into the engine's additive ``Counts``, so the audit equals the row-level audit of
the same rows. The table may come from a warehouse's GROUP BY (docs/monitoring.md,
"Warehouse push-down"), from a monitor's counts upload, or from Spark (``counts_from_spark``).
Pure Python + numpy/pyarrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from .config import AuditConfig
from .counts import Accumulator, Counts
from .errors import AuditInputError

COUNT = "count"
WEIGHT = "weight"  # Σw over the rows of the combination
WEIGHT_SQ = "weight_sq"  # Σw², for the effective sample size; default weight² / count


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if column.null_count or not (
        pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
    ):
        raise AuditInputError(f"{name!r} must be a number on every row.", field=name)
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    if not np.all(np.isfinite(values)) or (values < 0).any():
        raise AuditInputError(f"{name!r} must be finite and ≥ 0 on every row.", field=name)
    return values


def counts_from_table(table: pa.Table, config: AuditConfig) -> Counts:
    """``Counts`` from a counts table with the config's label (``y_true``), prediction
    (``y_pred``) and sensitive columns plus ``count`` (and optionally ``weight`` and
    ``weight_sq``). Values are read exactly as a row-level file's would be."""
    if config.y_pred is None:
        raise AuditInputError(
            "Counts carry a prediction column (score bins are not supported).", field="y_pred"
        )
    needed = [config.y_true, config.y_pred, *config.sensitive, COUNT]
    missing = [c for c in needed if c not in table.column_names]
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
    acc = Accumulator(config)
    batch = pa.RecordBatch.from_pydict(
        {name: table.column(name).combine_chunks() for name in needed[:-1]}
    )
    total = int(count.sum())
    cell_ids, local = acc.index.locate(batch, total)
    k = len(cell_ids)
    y = acc.truth.convert(batch.column(config.y_true))
    assert acc.pred is not None
    p = acc.pred.convert(batch.column(config.y_pred))
    idx = local * 4 + (2 * y + p).astype(np.int64)
    for name, values in (("rows", count), ("w", weight), ("w2", weight_sq)):
        acc._add(name, cell_ids, np.bincount(idx, weights=values, minlength=4 * k).reshape(k, 4))
    acc.total_rows = total
    if total == 0:
        raise AuditInputError("The counts add up to no rows.", field=COUNT)
    return acc.result()


def table_from_rows(rows: Sequence[Mapping[str, Any]], config: AuditConfig) -> pa.Table:
    """The counts table of the API's JSON form: ``[{"groups": {"sex": "f"}, "label": 1,
    "prediction": 0, "count": 120, "weight": 118.5}, …]``, with the config's column names."""
    if config.y_pred is None:
        raise AuditInputError("Counts carry a prediction column.", field="y_pred")
    columns: dict[str, list[Any]] = {c: [] for c in (*config.sensitive, config.y_true)}
    columns[config.y_pred] = []
    extra: dict[str, list[Any]] = {COUNT: [], WEIGHT: [], WEIGHT_SQ: []}
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
        for key, column in (("label", config.y_true), ("prediction", config.y_pred)):
            value = row.get(key)
            if isinstance(value, bool):
                value = int(value)
            if value is None or isinstance(value, dict | list):
                raise AuditInputError(f"Row {i + 1}: {key} is 0/1 or a class name.", field="rows")
            columns[column].append(str(value))
        for key in extra:
            value = row.get(key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise AuditInputError(f"Row {i + 1}: {key} is a number.", field="rows")
            extra[key].append(value)
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
        data[key] = pa.array([float(v) for v in values], type=pa.float64())
    return pa.table(data)


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


def counts_from_pandas(frame: Any, config: AuditConfig) -> Counts:
    """A counts table held in a pandas frame (a warehouse query's result)."""
    import pandas as pd

    keys = [*config.sensitive, config.y_true, config.y_pred]
    frame = frame.copy()
    for column in keys:  # the row-level reader sees every value as text; missing stays so
        frame[column] = frame[column].astype(object).map(lambda v: None if pd.isna(v) else _text(v))
    return counts_from_table(pa.Table.from_pandas(frame, preserve_index=False), config)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
