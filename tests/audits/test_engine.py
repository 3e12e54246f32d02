import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, roc_auc_score

from audits.engine.audit import audit_file, audit_frame, compute, count_file, count_frame
from audits.engine.config import AuditConfig
from audits.engine.counts import merge
from audits.engine.errors import AuditInputError
from audits.engine.stats import holm, n_for_power, two_proportion_test, wilson


def loans(n=3000, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], n),
            "race": rng.choice(["Black", "White", "Asian"], n, p=[0.2, 0.6, 0.2]),
            "approved": rng.integers(0, 2, n),
        }
    )
    df["repaid"] = (rng.random(n) < 0.6).astype(int)
    df["score"] = np.clip(rng.normal(0.5 + 0.2 * df["repaid"], 0.2), 0, 1)
    return df


def assert_close(a, b, path="result"):
    """Equal up to floating-point summation order (1e-12 relative)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for key in a:
            assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-12), path
    else:
        assert a == b, path


def _strip(result: dict) -> dict:
    result = json.loads(json.dumps(result))
    result.pop("timings")
    result.pop("input", None)
    return result


def test_wilson_interval_matches_the_textbook_value():
    lo, hi = wilson(np.array([5.0]), np.array([10.0]), 0.95)
    assert (lo[0], hi[0]) == pytest.approx((0.236593, 0.763407), abs=1e-6)


def test_holm_adjusts_step_down():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(holm([float("nan"), 0.02])[0])


def test_small_tables_use_fishers_exact_test():
    p, method = two_proportion_test(1, 4, 9, 10)
    assert method == "fisher"
    assert p == pytest.approx(0.04095904, abs=1e-6)  # scipy/R fisher.test two-sided
    p, method = two_proportion_test(300, 1000, 350, 1000)
    assert method == "z" and p == pytest.approx(0.0168, abs=5e-4)


def test_power_needs_more_rows_for_smaller_gaps():
    assert n_for_power(0.5, 0.4) == pytest.approx(387.3, abs=1)  # Fleiss: 388 per group
    assert n_for_power(0.5, 0.3) < n_for_power(0.5, 0.4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), chunk=st.integers(7, 500))
def test_chunked_counts_equal_whole_counts(seed, chunk):
    df = loans(800, seed)
    whole = audit_frame(
        df,
        AuditConfig(
            y_true="repaid", y_pred="approved", sensitive=("sex", "race"), bootstrap=50, seed=3
        ),
    )
    chunked = audit_frame(
        df,
        AuditConfig(
            y_true="repaid",
            y_pred="approved",
            sensitive=("sex", "race"),
            bootstrap=50,
            seed=3,
            chunk_rows=chunk,
        ),
    )
    assert_close(_strip(whole) | {"config": None}, _strip(chunked) | {"config": None})


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_permuting_rows_changes_nothing(seed):
    df = loans(600, seed)
    cfg = AuditConfig(
        y_true="repaid",
        y_score="score",
        threshold=0.5,
        sensitive=("race", "sex"),
        bootstrap=100,
        seed=9,
    )
    shuffled = df.sample(frac=1, random_state=seed).reset_index(drop=True)
    assert_close(_strip(audit_frame(df, cfg)), _strip(audit_frame(shuffled, cfg)))


def test_counts_from_separate_parts_merge_to_the_whole(tmp_path):
    df = loans(2000)
    cfg = AuditConfig(y_true="repaid", y_pred="approved", sensitive=("sex", "race"), bootstrap=0)
    path = tmp_path / "loans.csv"
    df.to_csv(path, index=False)
    parts = [
        count_file(path, cfg, row_range=(a, b)) for a, b in [(0, 700), (700, 1500), (1500, 2000)]
    ]
    merged = merge(parts)
    assert merged.total_rows == 2000
    assert_close(_strip(compute(merged, cfg)), _strip(compute(count_file(path, cfg), cfg)))


def test_csv_and_parquet_give_the_same_result_and_record_the_input(tmp_path):
    df = loans(1500)
    cfg = AuditConfig(y_true="repaid", y_pred="approved", sensitive=("sex", "race"))
    csv_path, pq_path = tmp_path / "a.csv", tmp_path / "a.parquet"
    df.to_csv(csv_path, index=False)
    pq.write_table(pa.Table.from_pandas(df), pq_path)
    from_csv, from_parquet = audit_file(csv_path, cfg), audit_file(pq_path, cfg)
    assert_close(_strip(from_csv), _strip(from_parquet))
    assert from_csv["schema"] == "forethought.audit/1"
    assert from_csv["input"]["rows"] == 1500
    import hashlib

    assert from_csv["input"]["sha256"] == hashlib.sha256(csv_path.read_bytes()).hexdigest()
    assert set(from_csv["versions"]) >= {"numpy", "pandas", "pyarrow", "python", "forethought"}


def test_scores_give_auc_and_brier_equal_to_sklearn_per_group():
    df = loans(4000)
    df["score"] = df["score"].round(3)
    cfg = AuditConfig(
        y_true="repaid",
        y_score="score",
        threshold=0.55,
        sensitive=("race",),
        bootstrap=0,
        score_bins=4096,
    )
    result = audit_frame(df, cfg)
    for group in result["dimensions"][0]["groups"]:
        part = df[df["race"] == group["group"]]
        assert group["brier"] == pytest.approx(
            brier_score_loss(part["repaid"], part["score"]), abs=1e-12
        )
        # 4096 equal bins over [min, max] of 3-decimal scores never merge two values.
        assert group["auc"] == pytest.approx(
            roc_auc_score(part["repaid"], part["score"]), abs=1e-12
        )
        sel = (part["score"] >= 0.55).mean()
        assert group["metrics"]["selection_rate"]["value"] == pytest.approx(sel, abs=1e-12)


def test_credit_scores_in_their_own_units_are_exact_and_skip_brier():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"g": rng.choice(["a", "b"], 3000), "y": rng.integers(0, 2, 3000)})
    df["fico"] = rng.integers(300, 851, 3000) + 40 * df["y"]
    result = audit_frame(
        df, AuditConfig(y_true="y", y_score="fico", threshold=620, sensitive=("g",), bootstrap=0)
    )
    codes = {w["code"] for w in result["warnings"]}
    assert "scores_not_probabilities" in codes and "auc_binned" not in codes
    for group in result["dimensions"][0]["groups"]:
        part = df[df["g"] == group["group"]]
        assert group["auc"] == pytest.approx(roc_auc_score(part["y"], part["fico"]), abs=1e-12)
        assert "brier" not in group
    impact = result["dimensions"][0]["impact_ratios"]
    assert impact["rate"] == "scoring_rate"
    median = float(np.median(df["fico"]))
    for row in impact["rows"]:
        part = df[df["g"] == row["category"]]
        assert row["rate"] == pytest.approx((part["fico"] > impact["median_score"]).mean())
    assert abs(impact["median_score"] - median) <= 1


def test_missing_values_are_a_counted_group_not_dropped():
    df = loans(1000)
    df.loc[:49, "race"] = None
    result = audit_frame(
        df, AuditConfig(y_true="repaid", y_pred="approved", sensitive=("race",), bootstrap=0)
    )
    groups = {g["group"]: g for g in result["dimensions"][0]["groups"]}
    assert groups["(missing)"]["rows"] == 50
    assert result["missing"] == {"race": 50}
    assert any(w["code"] == "missing_values" for w in result["warnings"])
    assert result["dimensions"][0]["impact_ratios"]["missing_rows"] == 50


def test_small_and_underpowered_groups_are_warned_about():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(
        {"g": ["big"] * 2000 + ["tiny"] * 12 + ["mid"] * 60, "y": rng.integers(0, 2, 2072)}
    )
    df["p"] = (rng.random(2072) < np.where(df["g"] == "mid", 0.4, 0.5)).astype(int)
    result = audit_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), bootstrap=0))
    by_group = {(w["code"], w["group"]) for w in result["warnings"]}
    assert ("small_group", "tiny") in by_group
    assert ("underpowered", "mid") in by_group


def test_undefined_metrics_are_null_with_a_warning():
    df = pd.DataFrame(
        {
            "g": ["a"] * 5 + ["b"] * 5,
            "y": [0] * 5 + [1, 0, 1, 0, 1],
            "p": [1, 0, 1, 0, 0, 1, 1, 0, 0, 1],
        }
    )
    result = audit_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), bootstrap=0))
    a = next(g for g in result["dimensions"][0]["groups"] if g["group"] == "a")
    assert a["metrics"]["tpr"]["value"] is None  # group a has no positives
    assert any(w["code"] == "undefined_metric" and w["group"] == "a" for w in result["warnings"])


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    df = loans(3000)
    cfg = AuditConfig(
        y_true="repaid", y_pred="approved", sensitive=("race",), bootstrap=400, seed=11
    )
    first, second = audit_frame(df, cfg), audit_frame(df, cfg)
    s1 = first["dimensions"][0]["summary"]["statistical_parity_difference"]
    s2 = second["dimensions"][0]["summary"]["statistical_parity_difference"]
    assert s1["ci"] == s2["ci"]
    assert s1["ci"][0] <= s1["value"] <= s1["ci"][1]
    other = audit_frame(
        df,
        AuditConfig(
            y_true="repaid", y_pred="approved", sensitive=("race",), bootstrap=400, seed=12
        ),
    )
    assert other["dimensions"][0]["summary"]["statistical_parity_difference"]["ci"] != s1["ci"]


def test_the_reference_is_given_or_the_largest_group_or_combined():
    df = loans(2000)
    result = audit_frame(
        df,
        AuditConfig(
            y_true="repaid",
            y_pred="approved",
            sensitive=("sex", "race"),
            reference={"sex": "female"},
            bootstrap=0,
        ),
    )
    dims = {d["name"]: d for d in result["dimensions"]}
    assert (dims["sex"]["reference"], dims["sex"]["reference_source"]) == ("female", "given")
    assert (dims["race"]["reference"], dims["race"]["reference_source"]) == ("White", "largest")
    assert dims["intersection"]["reference"] == "female & White"
    assert dims["intersection"]["reference_source"] == "combined"


def _bad(tmp_path: Path, text: str, name="in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "config", "message"),
    [
        (
            "y,pred,sex\n1,1,f\n0,1,m\n",
            dict(y_true="y", y_pred="pred", sensitive=("gender",)),
            "'gender' is not in the file",
        ),
        (
            "y,pred,sex\n1,1,f\n0,1,m\n",
            dict(y_true="yy", y_pred="pred", sensitive=("sex",)),
            "Did you mean 'y'?",
        ),
        (
            "y,pred,sex\n2,1,f\n0,1,m\n1,0,f\n",
            dict(y_true="y", y_pred="pred", sensitive=("sex",)),
            "not binary",
        ),
        (
            "y,pred,sex\napproved,1,f\ndenied,1,m\n",
            dict(y_true="y", y_pred="pred", sensitive=("sex",)),
            "--positive",
        ),
        (
            "y,pred,sex\n1,1,f\n,1,m\n",
            dict(y_true="y", y_pred="pred", sensitive=("sex",)),
            "empty or NaN label",
        ),
        ("y,pred,sex\n", dict(y_true="y", y_pred="pred", sensitive=("sex",)), "no rows"),
        (
            "y,pred,sex\n1,1,f\n0,1,f\n",
            dict(y_true="y", y_pred="pred", sensitive=("sex",)),
            "single group",
        ),
        (
            "y;pred;sex\n1;1;f\n0;1;m\n",
            dict(y_true="y", y_pred="pred", sensitive=("race",)),
            "'race' is not in the file",
        ),
        (
            "y,s,sex\n1,0.5,f\n0,high,m\n",
            dict(y_true="y", y_score="s", threshold=0.5, sensitive=("sex",)),
            "must be numeric",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(tmp_path, text, config, message):
    with pytest.raises(AuditInputError, match=message.replace("?", r"\?").replace("(", r"\(")):
        audit_file(_bad(tmp_path, text), AuditConfig(**config))


def test_a_semicolon_file_is_read_with_its_own_delimiter(tmp_path):
    path = _bad(tmp_path, "y;pred;sex\n1;1;f\n0;1;m\n1;0;m\n")
    result = audit_file(
        path, AuditConfig(y_true="y", y_pred="pred", sensitive=("sex",), bootstrap=0)
    )
    assert result["rows"] == 3


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("y,pred,sex\n1,1,f\u00e9minin\n0,1,m\n".encode("latin-1"))
    with pytest.raises(AuditInputError, match="UTF-8"):
        audit_file(path, AuditConfig(y_true="y", y_pred="pred", sensitive=("sex",)))


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(AuditInputError, match="empty"):
        audit_file(_bad(tmp_path, ""), AuditConfig(y_true="y", y_pred="p", sensitive=("s",)))


def test_a_named_positive_value_is_used_for_labels_and_predictions():
    df = pd.DataFrame(
        {
            "g": ["a", "a", "b", "b"],
            "y": ["good", "bad", "good", "good"],
            "p": ["good", "good", "bad", "good"],
        }
    )
    result = audit_frame(
        df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), positive="good", bootstrap=0)
    )
    a = next(g for g in result["dimensions"][0]["groups"] if g["group"] == "a")
    assert a["metrics"]["selection_rate"]["value"] == 1.0
    assert a["metrics"]["base_rate"]["value"] == 0.5


def test_counts_are_the_same_from_a_frame_and_a_file(tmp_path):
    df = loans(500)
    cfg = AuditConfig(y_true="repaid", y_pred="approved", sensitive=("sex",), bootstrap=0)
    path = tmp_path / "x.csv"
    df.to_csv(path, index=False)
    a, b = count_frame(df, cfg), count_file(path, cfg)
    assert a.rows.sum() == b.rows.sum() == 500


def test_a_negligible_gap_raises_no_power_warning():
    df = pd.DataFrame(
        {
            "g": ["a"] * 1000 + ["b"] * 1000,
            "y": [1] * 2000,
            "p": [1] * 500 + [0] * 500 + [1] * 505 + [0] * 495,
        }
    )
    result = audit_frame(df, AuditConfig(y_true="y", y_pred="p", sensitive=("g",), bootstrap=0))
    assert not [w for w in result["warnings"] if w["code"] == "underpowered"]


def test_boolean_labels_treat_true_as_positive_unless_told_otherwise():
    df = pd.DataFrame(
        {"g": ["a", "a", "b", "b"], "y": [True, False, True, True], "p": [True, True, False, True]}
    )
    cfg = dict(y_true="y", y_pred="p", sensitive=("g",), bootstrap=0)
    a = audit_frame(df, AuditConfig(**cfg))["dimensions"][0]["groups"][0]
    assert (a["group"], a["metrics"]["selection_rate"]["value"]) == ("a", 1.0)
    flipped = audit_frame(df, AuditConfig(**cfg, positive="false"))["dimensions"][0]["groups"][0]
    assert flipped["metrics"]["selection_rate"]["value"] == 0.0


def test_the_summary_metrics_are_exactly_the_shared_list_in_its_order():
    """audits/engine/names.py is the single source: launch gates offer those names, the
    engine produces those keys and no others, for every dimension and both modes."""
    from audits.engine.names import SUMMARY_METRIC_NAMES

    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "y": rng.integers(0, 2, 600),
            "p": rng.integers(0, 2, 600),
            "s": rng.random(600),
            "g": rng.choice(["a", "b", "c"], 600),
            "h": rng.choice(["x", "y"], 600),
        }
    )
    for config in (
        AuditConfig(y_true="y", y_pred="p", sensitive=("g", "h"), bootstrap=20),
        AuditConfig(y_true="y", y_score="s", threshold=0.5, sensitive=("g",), bootstrap=0),
    ):
        result = audit_frame(frame, config)
        for dim in result["dimensions"]:
            assert list(dim["summary"]) == list(SUMMARY_METRIC_NAMES), dim["name"]


def test_audit_config_round_trips_through_its_stored_form_and_refuses_bad_values():
    config = AuditConfig(
        y_true="y", y_score="s", threshold=0.5, sensitive=("g", "h"), reference={"g": "a"}
    )
    assert AuditConfig.from_dict(json.loads(json.dumps(config.as_dict()))) == config
    for bad, field in [
        ({"y_true": "y", "y_pred": "p", "sensitive": "g"}, "sensitive"),
        ({"y_true": "y", "y_pred": "p", "sensitive": ["g"], "colour": "red"}, "colour"),
        ({"y_true": "y", "y_pred": "p", "sensitive": ["g"], "bootstrap": "many"}, "bootstrap"),
        ({"y_true": "y", "y_pred": 3, "sensitive": ["g"]}, "y_pred"),
        ({"y_true": "y", "y_pred": "p", "sensitive": ["g"], "reference": {"g": 1}}, "reference"),
        ({"y_pred": "p", "sensitive": ["g"]}, "y_true"),
    ]:
        with pytest.raises(AuditInputError) as info:
            AuditConfig.from_dict(bad)
        assert info.value.field == field, bad


def test_a_config_names_the_missing_column_with_the_closest_one():
    config = AuditConfig(y_true="y", y_score="scor", threshold=0.5, sensitive=("sex",))
    with pytest.raises(AuditInputError, match="'scor' is not in data.csv. Did you mean 'score'"):
        config.check_columns(["y", "score", "sex"], source="data.csv")
    config.check_columns(["y", "scor", "sex"])  # all present: no error
