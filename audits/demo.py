"""The demo's launch gates and its audit of the synthetic loan-decision dataset
(engine/synthetic.py)."""

from __future__ import annotations

from typing import Any


def seed(demo: Any) -> None:
    """Launch gates on the demo review, then an audit of the synthetic loan file (eager mode
    runs it when the demo transaction commits); see orgs/demo.py."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import services
    from .engine.config import AuditConfig
    from .engine.synthetic import synthetic_loans
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
