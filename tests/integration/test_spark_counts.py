"""The engine's counts from a Spark DataFrame (``counts_from_spark``: one GROUP BY on the
cluster) equal the row-level engine's audit of the same table. PySpark in local mode."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from audits.engine.audit import audit_frame, compute
from audits.engine.config import AuditConfig
from audits.engine.pushdown import counts_from_spark
from tests.conftest import require_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark.sql")
    require_service(shutil.which("java") is not None, "Java (for PySpark in local mode)")
    session = (
        pyspark.SparkSession.builder.master("local[2]")
        .appName("forethought-counts")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_counts_equal_the_row_level_audit(spark):
    rng = np.random.default_rng(9)
    n = 50_000
    rows = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east", "west"], n),
            "sex": rng.choice(["female", "male"], n),
            "label": rng.integers(0, 2, n),
            "decision": rng.integers(0, 2, n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )
    config = AuditConfig(
        y_true="label",
        y_pred="decision",
        sensitive=("region", "sex"),
        weight="w",
        bootstrap=200,
        seed=1,
    )
    by_rows = audit_frame(rows, config)
    frame = spark.createDataFrame(rows)
    by_spark = compute(counts_from_spark(frame, config), config)
    assert by_spark["rows"] == by_rows["rows"] == n
    # Spark sums the weights in another order: equal to float rounding.
    a, b = by_rows["dimensions"], by_spark["dimensions"]
    assert [d["name"] for d in a] == [d["name"] for d in b]
    for da, db in zip(a, b, strict=True):
        for ga, gb in zip(da["groups"], db["groups"], strict=True):
            assert ga["group"] == gb["group"] and ga["rows"] == gb["rows"]
            for name in ("selection_rate", "tpr", "fpr", "accuracy"):
                assert gb["metrics"][name]["value"] == pytest.approx(
                    ga["metrics"][name]["value"], rel=1e-12
                )
        for name, summary in da["summary"].items():
            if summary["value"] is not None:
                assert db["summary"][name]["value"] == pytest.approx(summary["value"], rel=1e-9)
