"""Audit engine benchmark: prints both sides, their ratio and the largest value difference.

    .venv/bin/python benchmarks/audit_bench.py            # everything (~2 minutes)
    .venv/bin/python benchmarks/audit_bench.py --quick    # 100k rows, no 10M run

1. 1M rows, 3 sensitive features (5×2×3 = 30 intersectional groups), 7 metrics: Fairlearn
   MetricFrame vs this engine (bootstrap off, as MetricFrame has none).
2. 1000 bootstrap resamples on the 1M-row counts.
3. 10M rows from Parquet, full metrics (bootstrap 1000), in a fresh process: wall time and
   peak resident memory against the in-memory size of the columns read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audits.engine.audit import audit_frame, compute, count_frame  # noqa: E402
from audits.engine.config import AuditConfig  # noqa: E402

FEATURES = {
    "race": ["A", "B", "C", "D", "E"],
    "sex": ["female", "male"],
    "age": ["18-25", "26-60", "60+"],
}


def make(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f: pd.Categorical(rng.choice(v, n)) for f, v in FEATURES.items()})
    df["y"] = (rng.random(n) < 0.4).astype(np.int8)
    df["pred"] = (rng.random(n) < 0.3 + 0.3 * df["y"]).astype(np.int8)
    return df


def fairlearn_side(df: pd.DataFrame):
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    metrics = {
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
        "fnr": false_negative_rate,
        "tnr": true_negative_rate,
        "accuracy": accuracy_score,
        "ppv": lambda y, p: precision_score(y, p, zero_division=0),
    }
    start = time.perf_counter()
    mf = MetricFrame(
        metrics=metrics, y_true=df["y"], y_pred=df["pred"], sensitive_features=df[list(FEATURES)]
    )
    return time.perf_counter() - start, mf.by_group


def compare(df: pd.DataFrame) -> dict:
    cfg = AuditConfig(y_true="y", y_pred="pred", sensitive=tuple(FEATURES), bootstrap=0)
    audit_frame(df.head(1000), cfg)  # warm imports
    start = time.perf_counter()
    result = audit_frame(df, cfg)
    ours = time.perf_counter() - start
    theirs, by_group = fairlearn_side(df)
    groups = {
        tuple(g["values"][f] for f in FEATURES): g for g in result["dimensions"][-1]["groups"]
    }
    worst = 0.0
    for key, row in by_group.iterrows():
        for name, value in row.items():
            worst = max(worst, abs(groups[tuple(key)]["metrics"][name]["value"] - value))
    return {
        "rows": len(df),
        "fairlearn_s": theirs,
        "engine_s": ours,
        "speedup": theirs / ours,
        "max_abs_diff": worst,
    }


def bootstrap_time(df: pd.DataFrame, b: int = 1000) -> dict:
    cfg0 = AuditConfig(y_true="y", y_pred="pred", sensitive=tuple(FEATURES), bootstrap=0)
    cfg = AuditConfig(y_true="y", y_pred="pred", sensitive=tuple(FEATURES), bootstrap=b)
    counts = count_frame(df, cfg0)
    start = time.perf_counter()
    compute(counts, cfg0)
    without = time.perf_counter() - start
    start = time.perf_counter()
    compute(counts, cfg)
    with_b = time.perf_counter() - start
    return {
        "rows": len(df),
        "resamples": b,
        "compute_without_s": without,
        "compute_with_s": with_b,
        "bootstrap_s": with_b - without,
    }


CHILD = r"""
import json, sys, threading, time
sys.path.insert(0, sys.argv[2])
from pathlib import Path
import pyarrow.parquet as pq
from audits.engine.audit import audit_file
from audits.engine.config import AuditConfig

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

path = Path(sys.argv[1])
cfg = AuditConfig(y_true="y", y_pred="pred", sensitive=("race", "sex", "age"), bootstrap=1000)
audit_file(path, AuditConfig(y_true="y", y_pred="pred", sensitive=("race", "sex", "age"),
                             bootstrap=0, chunk_rows=1000))  # warm every import first
baseline = rss_mb()
peak = [baseline]
done = threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.005)
threading.Thread(target=sample, daemon=True).start()
start = time.perf_counter()
result = audit_file(path, cfg)
wall = time.perf_counter() - start
done.set()
columns = pq.read_table(path, columns=["y", "pred", "race", "sex", "age"]).nbytes
print(json.dumps({"rows": result["rows"], "wall_s": wall, "rss_before_mb": baseline,
                  "rss_peak_mb": peak[0], "growth_mb": peak[0] - baseline,
                  "columns_mb": columns / 2**20}))
"""


def ten_million(rows: int) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.parquet"
        writer = None
        for part in range(rows // 1_000_000):
            table = pa.Table.from_pandas(make(1_000_000, seed=part), preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
        writer.close()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(Path(__file__).resolve().parent.parent)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout)
        result["peak_over_columns"] = result["growth_mb"] / result["columns_mb"]
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    df = make(n)
    print(f"machine: {os.cpu_count()} cores")
    c = compare(df)
    print(
        f"[metricframe] {c['rows']:,} rows, 30 groups, 7 metrics: Fairlearn "
        f"{c['fairlearn_s']:.2f} s, engine {c['engine_s']:.3f} s, "
        f"ratio {c['speedup']:.0f}x, max |diff| {c['max_abs_diff']:.2e}"
    )
    b = bootstrap_time(df)
    print(
        f"[bootstrap] {b['resamples']} resamples on {b['rows']:,} rows: "
        f"{b['bootstrap_s']:.3f} s (compute {b['compute_without_s']:.3f} s without, "
        f"{b['compute_with_s']:.3f} s with)"
    )
    if not args.quick:
        t = ten_million(10_000_000)
        print(
            f"[parquet] {t['rows']:,} rows from Parquet, full metrics + 1000 bootstrap: "
            f"{t['wall_s']:.2f} s wall; peak RSS growth {t['growth_mb']:.0f} MiB vs columns "
            f"{t['columns_mb']:.0f} MiB in memory = {t['peak_over_columns']:.2f}x"
        )


if __name__ == "__main__":
    main()
