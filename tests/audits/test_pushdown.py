"""Warehouse push-down: the documented GROUP BY, run by DuckDB over a Parquet file, gives
counts whose audit is identical to the row-level audit of the same file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audits.engine.audit import audit_file, compute
from audits.engine.config import AuditConfig
from audits.engine.pushdown import counts_from_pandas, pushdown_sql

duckdb = pytest.importorskip("duckdb")


def _rows(n: int = 20_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "race": rng.choice(["A", "B", "C", "D"], n),
            "sex": rng.choice(["female", "male"], n),
            "age band": rng.choice(["18-25", "26-60", "60+"], n),
            "y": rng.integers(0, 2, n),
            "pred": rng.integers(0, 2, n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )
    df.loc[rng.random(n) < 0.01, "race"] = None  # missing values form their own group
    return df


@pytest.mark.parametrize("weighted", [False, True])
def test_duckdb_group_by_over_parquet_equals_the_row_level_audit(tmp_path, weighted):
    path = tmp_path / "decisions.parquet"
    _rows().to_parquet(path)
    config = AuditConfig(
        y_true="y",
        y_pred="pred",
        sensitive=("race", "sex", "age band"),
        weight="w" if weighted else None,
        bootstrap=200,
        seed=5,
    )
    by_rows = audit_file(path, config)
    sql = pushdown_sql(f"read_parquet('{path}')", config)
    table = duckdb.sql(sql).df()
    assert len(table) <= 5 * 2 * 3 * 4  # one row per combination, not per person
    by_counts = compute(counts_from_pandas(table, config), config)
    assert by_counts["dimensions"] == by_rows["dimensions"]
    assert by_counts["warnings"] == by_rows["warnings"]
    assert by_counts["rows"] == by_rows["rows"] == 20_000
