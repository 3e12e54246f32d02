"""The demo's model card: v1 published with its analysis computed from the demo audit, and
a draft v2 that tightens the caveats (see orgs/demo.py for how demo seeds compose).

The demo audit runs when the seed's transaction commits (eager Celery), so v1 is filled
and published by a callback queued after the audit's own."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audits.selectors import latest_run
from orgs.demo import Demo

from . import services
from .models import ModelCard, VersionStatus

SECTIONS = {
    "model_details": (
        "Gradient-boosted trees (LightGBM 4.3) scoring consumer loan applications; the score "
        "is a probability of repayment and applications at **0.70 or above** are recommended "
        "for approval.\n\n- Developed by: Demo Lending Co, credit risk modelling team\n"
        "- Trained: 2026-08; features: income, credit history length, existing debt, "
        "postcode-level arrears rate"
    ),
    "intended_use": (
        "Recommend approve or decline for unsecured personal loans of 1,000–25,000 EUR, "
        "reviewed by a loan officer who may override it."
    ),
    "intended_users": "Loan officers in the three launch regions; the credit risk team.",
    "out_of_scope": (
        "- Mortgages, business lending or any secured credit\n"
        "- Fully automated declines without a person reviewing them (GDPR Art. 22)\n"
        "- Setting interest rates"
    ),
    "factors": (
        "Age band, sex and race/ethnicity (self-reported at application; about 1 % did not "
        "say). Thin credit files are concentrated in the 18–25 band."
    ),
    "metrics": (
        "Selection (approval) rate, true and false positive rates and precision per group, "
        "with 95 % Wilson intervals; demographic parity and equal opportunity gaps with "
        "bootstrap intervals; NYC LL144-style impact ratios."
    ),
    "evaluation_data": (
        "Loan decisions 2026 Q3: 50,000 applications with their repayment outcome "
        "(synthetic for this demo)."
    ),
    "training_data": "Applications 2021–2025 with 12-month repayment outcomes (not shown).",
    "quantitative_analyses": (
        "Approval rates are lower for Black and Hispanic applicants (postcode proxy) and for "
        "18–25 year olds (thin files). See the launch gates of the pre-launch review."
    ),
    "ethical_considerations": (
        "The postcode arrears feature acts as a proxy for race/ethnicity; thin-file applicants "
        "are declined for lack of history rather than risk. Both are harms in the review's "
        "register, with mitigations."
    ),
    "caveats_recommendations": (
        "Do not use outside the launch regions. Re-audit monthly; a loan officer decides "
        "every decline."
    ),
}
V2_CAVEATS = (
    "Do not use outside the launch regions. Re-audit monthly; a loan officer decides every "
    "decline.\n\nFrom v2: the postcode arrears feature is capped at the regional median until "
    "the proxy effect is re-measured."
)


def seed(demo: Demo) -> None:
    system = demo.made["system"]
    card = ModelCard.objects.filter(system=system).first()
    if card is not None:
        if card.versions.filter(number=1, status=VersionStatus.DRAFT).exists():
            demo.made["model_card"] = card  # the audit was not done last time: try again
        else:
            demo.summary.append("model card already seeded")
        return
    card = services.modelcard_create(actor=demo.owner, system=system)
    draft = card.versions.get()
    services.version_update(
        actor=demo.owner,
        version=draft,
        sections=SECTIONS,
        metadata={"version": "3.0.0", "license": "proprietary", "owners": ["Credit risk team"]},
    )
    demo.made["model_card"] = card


def finish(demo: Demo) -> None:
    card = demo.made.get("model_card")
    if card is None:
        return
    owner, review = demo.owner, demo.made["review"]
    transaction.on_commit(lambda: publish_with_audit(owner, card.pk, review))
    demo.summary.append("model card v1 (published from the demo audit) and a draft v2")


def publish_with_audit(owner: Any, card_id: int, review: Any) -> None:
    """Fill v1 from the demo audit, publish it, and start v2. Left for the next seed when
    the audit has not finished (a real worker)."""
    with transaction.atomic():
        card = ModelCard.objects.get(pk=card_id)
        first = card.versions.get(number=1)
        run = latest_run(review)
        if run is None or first.status != VersionStatus.DRAFT:
            return
        services.version_set_analysis(actor=owner, version=first, run=run)
        services.version_publish(actor=owner, version=first)
        second = services.version_new_draft(actor=owner, card=card)
        services.version_update(
            actor=owner,
            version=second,
            sections={"caveats_recommendations": V2_CAVEATS},
            metadata={"version": "3.1.0"},
        )
