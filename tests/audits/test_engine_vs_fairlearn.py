"""The engine against Fairlearn (a test-only oracle), to 1e-9."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as fm
from sklearn.metrics import accuracy_score, f1_score, precision_score

from audits.engine.audit import audit_frame
from audits.engine.config import AuditConfig
from audits.engine.counts import MISSING

TOL = 1e-9
FEATURES = {"race": list("ABCDE"), "sex": ["f", "m"], "age": ["<25", "25-60", ">60"]}


def make_data(
    n: int,
    features: list[str],
    seed: int,
    weights: bool = False,
    missing: bool = False,
    drop_combo: bool = False,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f: rng.choice(FEATURES[f], n, p=None) for f in features})
    base = 0.3 + 0.1 * (df[features[0]] == FEATURES[features[0]][0])
    df["y"] = (rng.random(n) < base).astype(int)
    df["pred"] = (
        rng.random(n)
        < 0.25 + 0.35 * df["y"] - 0.1 * (df[features[-1]] == FEATURES[features[-1]][1])
    ).astype(int)
    if weights:
        df["w"] = rng.uniform(0.2, 3.0, n)
    if missing:
        df.loc[rng.random(n) < 0.05, features[0]] = None
    if drop_combo and len(features) > 1:
        # An empty intersection: no row has the first value of both of the first two.
        mask = (df[features[0]] == FEATURES[features[0]][0]) & (
            df[features[1]] == FEATURES[features[1]][0]
        )
        df = df[~mask].reset_index(drop=True)
    return df


FAIRLEARN_METRICS = {
    "selection_rate": fm.selection_rate,
    "tpr": fm.true_positive_rate,
    "fpr": fm.false_positive_rate,
    "tnr": fm.true_negative_rate,
    "fnr": fm.false_negative_rate,
    "accuracy": accuracy_score,
    "ppv": lambda y, p, **kw: precision_score(y, p, zero_division=np.nan, **kw),
    "f1": lambda y, p, **kw: f1_score(y, p, zero_division=np.nan, **kw),
}


def _oracle_frame(df, features, weights):
    sf = df[features].fillna(MISSING)
    kwargs = {}
    if weights:
        kwargs["sample_params"] = {
            k: {"sample_weight": df["w"].to_numpy()} for k in FAIRLEARN_METRICS
        }
    return fm.MetricFrame(
        metrics=FAIRLEARN_METRICS,
        y_true=df["y"],
        y_pred=df["pred"],
        sensitive_features=sf,
        **kwargs,
    ), sf


CASES = [
    pytest.param(["race"], False, False, False, id="one-feature"),
    pytest.param(["race", "sex"], True, False, False, id="two-features-weighted"),
    pytest.param(["race", "sex", "age"], False, True, False, id="three-features-missing"),
    pytest.param(["race", "sex", "age"], True, True, True, id="three-weighted-missing-empty"),
    pytest.param(["sex", "age"], False, False, True, id="two-features-empty-intersection"),
]


@pytest.mark.parametrize(("features", "weights", "missing", "drop"), CASES)
def test_by_group_values_match_metricframe(features, weights, missing, drop):
    df = make_data(
        6000,
        features,
        seed=len(features) * 7 + weights,
        weights=weights,
        missing=missing,
        drop_combo=drop,
    )
    cfg = AuditConfig(
        y_true="y",
        y_pred="pred",
        sensitive=tuple(features),
        weight="w" if weights else None,
        bootstrap=0,
    )
    result = audit_frame(df, cfg)
    mf, _ = _oracle_frame(df, features, weights)
    dim = result["dimensions"][-1]  # the intersection (or the one feature)
    ours = {tuple(g["values"][f] for f in features): g for g in dim["groups"]}
    by_group = mf.by_group.dropna(how="all")
    assert len(ours) == len(by_group)
    checked = 0
    for key, row in by_group.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        group = ours[tuple(str(k) for k in key)]
        for name in FAIRLEARN_METRICS:
            expected = row[name]
            got = group["metrics"][name]["value"]
            if np.isnan(expected):
                assert got is None
            else:
                assert got == pytest.approx(expected, abs=TOL), (key, name)
                checked += 1
    assert checked >= len(by_group) * 6
    if drop:
        present = {tuple(g["values"][f] for f in features) for g in dim["groups"]}
        first = (FEATURES[features[0]][0], FEATURES[features[1]][0])
        assert not any(k[:2] == first for k in present)


@pytest.mark.parametrize(("features", "weights", "missing", "drop"), CASES)
def test_summary_metrics_match_fairlearn(features, weights, missing, drop):
    df = make_data(
        6000, features, seed=3 + len(features), weights=weights, missing=missing, drop_combo=drop
    )
    cfg = AuditConfig(
        y_true="y",
        y_pred="pred",
        sensitive=tuple(features),
        weight="w" if weights else None,
        bootstrap=0,
    )
    result = audit_frame(df, cfg)
    sw = {"sample_weight": df["w"].to_numpy()} if weights else {}
    dims = {d["name"]: d for d in result["dimensions"]}
    # Each feature alone, and (with several) the intersection = Fairlearn given them all.
    targets = [(f, [f]) for f in features]
    if len(features) > 1:
        targets.append(("intersection", features))
    for dim_name, cols in targets:
        sf = df[cols].fillna(MISSING)
        summary = dims[dim_name]["summary"]
        for name, fn in [
            ("demographic_parity_difference", fm.demographic_parity_difference),
            ("demographic_parity_ratio", fm.demographic_parity_ratio),
            ("equalized_odds_difference", fm.equalized_odds_difference),
            ("equalized_odds_ratio", fm.equalized_odds_ratio),
            ("equal_opportunity_difference", fm.equal_opportunity_difference),
            ("equal_opportunity_ratio", fm.equal_opportunity_ratio),
        ]:
            expected = fn(df["y"], df["pred"], sensitive_features=sf, **sw)
            assert summary[name]["value"] == pytest.approx(expected, abs=TOL), (dim_name, name)
        mf = fm.MetricFrame(
            metrics=fm.selection_rate,
            y_true=df["y"],
            y_pred=df["pred"],
            sensitive_features=sf,
            sample_params={"sample_weight": sw["sample_weight"]} if sw else None,
        )
        assert summary["demographic_parity_difference"]["value"] == pytest.approx(
            mf.difference(), abs=TOL
        )
        assert summary["demographic_parity_ratio"]["value"] == pytest.approx(mf.ratio(), abs=TOL)


def test_aif360_style_values_on_a_hand_computed_table():
    # Group a: 10 rows, TP 4 FP 1 TN 3 FN 2 → sel 0.5, tpr 4/6, fpr 1/4, ppv 0.8
    # Group b: 10 rows, TP 2 FP 2 TN 4 FN 2 → sel 0.4, tpr 0.5, fpr 1/3, ppv 0.5
    rows = (
        [("a", 1, 1)] * 4
        + [("a", 0, 1)] * 1
        + [("a", 0, 0)] * 3
        + [("a", 1, 0)] * 2
        + [("b", 1, 1)] * 2
        + [("b", 0, 1)] * 2
        + [("b", 0, 0)] * 4
        + [("b", 1, 0)] * 2
    )
    df = pd.DataFrame(rows, columns=["g", "y", "pred"])
    result = audit_frame(
        df,
        AuditConfig(y_true="y", y_pred="pred", sensitive=("g",), reference={"g": "a"}, bootstrap=0),
    )
    summary = result["dimensions"][0]["summary"]
    assert summary["statistical_parity_difference"]["value"] == pytest.approx(0.4 - 0.5)
    assert summary["disparate_impact_ratio"]["value"] == pytest.approx(0.8)
    assert summary["average_odds_difference"]["value"] == pytest.approx(
        ((1 / 3 - 1 / 4) + (0.5 - 4 / 6)) / 2
    )
    assert summary["predictive_parity_difference"]["value"] == pytest.approx(0.5 - 0.8)
    assert summary["statistical_parity_difference"]["group"] == "b"
    assert summary["statistical_parity_difference"]["reference"] == "a"
    impact = result["dimensions"][0]["impact_ratios"]
    assert [r["impact_ratio"] for r in impact["rows"]] == pytest.approx([1.0, 0.8])
    assert impact["four_fifths"] == "pass"
