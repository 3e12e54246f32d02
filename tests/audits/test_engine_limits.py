"""Inputs that once exhausted a worker or produced a result that could not be stored: each
is refused with a message naming the limit and its setting, or cleaned, and the engine's
memory stays bounded whatever the number of groups (docs/audits.md, "Limits")."""

import json
import time
import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audits.engine import histograms
from audits.engine.audit import audit_file, audit_frame, compute, count_file, count_frame
from audits.engine.bootstrap import bootstrap
from audits.engine.config import AuditConfig
from audits.engine.counts import merge, read_header
from audits.engine.errors import AuditInputError
from audits.engine.groups import Dimension, canonical
from audits.engine.metrics import aif360_values, distance_from_parity, fairlearn_summaries, rates
from audits.engine.serialize import counts_from_json, counts_to_json
from audits.engine.stats import wilson
from tests.audits.test_engine import assert_close

MiB = 2**20


def binary_frame(n, rng, **features):
    df = pd.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n)})
    for name, values in features.items():
        df[name] = rng.integers(0, values, n).astype(str)
    return df


def peak_of(fn):
    """(result or raised error, peak traced bytes, seconds)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        out = fn()
    except AuditInputError as exc:
        out = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return out, peak, time.perf_counter() - started


# --- Limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["prediction", "score"])
def test_it_refuses_a_feature_with_ten_thousand_values_quickly(tmp_path, mode):
    # The attacker's probe: 100k rows, one feature of 10,000 values, 1,000 resamples (was
    # killed after 400 s at 1.7 GB). With scores, the pass that sizes the score histogram
    # already refuses it.
    path = tmp_path / "wide.csv"
    df = binary_frame(100_000, np.random.default_rng(0), race=10_000)
    df["s"] = df["p"] * 0.5 + 0.25
    df.to_csv(path, index=False)
    columns = dict(y_pred="p") if mode == "prediction" else dict(y_score="s", threshold=0.5)
    config = AuditConfig(y_true="y", sensitive=("race",), bootstrap=1000, **columns)
    started = time.perf_counter()
    with pytest.raises(AuditInputError) as info:
        audit_file(path, config)
    assert time.perf_counter() - started < 5  # measured 0.1 s
    message = info.value.message
    assert "race has 10,000 distinct values" in message
    assert "the limit is 1,000 (AUDIT_MAX_VALUES_PER_FEATURE)" in message
    assert "Group rare values" in message


def test_it_refuses_a_million_possible_cells_before_allocating_for_them(tmp_path):
    # Three features of 100 values: 1M possible combinations (the engine once tried to
    # allocate 7.3 TiB for them); 95k occur in 100k rows.
    path = tmp_path / "three.csv"
    binary_frame(100_000, np.random.default_rng(1), a=100, b=100, c=100).to_csv(path, index=False)
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("a", "b", "c"))
    error, peak, seconds = peak_of(lambda: audit_file(path, config))
    assert isinstance(error, AuditInputError)
    assert "a × b × c have 9" in error.message
    assert "the limit is 10,000 (AUDIT_MAX_CELLS)" in error.message
    assert peak < 64 * MiB  # measured 20 MiB: the batch being read, nothing per cell
    assert seconds < 20  # measured 0.4 s (1 s under tracemalloc)


def test_many_cells_with_a_thousand_resamples_stay_in_bounded_memory():
    # 2,000 intersection cells × 1,000 resamples: the dense draws and groups × cells matrix
    # of the previous engine peaked at 448 MiB; batches of resamples keep it to ~23 MiB.
    df = binary_frame(40_000, np.random.default_rng(2), a=50, b=40)
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("a", "b"), bootstrap=1000)
    counts = count_frame(df, config)
    assert len(counts.cells) == 2000
    result, peak, _ = peak_of(lambda: compute(counts, config))
    assert peak < 64 * MiB
    intersection = result["dimensions"][-1]
    assert len(intersection["groups"]) == 2000
    assert intersection["summary"]["demographic_parity_difference"]["ci"][0] is not None


def test_the_bootstrap_working_memory_does_not_grow_with_the_cells():
    df = binary_frame(60_000, np.random.default_rng(3), a=100, b=50)
    counts = canonical(count_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("a", "b"))))
    assert len(counts.cells) == 5000
    dims = [Dimension(counts, "a", [0]), Dimension(counts, "intersection", [0, 1])]
    out, peak, _ = peak_of(lambda: bootstrap(counts, dims, [0, 0], 1000, np.random.default_rng(0)))
    # One draw of 1,000 × 5,000 × 4 counts would be 160 MB (twice: integers, then floats).
    assert peak < 40 * MiB  # measured 22 MiB: batches of 250,000 (resample, cell) pairs
    assert out[1].fairlearn["demographic_parity_difference"].shape == (1000,)


def test_it_refuses_two_five_megabyte_labels_without_copying_them_into_the_result(tmp_path):
    big = "x" * (5 * MiB)
    table = pa.table({"y": [0, 1] * 10, "p": [1, 0] * 10, "g": [big, big + "y"] * 10})
    path = tmp_path / "long.parquet"
    pq.write_table(table, path, compression="zstd")
    assert path.stat().st_size < 2 * MiB
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g",))
    with pytest.raises(AuditInputError) as info:
        audit_file(path, config)
    message = info.value.message
    assert "g has a value 5,242,881 characters long ('xxxxxxxx" in message
    assert "the limit is 200 (AUDIT_MAX_LABEL_LENGTH)" in message
    assert len(message) < 300


def test_the_limits_are_settings_of_the_config():
    df = binary_frame(3000, np.random.default_rng(4), g=20, h=10)
    result = audit_frame(
        df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), max_values_per_feature=20)
    )
    assert result["config"]["max_values_per_feature"] == 20
    with pytest.raises(AuditInputError, match=r"g has 20 distinct values .*limit is 19 "):
        audit_frame(
            df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), max_values_per_feature=19)
        )
    with pytest.raises(AuditInputError, match=r"g × h have 200 .*limit is 150 \(AUDIT_MAX_CELLS"):
        audit_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g", "h"), max_cells=150))
    df["g"] = "group " + df["g"]
    with pytest.raises(AuditInputError, match=r"8 characters long \('group 1.'\).*limit is 7 "):
        audit_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), max_label_length=7))


def test_the_bootstrap_lowers_the_cell_limit_when_its_work_would_be_too_large():
    df = binary_frame(3000, np.random.default_rng(5), g=21, h=10)
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g", "h"), bootstrap=100_000)
    with pytest.raises(AuditInputError, match=r"100,000 bootstrap resamples the limit is 200 "):
        audit_frame(df, config)


def test_categories_no_row_has_do_not_count_against_the_limit():
    rng = np.random.default_rng(6)
    df = binary_frame(500, rng)
    df["g"] = pd.Categorical(
        rng.choice(["a", "b"], 500), categories=["a", "b", *map(str, range(5000))]
    )
    result = audit_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",)))
    assert [g["group"] for g in result["dimensions"][0]["groups"]] == ["a", "b"]


def test_counts_added_up_from_parts_are_held_to_the_limits():
    df = binary_frame(2000, np.random.default_rng(7), g=4, h=3)
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g", "h"), max_cells=10)
    parts = [count_frame(df[df["g"].isin(half)], config) for half in (["0", "1"], ["2", "3"])]
    with pytest.raises(AuditInputError, match=r"12 combinations .*AUDIT_MAX_CELLS"):
        compute(merge(parts), config)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"max_cells": 0}, "max_cells"),
        ({"max_values_per_feature": -5}, "max_values_per_feature"),
        ({"max_label_length": "long"}, "max_label_length"),
        ({"max_cells": True}, "max_cells"),
        ({"seed": -1}, "seed"),
        ({"threshold": float("inf"), "y_pred": None, "y_score": "s"}, "threshold"),
        ({"score_bins": 10**9}, "score_bins"),
        ({"chunk_rows": 0}, "chunk_rows"),
        ({"sensitive": ["g" * 201]}, "sensitive"),
    ],
)
def test_the_config_refuses_limits_seeds_and_thresholds_it_cannot_use(data, field):
    with pytest.raises(AuditInputError) as info:
        AuditConfig.from_dict({"y_true": "y", "y_pred": "p", "sensitive": ["g"], **data})
    assert info.value.field == field


def test_the_limits_round_trip_through_the_stored_config():
    config = AuditConfig(
        y_true="y",
        y_pred="p",
        sensitive=("g",),
        max_values_per_feature=50,
        max_cells=500,
        max_label_length=80,
    )
    stored = json.loads(json.dumps(config.as_dict()))
    assert stored["max_cells"] == 500
    assert AuditConfig.from_dict(stored) == config
    # A config stored before the limits existed gets the defaults.
    del stored["max_cells"], stored["max_values_per_feature"], stored["max_label_length"]
    assert AuditConfig.from_dict(stored).max_cells == 10_000


def test_a_negative_seed_is_refused():
    with pytest.raises(AuditInputError, match="seed"):
        AuditConfig(y_true="y", y_pred="p", sensitive=("g",), seed=-1)


# --- Numbers that cannot be stored -------------------------------------------------------


def _csv(tmp_path, text, name="in.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_infinite_scores_are_refused_naming_the_column_and_row(tmp_path):
    rows = [f"{i % 2},0.{i % 9},{'ab'[i % 2]}" for i in range(40)]
    rows[16] = "1,inf,a"  # data row 17
    path = _csv(tmp_path, "y,score,g\n" + "\n".join(rows) + "\n")
    config = AuditConfig(y_true="y", y_score="score", threshold=0.5, sensitive=("g",))
    with pytest.raises(AuditInputError, match=r"'score' has infinite values \(row 17\)"):
        audit_file(path, config)
    frame = pd.DataFrame({"y": [0, 1, 1], "score": [0.2, -np.inf, 0.9], "g": ["a", "b", "a"]})
    with pytest.raises(AuditInputError, match=r"infinite values \(row 2\)"):
        audit_frame(frame, config)


@pytest.mark.parametrize(
    ("weight", "message"),
    [(np.inf, r"'w' has infinite values \(row 3\)"), (np.nan, "row 3"), (-1.0, "row 3")],
)
def test_weights_that_are_infinite_missing_or_negative_are_refused(weight, message):
    frame = pd.DataFrame(
        {"y": [0, 1, 1, 0], "p": [1, 1, 0, 0], "g": ["a", "b", "a", "b"], "w": [1, 2, 0, 1.0]}
    )
    frame.loc[2, "w"] = weight
    with pytest.raises(AuditInputError, match=message):
        audit_frame(frame, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), weight="w"))


def test_results_hold_no_infinity_or_nan_even_for_extreme_finite_numbers():
    rng = np.random.default_rng(8)
    frame = binary_frame(400, rng, g=3)
    frame["score"] = rng.choice([-1.7e308, 1.7e308, 0.0], 400)
    frame["w"] = rng.choice([1e-300, 1e300], 400)
    for config in (
        AuditConfig(y_true="y", y_score="score", threshold=0, sensitive=("g",), weight="w"),
        AuditConfig(y_true="y", y_score="score", threshold=0, sensitive=("g",), score_bins=7),
    ):
        result = audit_frame(frame, config)
        json.dumps(result, allow_nan=False)  # raises on NaN or ±Infinity
        median = result["dimensions"][0]["impact_ratios"]["median_score"]
        assert median is None or abs(median) <= 1.7e308


def test_labels_with_two_spellings_of_positive_are_refused():
    frame = pd.DataFrame({"y": ["1", "yes", "yes", "1"], "p": [1, 0, 1, 0], "g": list("abab")})
    config = dict(y_true="y", y_pred="p", sensitive=("g",), bootstrap=0)
    with pytest.raises(AuditInputError) as info:
        audit_frame(frame, AuditConfig(**config))
    assert "'1' and 'yes', which would both count as positive" in info.value.message
    assert info.value.field == "positive"
    # Saying which value is positive settles it.
    result = audit_frame(frame, AuditConfig(**config, positive="yes"))
    assert result["dimensions"][0]["groups"][0]["metrics"]["base_rate"]["value"] == 0.5


def test_two_spellings_split_across_batches_are_refused_too():
    frame = pd.DataFrame({"y": ["1"] * 5 + ["yes"] * 5, "p": [0, 1] * 5, "g": list("ab") * 5})
    config = AuditConfig(y_true="y", y_pred="p", sensitive=("g",), chunk_rows=5)
    with pytest.raises(AuditInputError, match="both count as positive"):
        audit_frame(frame, config)


def test_duplicate_header_names_are_refused_naming_them(tmp_path):
    path = _csv(tmp_path, "y,p,g,p\n1,1,a,0\n0,1,b,1\n")
    with pytest.raises(AuditInputError, match=r"names the column\(s\) 'p' more than once"):
        read_header(path)
    with pytest.raises(AuditInputError, match="'p' more than once"):
        audit_file(path, AuditConfig(y_true="y", y_pred="p", sensitive=("g",)))
    frame = pd.DataFrame([[1, 1, "a", 0], [0, 1, "b", 1]], columns=["y", "p", "g", "p"])
    with pytest.raises(AuditInputError, match="'p' more than once"):
        audit_frame(frame, AuditConfig(y_true="y", y_pred="p", sensitive=("g",)))


def test_a_csv_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfy_true,pred,g\r\n1,1,a\r\n0,1,b\r\n1,0,b\r\n")
    assert read_header(path) == ["y_true", "pred", "g"]
    result = audit_file(path, AuditConfig(y_true="y_true", y_pred="pred", sensitive=("g",)))
    assert result["rows"] == 3


def test_wilson_bounds_never_fall_on_the_wrong_side_of_the_estimate():
    n = np.arange(1, 5000, dtype=float)
    for successes in (np.zeros_like(n), n):
        low, high = wilson(successes, n, 0.95)
        p = successes / n
        assert (low <= p).all() and (p <= high).all()


# --- Sparse counts give the same numbers -------------------------------------------------


def test_batched_resamples_equal_one_large_draw_summed_by_a_dense_matrix():
    """The previous engine's computation, written out as the oracle: one draw of every
    resample, group sums through a dense groups × cells matrix."""
    df = binary_frame(3000, np.random.default_rng(9), g=6, h=4)
    counts = canonical(count_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g", "h"))))
    dims = [Dimension(counts, "g", [0]), Dimension(counts, "intersection", [0, 1])]
    b = 230  # not a multiple of the batch size
    ours = bootstrap(counts, dims, [1, 2], b, np.random.default_rng(42))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_w = np.where(counts.rows > 0, counts.w / counts.rows, 0.0)
    draws = np.random.default_rng(42).poisson(counts.rows, size=(b, *counts.rows.shape)) * mean_w
    for dim, ref, got in zip(dims, [1, 2], ours, strict=True):
        matrix = np.zeros((len(dim.keys), len(counts.cells)))
        matrix[dim.member, np.arange(len(counts.cells))] = 1.0
        r = rates(np.einsum("gc,bco->bgo", matrix, draws))
        for name, expected in fairlearn_summaries(r, batch=True).items():
            np.testing.assert_allclose(got.fairlearn[name], expected, rtol=1e-12)
        for name, values in aif360_values(r, ref).items():
            dist = distance_from_parity(name, values)
            pick = np.take_along_axis(values, np.argmax(dist, axis=-1)[:, None], axis=-1)[:, 0]
            np.testing.assert_allclose(got.aif360[name], pick, rtol=1e-12)


@pytest.mark.parametrize(("features", "values", "n"), [(7, 1000, 2000), (2, 1000, 500)])
def test_cells_of_many_or_wide_features_are_counted_exactly(features, values, n):
    # 1000^7 combinations overflow a 64-bit key; 1000^2 exceed a table the size of the batch.
    rng = np.random.default_rng(10)
    df = binary_frame(n, rng, **{f"f{i}": values for i in range(features)})
    names = tuple(f"f{i}" for i in range(features))
    counts = count_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=names, chunk_rows=300))
    ours = {
        tuple(counts.labels[f][c] for f, c in enumerate(cell)): rows.sum()
        for cell, rows in zip(counts.cells.tolist(), counts.rows, strict=True)
    }
    expected = df.groupby(list(names)).size()
    assert ours == {k: float(v) for k, v in expected.items()}


def test_score_histograms_in_blocks_give_the_same_auc_and_scoring_rates(monkeypatch):
    rng = np.random.default_rng(11)
    df = binary_frame(5000, rng, g=30, h=5)
    df["s"] = rng.random(5000).round(4)
    config = AuditConfig(y_true="y", y_score="s", threshold=0.5, sensitive=("g", "h"))
    whole = audit_frame(df, config)
    monkeypatch.setattr(histograms, "DENSE_FLOATS", 3 * 2 * 4096)  # 3 groups per block
    blocks = audit_frame(df, config)
    for a, b in zip(whole["dimensions"], blocks["dimensions"], strict=True):
        assert [g["auc"] for g in a["groups"]] == [g["auc"] for g in b["groups"]]
        ra, rb = a["impact_ratios"], b["impact_ratios"]
        assert ra["median_score"] == rb["median_score"]
        assert [r["rate"] for r in ra["rows"]] == pytest.approx([r["rate"] for r in rb["rows"]])


def test_score_counts_from_parts_through_json_merge_to_the_whole(tmp_path):
    rng = np.random.default_rng(12)
    df = binary_frame(3000, rng, g=4, h=3)
    df["s"] = rng.random(3000)
    path = tmp_path / "scores.csv"
    df.to_csv(path, index=False)
    config = AuditConfig(y_true="y", y_score="s", threshold=0.4, sensitive=("g", "h"))
    whole = count_file(path, config)
    parts = [
        counts_from_json(
            json.loads(
                json.dumps(counts_to_json(count_file(path, config, row_range=r, bins=whole.bins)))
            )
        )
        for r in [(0, 1000), (1000, 2200), (2200, 3000)]
    ]
    merged, expected = compute(merge(parts), config), compute(whole, config)
    merged.pop("timings"), expected.pop("timings")
    assert_close(merged, expected)


def test_dense_score_histograms_from_a_worker_of_the_previous_version_are_read():
    rng = np.random.default_rng(13)
    df = binary_frame(500, rng, g=3)
    df["s"] = rng.random(500)
    config = AuditConfig(y_true="y", y_score="s", threshold=0.5, sensitive=("g",), score_bins=16)
    counts = count_frame(df, config)
    data = counts_to_json(counts)
    dense = np.zeros(len(counts.cells) * 2 * 16)
    dense[counts.hist.keys] = counts.hist.weights
    data["hist"] = dense.reshape(len(counts.cells), 2, 16).tolist()
    old = counts_from_json(json.loads(json.dumps(data)))
    np.testing.assert_array_equal(old.hist.keys, counts.hist.keys[counts.hist.weights > 0])
    assert_close(
        compute(old, config) | {"timings": None}, compute(counts, config) | {"timings": None}
    )
