"""Sequential gate alerts (audits/engine/sequential.py): false alarms stay under alpha over
many looks at a fair model, and a shifted model is caught within a stated number of
batches. Seeded simulations; the oracle is the guarantee itself and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from audits.engine import sequential as seq

ALPHA = 0.05


def batch(rng, rates: dict[str, float], n_per_group: int) -> np.ndarray:
    """Confusion counts (G, 4) of one batch: selection at each group's rate, label
    independent (base rate 0.5)."""
    out = np.zeros((len(rates), 4))
    for g, rate in enumerate(rates.values()):
        y = rng.random(n_per_group) < 0.5
        p = rng.random(n_per_group) < rate
        for yy in (0, 1):
            for pp in (0, 1):
                out[g, 2 * yy + pp] = np.sum((y == yy) & (p == pp))
    return out


def run(rng, schedule, n_per_group=300, window=7, metric="demographic_parity_ratio",
        comparator=">=", threshold=0.8):  # fmt: skip
    history = []
    states = []
    for look, rates in enumerate(schedule, start=1):
        history.append(batch(rng, rates, n_per_group))
        w = sum(history[-window:])
        states.append(
            seq.judge(
                metric=metric, comparator=comparator, threshold=threshold,
                labels=list(rates), w=w, w2=w, look=look, alpha=ALPHA, batch_w=history[-1],
            ).state
        )  # fmt: skip
    return states


def test_it_spends_at_most_alpha_over_any_number_of_looks():
    assert sum(seq.alpha_at(k, ALPHA) for k in range(1, 100_000)) < ALPHA
    assert seq.alpha_at(1, ALPHA) == pytest.approx(ALPHA / 2)


def test_it_computes_the_metric_and_a_box_interval_by_hand():
    # Selection rates 0.5 and 0.25 → ratio 0.5, difference 0.25.
    w = np.array([[50, 50, 0, 0], [75, 25, 0, 0]], dtype=float)
    assert seq.point_value("demographic_parity_ratio", w) == pytest.approx(0.5)
    assert seq.point_value("demographic_parity_difference", w) == pytest.approx(0.25)
    low, high = seq.metric_interval("demographic_parity_difference", w, w, 0.95)
    assert low < 0.25 < high
    assert low >= 0 and high <= 1


def test_a_fair_model_keeps_false_alarms_under_alpha_over_many_batches():
    """200 monitors of a model at the threshold's safe side (ratio 0.85 ≥ 0.8), each looked
    at 60 times: the share that ever breaches stays under alpha (it is in fact far lower:
    the union bound is conservative)."""
    rng = np.random.default_rng(20261125)
    fair = {"a": 0.50, "b": 0.425}  # ratio 0.85
    monitors = 200
    ever = sum(seq.BREACH in run(rng, [fair] * 60, n_per_group=200) for _ in range(monitors))
    assert ever / monitors <= ALPHA
    # Even a model exactly at the threshold (ratio 0.8) rarely breaches.
    edge = {"a": 0.5, "b": 0.4}
    ever_edge = sum(seq.BREACH in run(rng, [edge] * 60, n_per_group=200) for _ in range(50))
    assert ever_edge / 50 <= ALPHA


def test_a_shifted_model_is_caught_within_six_batches():
    """After 20 fair batches the second group's selection rate falls from 0.45 to 0.25
    (ratio 0.9 → 0.5): with 300 rows per group per batch and a 7-batch window the breach
    comes within 6 batches of the shift, in every one of 50 seeded runs."""
    rng = np.random.default_rng(7)
    fair, shifted = {"a": 0.5, "b": 0.45}, {"a": 0.5, "b": 0.25}
    delays = []
    for _ in range(50):
        states = run(rng, [fair] * 20 + [shifted] * 10)
        assert seq.BREACH not in states[:20]
        delays.append(states[20:].index(seq.BREACH) + 1)
    assert max(delays) <= 6, delays


def test_it_watches_before_it_is_sure():
    w = np.array([[40, 60, 0, 0], [55, 45, 0, 0]], dtype=float)  # ratio 0.75 on 100 rows
    look = seq.judge(
        metric="demographic_parity_ratio", comparator=">=", threshold=0.8,
        labels=["a", "b"], w=w, w2=w, look=3, alpha=ALPHA,
    )  # fmt: skip
    assert look.state == seq.WATCH
    assert look.value == pytest.approx(0.75)
    assert look.groups == ["b", "a"]
    big = w * 100
    look = seq.judge(
        metric="demographic_parity_ratio", comparator=">=", threshold=0.8,
        labels=["a", "b"], w=big, w2=big, look=3, alpha=ALPHA,
    )  # fmt: skip
    assert look.state == seq.BREACH


def test_it_says_ok_until_two_groups_have_data():
    w = np.array([[40, 60, 0, 0], [0, 0, 0, 0]], dtype=float)
    look = seq.judge(
        metric="equalized_odds_difference", comparator="<=", threshold=0.1,
        labels=["a", "b"], w=w, w2=w, look=1, alpha=ALPHA,
    )  # fmt: skip
    assert look.state == seq.OK and look.value is None
