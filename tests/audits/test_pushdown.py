"""Warehouse push-down: the documented GROUP BY, run by DuckDB over a Parquet file, gives
counts whose audit is identical to the row-level audit of the same file; counts with score
bins give the AUC, Brier score and calibration of rows at their bins' midpoints."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from audits.engine.audit import audit_file, audit_frame, compute, count_file
from audits.engine.config import AuditConfig
from audits.engine.errors import AuditInputError
from audits.engine.histograms import ScoreBins
from audits.engine.pushdown import (
    counts_from_pandas,
    counts_from_table,
    pushdown_sql,
    score_bin_rows,
    table_from_rows,
)

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


# --- Score bins ---------------------------------------------------------------------------

EDGES = [0.0, 0.2, 0.35, 0.5, 0.6, 0.75, 0.9, 1.0]  # unequal widths; 0.5 is an edge


def _scored(n: int = 6000, seed: int = 8) -> pd.DataFrame:
    """Rows with a score, its bin among EDGES and the bin's midpoint."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "race": rng.choice(["A", "B", "C"], n, p=[0.5, 0.3, 0.2]),
            "sex": rng.choice(["f", "m"], n),
            "y": rng.integers(0, 2, n),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )
    df["score"] = np.clip(rng.normal(0.4 + 0.2 * df["y"], 0.2), 0, 1)
    df["bin"] = np.searchsorted(EDGES, df["score"], side="right") - 1
    df.loc[df["bin"] == len(EDGES) - 1, "bin"] = len(EDGES) - 2  # the last bin is closed
    middle = [(a + b) / 2 for a, b in zip(EDGES, EDGES[1:], strict=False)]
    df["mid"] = [middle[b] for b in df["bin"]]
    return df


def _binned_rows(df: pd.DataFrame, weighted: bool, prediction: bool = False) -> list[dict]:
    keys = ["race", "sex", "y", "bin"]
    grouped = df.assign(w2=df["w"] ** 2).groupby(keys)
    table = grouped.agg(count=("w", "size"), weight=("w", "sum"), weight_sq=("w2", "sum"))
    rows = []
    for (race, sex, y, b), r in table.iterrows():
        row: dict[str, Any] = {
            "groups": {"race": race, "sex": sex},
            "label": int(y),
            "count": int(r["count"]),
            "score_bin": int(b),
        }
        if weighted:
            row |= {"weight": r["weight"], "weight_sq": r["weight_sq"]}
        if prediction:
            row["prediction"] = int(EDGES[b] >= 0.5)
        rows.append(row)
    return rows


def _score_fields(group: dict) -> dict:
    return {k: group.get(k) for k in ("group", "rows", "auc", "brier", "calibration", "metrics")}


def _close(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _close(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _close(x, y)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12)
    else:
        assert a == b


@pytest.mark.parametrize("weighted", [False, True])
def test_counts_with_score_bins_give_the_audit_of_rows_at_the_bins_midpoints(weighted):
    df = _scored()
    config = AuditConfig(
        y_true="y",
        y_score="mid",
        threshold=0.5,
        sensitive=("race", "sex"),
        weight="w" if weighted else None,
        bootstrap=0,
    )
    counts = counts_from_table(table_from_rows(_binned_rows(df, weighted), config), config, EDGES)
    by_counts = compute(counts, config)
    by_rows = audit_frame(df, config)  # the rows with their scores at the midpoints
    assert by_counts["score_range"] == by_rows["score_range"] == [0.1, 0.95]
    for got, want in zip(by_counts["dimensions"], by_rows["dimensions"], strict=True):
        for g, r in zip(got["groups"], want["groups"], strict=True):
            _close(_score_fields(g), _score_fields(r))
        _close(got["summary"], want["summary"])
    # The oracle: scikit-learn on the midpoints (pairs in one bin are ties, counted half).
    w = df["w"] if weighted else None
    for group in by_counts["dimensions"][0]["groups"]:
        part = df["race"] == group["group"]
        weights = None if w is None else w[part]
        y, mid = df.loc[part, "y"], df.loc[part, "mid"]
        assert group["auc"] == pytest.approx(roc_auc_score(y, mid, sample_weight=weights))
        assert group["brier"] == pytest.approx(brier_score_loss(y, mid, sample_weight=weights))
        decile = np.minimum((mid * 10).astype(int), 9)
        for b, cal in enumerate(group["calibration"]):
            inside = decile == b
            total = (weights[inside] if w is not None else inside[inside]).sum()
            assert cal["weight"] == pytest.approx(total)
            if total:
                ww = weights[inside] if w is not None else np.ones(inside.sum())
                assert cal["mean_score"] == pytest.approx(np.average(mid[inside], weights=ww))
                assert cal["observed_rate"] == pytest.approx(np.average(y[inside], weights=ww))


def test_a_prediction_config_keeps_selection_rates_and_gains_auc_from_score_bins():
    df = _scored(seed=9)
    df["p"] = df["bin"].map(lambda b: int(EDGES[b] >= 0.5))
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("race", "sex"), bootstrap=0)
    rows = _binned_rows(df, weighted=False, prediction=True)
    with_bins = compute(counts_from_table(table_from_rows(rows, config), config, EDGES), config)
    plain = [{k: v for k, v in r.items() if k != "score_bin"} for r in rows]
    without = compute(counts_from_table(table_from_rows(plain, config), config), config)
    for got, want in zip(with_bins["dimensions"], without["dimensions"], strict=True):
        _close(got["summary"], want["summary"])
        _close(got["impact_ratios"], want["impact_ratios"])  # selection rates, not scoring
        for g, r in zip(got["groups"], want["groups"], strict=True):
            _close(g["metrics"], r["metrics"])
            assert "auc" in g and "auc" not in r
            if got["name"] != "intersection":
                part = df[df[got["name"]] == g["group"]]
                assert g["auc"] == pytest.approx(roc_auc_score(part["y"], part["mid"]))
    assert with_bins["mode"] == "prediction"


def test_bins_of_width_one_around_whole_numbers_read_as_whole_number_scores():
    rng = np.random.default_rng(10)
    df = pd.DataFrame({"g": rng.choice(["a", "b"], 3000), "y": rng.integers(0, 2, 3000)})
    df["fico"] = rng.integers(300, 851, 3000) + 40 * df["y"]
    config = AuditConfig(y_true="y", y_score="fico", threshold=620, sensitive=("g",), bootstrap=0)
    edges = [299.5 + i for i in range(892 - 299 + 1)]  # 300 … 891, one bin each
    grouped = df.groupby(["g", "y", "fico"]).size().reset_index(name="count")
    rows = [
        {"groups": {"g": r.g}, "label": int(r.y), "count": int(r.count), "score_bin": r.fico - 300}
        for r in grouped.itertuples()
    ]
    counts = counts_from_table(table_from_rows(rows, config), config, edges)
    assert counts.bins is not None and counts.bins.integer
    by_counts, by_rows = compute(counts, config), audit_frame(df, config)
    assert "auc_binned" not in {w["code"] for w in by_counts["warnings"]}
    pairs = zip(
        by_counts["dimensions"][0]["groups"], by_rows["dimensions"][0]["groups"], strict=True
    )
    for g, r in pairs:
        part = df[df["g"] == g["group"]]
        assert g["auc"] == r["auc"] == pytest.approx(roc_auc_score(part["y"], part["fico"]))
    _close(by_counts["dimensions"][0]["impact_ratios"], by_rows["dimensions"][0]["impact_ratios"])


def test_score_bins_index_and_edges_read_back_as_the_same_bins():
    bins = ScoreBins.from_edges(EDGES)
    scores = np.array([0.0, 0.19, 0.2, 0.5, 0.99, 1.0])
    assert bins.index(scores).tolist() == [0, 0, 1, 3, 6, 6]
    assert bins.upper_edges().tolist() == EDGES[1:]
    equal = ScoreBins.for_range(0.1, 0.9, False, 8)
    again = ScoreBins.from_edges(equal.edge_list())
    assert again.upper_edges().tolist() == equal.upper_edges().tolist()
    whole = ScoreBins.for_range(300, 310, True, 100)
    assert whole.edge_list()[:2] == [299.5, 300.5]
    assert ScoreBins.from_edges(whole.edge_list()).midpoints().tolist() == list(range(300, 311))


def test_the_pushed_rows_of_a_score_file_give_its_confusion_counts_and_binned_auc(tmp_path):
    df = _scored(seed=11)
    path = tmp_path / "scores.parquet"
    df.to_parquet(path)
    config = AuditConfig(
        y_true="y", y_score="score", threshold=0.55, sensitive=("race", "sex"), bootstrap=0
    )
    whole = count_file(path, config)
    bins = ScoreBins.for_range(whole.score_min, whole.score_max, False, 20)
    rows = score_bin_rows(path, config, bins)
    assert len(rows) <= 6 * 2 * 21
    counts = counts_from_table(table_from_rows(rows, config), config, bins.edge_list())
    result = compute(counts, config)
    direct = compute(whole, config)
    for got, want in zip(result["dimensions"], direct["dimensions"], strict=True):
        for g, r in zip(got["groups"], want["groups"], strict=True):
            _close(g["metrics"], r["metrics"])  # the predictions are score ≥ 0.55, as rows
    # AUC over 20 equal bins of [min, max]: scikit-learn on the scores so binned.
    low, high = df["score"].min(), df["score"].max()
    b = np.clip(((df["score"] - low) / (high - low) * 20).astype(int), 0, 19)
    for group in result["dimensions"][0]["groups"]:
        part = df["race"] == group["group"]
        assert group["auc"] == pytest.approx(roc_auc_score(df.loc[part, "y"], b[part]))


ROW = {"groups": {"race": "A", "sex": "f"}, "label": 1, "count": 5}


@pytest.mark.parametrize(
    ("rows", "edges", "field", "says"),
    [
        ([{**ROW, "score_bin": 1}, ROW], EDGES, "rows", "Give score_bin on every row or on none"),
        ([{**ROW, "score_bin": 7}], EDGES, "score_bin", "Row 1: score_bin 7 is not a bin"),
        ([{**ROW, "score_bin": -1}], EDGES, "score_bin", "Row 1: score_bin -1 is not a bin"),
        ([{**ROW, "score_bin": 1.0}], EDGES, "rows", "score_bin is a bin's index"),
        ([{**ROW, "score_bin": 1}], [0, 0.5, 0.5, 1], "score_bins", "edge 3 (0.5) is not above"),
        ([{**ROW, "score_bin": 1}], [0, float("inf")], "score_bins", "finite"),
        ([{**ROW, "score_bin": 1}], [0.5], "score_bins", "at least two bin edges"),
        ([{**ROW, "score_bin": 1}], ["0", "1"], "score_bins", "at least two bin edges"),
        ([{**ROW, "score_bin": 1}], None, "score_bins", "Counts for a score column carry"),
        ([ROW], EDGES, "score_bin", "give each row's score_bin"),
        ([{**ROW, "score_bin": 1}], [0, 0.4, 1], "prediction", "bin 1 [0.4, 1] holds the"),
        (
            [{**ROW, "score_bin": 3, "prediction": 0}],
            EDGES,
            "prediction",
            "prediction 0 disagrees with the threshold 0.5: score bin 3 [0.5, 0.6) lies at or",
        ),
    ],
)
def test_it_refuses_score_bins_that_do_not_fit(rows, edges, field, says):
    config = AuditConfig(
        y_true="y", y_score="s", threshold=0.5, sensitive=("race", "sex"), score_bins=8
    )
    with pytest.raises(AuditInputError, match=re.escape(says)) as caught:
        counts_from_table(table_from_rows(rows, config), config, edges)
    assert caught.value.field == field


def test_it_refuses_more_score_bins_than_the_config_allows_and_bins_without_edges():
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("race", "sex"), score_bins=4)
    row = {**ROW, "prediction": 1, "score_bin": 0}
    with pytest.raises(AuditInputError, match="At most 4 score bins") as caught:
        counts_from_table(table_from_rows([row], config), config, [0, 0.2, 0.4, 0.6, 0.8, 1])
    assert caught.value.field == "score_bins"
    with pytest.raises(AuditInputError, match="give the bins' edges in score_bins"):
        counts_from_table(table_from_rows([row], config), config)


def test_a_duckdb_group_by_with_a_score_bin_equals_the_rows_at_the_midpoints(tmp_path):
    df = _scored(seed=12)
    path = tmp_path / "scores.parquet"
    df.drop(columns=["bin", "mid"]).to_parquet(path)
    config = AuditConfig(y_true="y", y_score="mid", threshold=0.5, sensitive=("race", "sex"))
    # EDGES as a CASE: the bin is the number of inner edges at or below the score.
    bin_of = " + ".join(f"CAST(score >= {e} AS INTEGER)" for e in EDGES[1:-1])
    table = duckdb.sql(
        f"SELECT race, sex, y, {bin_of} AS score_bin, COUNT(*) AS count "
        f"FROM read_parquet('{path}') GROUP BY ALL"
    ).df()
    by_counts = compute(counts_from_pandas(table, config, EDGES), config)
    by_rows = audit_frame(df, config)
    for got, want in zip(by_counts["dimensions"], by_rows["dimensions"], strict=True):
        for g, r in zip(got["groups"], want["groups"], strict=True):
            _close(_score_fields(g), _score_fields(r))
