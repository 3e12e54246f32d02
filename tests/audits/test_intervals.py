"""Every reported interval holds its estimate, and why the summaries use the basic
bootstrap (audits/engine/stats.py, docs/audit-json.md "Uncertainty")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from audits.engine.audit import audit_frame
from audits.engine.config import AuditConfig
from audits.engine.stats import basic_bootstrap_interval


def _intervals(result):
    """(where, value, ci) of every interval in a result: each group rate's Wilson interval
    and each summary's bootstrap interval."""
    for dim in result["dimensions"]:
        for group in dim["groups"]:
            for name, metric in group["metrics"].items():
                if isinstance(metric, dict):
                    yield f"{dim['name']}/{group['group']}/{name}", metric["value"], metric["ci"]
        for name, summary in dim["summary"].items():
            yield f"{dim['name']}/{name}", summary["value"], summary["ci"]


@st.composite
def small_data(draw):
    rows = draw(st.integers(8, 160))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    features = draw(st.integers(1, 3))
    frame = pd.DataFrame(
        {
            f"f{i}": rng.choice(list("abcdefg")[: draw(st.integers(2, 7))], rows)
            for i in range(features)
        }
    )
    frame["y"] = (rng.random(rows) < draw(st.floats(0.05, 0.95))).astype(int)
    frame["p"] = (rng.random(rows) < draw(st.floats(0.05, 0.95))).astype(int)
    weighted = draw(st.booleans())
    if weighted:
        frame["w"] = rng.uniform(0.01, 20, rows)
    config = AuditConfig(
        y_true="y",
        y_pred="p",
        sensitive=tuple(f"f{i}" for i in range(features)),
        weight="w" if weighted else None,
        bootstrap=draw(st.sampled_from([20, 60, 200])),
        seed=seed % 1000,
        confidence=draw(st.sampled_from([0.8, 0.95, 0.99])),
    )
    return frame, config


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=small_data())
def test_every_interval_contains_its_estimate(data):
    frame, config = data
    # Each feature needs two groups to be audited at all.
    for feature in config.sensitive:
        if frame[feature].nunique() < 2:
            return
    result = audit_frame(frame, config)
    checked = 0
    for where, value, ci in _intervals(result):
        if value is None or not ci or ci[0] is None or ci[1] is None:
            continue
        checked += 1
        assert ci[0] <= value <= ci[1], (where, value, ci)
    assert checked


def test_the_interval_is_the_reflected_percentiles_when_they_hold_the_estimate():
    resamples = np.linspace(0.0, 1.0, 1001)  # quantiles 0.025 and 0.975 of these
    low, high = basic_bootstrap_interval(resamples, 0.5, 0.95)
    assert (low, high) == pytest.approx((2 * 0.5 - 0.975, 2 * 0.5 - 0.025))


def test_a_bound_on_the_wrong_side_is_clamped_to_the_estimate_and_to_the_range():
    # Every resample above the estimate (the max − min of noisy small groups): the reflected
    # upper bound would fall below it.
    resamples = np.linspace(0.616, 0.716, 1000)
    low, high = basic_bootstrap_interval(resamples, 0.608, 0.95, (0.0, 1.0))
    assert low == pytest.approx(2 * 0.608 - np.quantile(resamples, 0.975))
    assert high == 0.608
    low, _ = basic_bootstrap_interval(np.linspace(0.5, 1.0, 100), 0.05, 0.95, (0.0, 1.0))
    assert low == 0.0  # 2 × 0.05 − 0.99 would be negative: a difference of rates is ≥ 0


def test_no_interval_without_an_estimate_or_enough_defined_resamples():
    assert basic_bootstrap_interval(np.ones(100), None, 0.95) == [None, None]
    mostly_nan = np.full(100, np.nan)
    mostly_nan[:5] = 0.3
    assert basic_bootstrap_interval(mostly_nan, 0.3, 0.95) == [None, None]


def _max_minus_min(positives, negatives):
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = positives / (positives + negatives)
    return np.nanmax(rates, axis=-1) - np.nanmin(rates, axis=-1)


def _bc(resamples, estimate, confidence):
    """Efron's bias-corrected percentile interval, the alternative we did not choose."""
    p0 = ((resamples < estimate).sum() + 0.5 * (resamples == estimate).sum()) / len(resamples)
    p0 = min(max(p0, 0.5 / len(resamples)), 1 - 0.5 / len(resamples))
    z0, z = norm.ppf(p0), norm.ppf(0.5 + confidence / 2)
    low, high = np.quantile(resamples, norm.cdf([2 * z0 - z, 2 * z0 + z]))
    return min(low, estimate), max(high, estimate)


@pytest.mark.parametrize(
    ("sizes", "rates"),
    [
        pytest.param([500, 500], [0.4, 0.4], id="two-large-equal-groups"),
        pytest.param([15] * 10, [0.4] * 10, id="ten-small-equal-groups"),
        pytest.param([8] * 20 + [200] * 10, np.linspace(0.3, 0.6, 30), id="intersection"),
    ],
)
def test_the_basic_interval_covers_a_biased_max_minus_min_where_bc_does_not(sizes, rates):
    """The reason for the choice: simulate the engine's Poisson bootstrap of a max − min of
    group rates and count how often each interval holds the true difference."""
    rng = np.random.default_rng(7)
    sizes, rates = np.array(sizes), np.array(rates)
    truth = rates.max() - rates.min()
    covered = {"basic": 0, "bc": 0}
    trials = 200
    for _ in range(trials):
        positives = rng.binomial(sizes, rates)
        negatives = sizes - positives
        estimate = float(_max_minus_min(positives, negatives))
        boot = _max_minus_min(
            rng.poisson(positives, (500, len(sizes))), rng.poisson(negatives, (500, len(sizes)))
        )
        boot = boot[np.isfinite(boot)]
        low, high = basic_bootstrap_interval(boot, estimate, 0.95, (0.0, 1.0))
        covered["basic"] += low <= truth <= high
        low, high = _bc(boot, estimate, 0.95)
        covered["bc"] += low <= truth <= high
    assert covered["basic"] / trials >= 0.45
    assert covered["bc"] / trials <= 0.1
