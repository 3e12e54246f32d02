"""Demo checklists: GDPR, US credit (FCRA and Regulation B) and NYC Local Law 144 on the
demo review, with a realistic mix of answers, two controls (one fills items in all three
frameworks, directly or through the crosswalk), machine evidence from the demo audit
(computed items read it once the audit has run), and one stale piece of evidence."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.utils import timezone

REQ = "urn:forethought:req:"
DATA = Path(__file__).resolve().parent / "data" / "demo.json"


def seed(demo: Any) -> None:
    from django.apps import apps

    from reviews.controls import services as control_services
    from reviews.controls.models import Control
    from reviews.frameworks import selectors as fw_selectors
    from reviews.frameworks.library import read_all
    from reviews.frameworks.models import Framework
    from reviews.frameworks.store import store

    from . import services
    from .models import Checklist

    if not Framework.objects.exists():  # e.g. a test database flushed after migrating
        store(read_all(), apps)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    review = demo.made["review"]
    owner = demo.owner
    if Checklist.objects.filter(review=review).exists():
        demo.summary.append("compliance checklists already seeded")
        return
    for c in data["controls"]:
        if not Control.objects.filter(organization=review.organization, name=c["name"]).exists():
            control_services.control_create(
                actor=owner,
                organization=review.organization,
                name=c["name"],
                description=c["description"],
                status="implemented",
                owner=demo.users[c["owner"]],
                requirements=c["requirements"],
            )
    today = timezone.localdate()
    for slug, answers in data["answers"].items():
        framework = fw_selectors.latest(f"urn:forethought:framework:{slug}")
        if framework is None:
            continue
        checklist = services.checklist_attach(actor=owner, review=review, framework=framework)
        items = {
            a.requirement.local_id: a for a in checklist.assessments.select_related("requirement")
        }
        for row in answers:
            a = items[row["item"]]
            applicable, text, who, due = (
                row["applicable"],
                row["text"],
                row["owner"],
                row["due_in_days"],
            )
            status = row["status"]
            services.assessment_update(
                actor=owner,
                assessment=a,
                applicable=applicable,
                justification="" if applicable else text,
                note=text if applicable else "",
                status=status,
                owner=demo.users[who] if who else None,
                due_date=today + datetime.timedelta(days=due) if due else None,
            )
            if applicable and status in ("met", "partially_met") and who != "reviewer":
                services.assessment_sign_off(actor=demo.users["reviewer"], assessment=a)
        if slug == "nyc-ll144":
            services.evidence_add(
                actor=owner,
                assessment=items["publish"],
                kind="url",
                url="https://careers.example.org/bias-audit-2025.pdf",
                label="Published bias audit summary (2025)",
                effective_on=today - datetime.timedelta(days=400),
                # Stale on purpose: the summary is over a year old and has lapsed.
                expires_on=today - datetime.timedelta(days=35),
            )
        if slug == "gdpr":
            harms = demo.made.get("harms", {})
            for harm in list(harms.values())[:2]:
                services.evidence_add(
                    actor=owner, assessment=items["art35-7"], kind="harm", target_id=harm.pk
                )
    demo.summary.append("compliance: GDPR, FCRA/Reg B and LL144 checklists, 2 controls")


def finish(demo: Any) -> None:
    """Link the owner's risk acceptance of the failing launch gate (recorded when the
    reviews app finishes) to the ECOA item it answers for."""
    from reviews.models import RiskAcceptance

    from . import services
    from .models import Assessment

    review = demo.made["review"]
    acceptance = RiskAcceptance.objects.filter(review=review, revoked_at__isnull=True).first()
    item = Assessment.objects.filter(
        checklist__review=review, requirement__urn=f"{REQ}us-credit:ecoa-701-a"
    ).first()
    if acceptance is None or item is None or item.evidence.filter(kind="risk_acceptance").exists():
        return
    services.evidence_add(
        actor=demo.owner, assessment=item, kind="risk_acceptance", target_id=acceptance.pk
    )
