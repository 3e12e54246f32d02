"""The demo's monitor: the loan model in production (the approved launch review of
version 2), 30 daily counts batches with score bins (so each batch's audit run has AUC and
calibration) and a drift from day 20 that breaches the four-fifths gate and opens an
incident (the webhook and the incident: audits/incidents/demo.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

RACES = {"White": 0.40, "Black": 0.20, "Hispanic": 0.20, "Asian": 0.15, "Other": 0.05}
AGES = {"18-25": 0.2, "26-40": 0.45, "41-60": 0.25, "60+": 0.10}
ROWS_PER_DAY = 6000
DRIFT_DAY = 20
# Ten score bins over [0, 1]; the model approves from 0.5, so approvals sit in bins 5-9.
SCORE_EDGES = [i / 10 for i in range(11)]
# How each decision's rows spread over its five bins: repaid loans score higher.
SPREAD = {1: [0.10, 0.15, 0.20, 0.25, 0.30], 0: [0.30, 0.25, 0.20, 0.15, 0.10]}


def day_counts(rng: Any, day: int, scores: Any = None) -> list[dict[str, Any]]:
    """One day's decisions as counts: approval 55 % for everyone until the drift, when the
    Black applicants' approval rate falls by 10 points a day (to 20 % at most). With a
    ``scores`` generator each count is split over the score bins of its decision (its own
    generator, so the decisions are those of the days without bins)."""
    rows = []
    for race, race_share in RACES.items():
        for age, age_share in AGES.items():
            n = int(rng.poisson(ROWS_PER_DAY * race_share * age_share))
            rate = 0.55
            if race == "Black" and day >= DRIFT_DAY:
                rate = max(0.2, 0.55 - 0.1 * (day - DRIFT_DAY + 1))
            repaid = rng.binomial(n, 0.7)
            for label, size in ((1, repaid), (0, n - repaid)):
                approved = rng.binomial(size, rate)
                for prediction, count in ((1, approved), (0, size - approved)):
                    row = {
                        "groups": {"race_ethnicity": race, "age_band": age},
                        "label": label,
                        "prediction": prediction,
                    }
                    if scores is None:
                        if count:
                            rows.append({**row, "count": int(count)})
                        continue
                    split = scores.multinomial(count, SPREAD[label])
                    for i, part in enumerate(split.tolist()):
                        if part:
                            rows.append({**row, "count": part, "score_bin": 5 * prediction + i})
    return rows


def seed(demo: Any) -> None:
    import numpy as np
    from django.utils import timezone

    from audits import services as audits
    from audits.engine.config import AuditConfig
    from reviews import services as reviews
    from reviews.models import Review, ReviewStatus

    from . import services
    from .models import Monitor

    system = demo.made["system"]
    owner = demo.owner
    if Monitor.objects.filter(review__system=system).exists():
        demo.summary.append("monitor already seeded")
        return
    review = reviews.review_create(
        actor=owner,
        system=system,
        title="Launch review v2 (in production)",
        system_version="2.0.0",
        lead=demo.users["facilitator"],
    )
    gate = audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="race_ethnicity",
        comparator=">=",
        threshold=0.8,
        action="rollback",
        description="Four-fifths rule on approval rates, in production.",
    )
    # Version 2 was approved before this demo's history begins (approval itself is shown
    # on the v3 review); the demo starts it approved.
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED, round=1)
    review.refresh_from_db()
    monitor = services.monitor_create(
        actor=owner,
        review=review,
        name="Loan approval model v2 in production",
        config=AuditConfig(
            y_true="repaid",
            y_pred="approved",
            sensitive=("race_ethnicity", "age_band"),
            bootstrap=200,
            seed=7,
        ),
        gates=[gate],
        window=7,
        on_call=[demo.users["facilitator"]],
    )
    rng, scores = np.random.default_rng(2026), np.random.default_rng(2027)
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for day in range(1, 31):
        services.batch_push(
            actor=owner,
            monitor=monitor,
            counts=day_counts(rng, day, scores),
            score_bins=SCORE_EDGES,
            period_end=today - timedelta(days=30 - day),
        )
    demo.made["monitor"] = monitor
    demo.summary.append(
        f"monitor #{monitor.pk} with 30 daily batches with score bins (drift from day 20)"
    )
