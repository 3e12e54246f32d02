"""A synthetic loan-decision dataset for the demo: seeded, 50k rows, realistic imbalance
and a built-in disparity, so the demo audit has something to find."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def synthetic_loans(n: int = 50_000, seed: int = 20261125) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.choice(["18-25", "26-40", "41-60", "61+"], n, p=[0.14, 0.38, 0.33, 0.15])
    sex = rng.choice(["female", "male"], n, p=[0.47, 0.53])
    race = rng.choice(
        ["White", "Black", "Hispanic", "Asian", "Other"], n, p=[0.60, 0.13, 0.17, 0.07, 0.03]
    )
    income = rng.lognormal(10.8, 0.5, n)
    history_years = np.clip(rng.normal(12, 8, n) - (age == "18-25") * 8, 0, None)
    # Truth: would the applicant repay?
    logit_repay = 0.9 + 0.35 * np.log(income / 50_000) + 0.05 * history_years
    repaid = rng.random(n) < 1 / (1 + np.exp(-logit_repay))
    # The model: a probability-of-repayment score that under-rates thin files and, through a
    # postcode proxy, Black and Hispanic applicants.
    proxy = np.where(np.isin(race, ["Black", "Hispanic"]), -0.45, 0.0)
    thin_file = np.where(age == "18-25", -0.35, 0.0)
    logit_score = logit_repay + proxy + thin_file + rng.normal(0, 0.6, n)
    score = np.round(1 / (1 + np.exp(-logit_score)), 4)
    frame = pd.DataFrame(
        {
            "applicant_id": np.arange(1, n + 1),
            "age_band": age,
            "sex": sex,
            "race_ethnicity": race,
            "repaid": repaid.astype(int),
            "score": score,
        }
    )
    frame["approved"] = (frame["score"] >= 0.7).astype(int)
    # A few applicants did not state their race/ethnicity.
    frame.loc[rng.random(n) < 0.01, "race_ethnicity"] = None
    return frame


def seed(demo: Any) -> None:
    """Launch gates on the demo review, then an audit of the synthetic loan file (eager mode
    runs it when the demo transaction commits); see orgs/demo.py."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import services
    from .engine.config import AuditConfig
    from .models import AuditRun, Comparator, GateAction, LaunchGate

    review = demo.made["review"]
    owner = demo.owner
    harms = demo.made.get("harms", {})
    if not LaunchGate.objects.filter(review=review).exists():
        services.launch_gate_create(
            actor=owner,
            review=review,
            metric="demographic_parity_ratio",
            sensitive_feature="race_ethnicity",
            comparator=Comparator.GTE,
            threshold=0.8,
            action=GateAction.BLOCK_LAUNCH,
            description="Four-fifths rule on approval rates across race/ethnicity.",
            harm=harms.get("Higher rates quoted to some postcodes"),
        )
        services.launch_gate_create(
            actor=owner,
            review=review,
            metric="equal_opportunity_difference",
            sensitive_feature="age_band",
            comparator=Comparator.LTE,
            threshold=0.1,
            action=GateAction.HUMAN_REVIEW,
            description="Creditworthy applicants of every age band are approved at similar rates.",
            harm=harms.get("Thin-file applicants declined for lack of history"),
        )
    if AuditRun.objects.filter(review=review).exists():
        demo.summary.append("audit already seeded")
        return
    buffer = io.StringIO()
    synthetic_loans().to_csv(buffer, index=False)
    upload = SimpleUploadedFile(
        "loan_decisions_2026q3.csv", buffer.getvalue().encode(), content_type="text/csv"
    )
    dataset = services.dataset_upload(
        actor=owner,
        organization=review.organization,
        upload=upload,
        name="Loan decisions 2026 Q3 (synthetic)",
    )
    run = services.audit_start(
        actor=owner,
        review=review,
        dataset=dataset,
        config=AuditConfig(
            y_true="repaid",
            y_score="score",
            threshold=0.7,
            sensitive=("age_band", "sex", "race_ethnicity"),
            reference={"race_ethnicity": "White", "age_band": "26-40"},
            bootstrap=1000,
            seed=7,
        ),
    )
    demo.summary.append(f"audit #{run.pk} of {dataset.name} ({dataset.size_bytes // 1024} KiB)")
