"""Demo AI system and review (see orgs/demo.py for how the apps' demo seeds compose)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from orgs.demo import Demo

from . import readiness, services
from .models import AISystem, Domain, Review, ReviewStatus


def seed(demo: Demo) -> None:
    owner = demo.owner
    organization = demo.organization
    assert organization is not None
    system = AISystem.objects.filter(organization=organization, name="Loan approval model").first()
    if system is None:
        system = services.system_create(
            actor=owner,
            organization=organization,
            name="Loan approval model",
            purpose="Scores consumer loan applications and recommends approve or decline.",
            domain=Domain.LENDING,
            decision_type="Whether an applicant is offered a personal loan, and at what rate.",
            deployment_context=(
                "Online and branch applications in three regions; loan officers see the "
                "recommendation and may override it."
            ),
            owner=owner,
        )
    review = Review.objects.filter(system=system, title="Pre-launch harm review v3").first()
    if review is None:
        review = services.review_create(
            actor=owner,
            system=system,
            title="Pre-launch harm review v3",
            system_version="3.0.0",
            due_date=datetime.date.today() + datetime.timedelta(days=21),
            lead=demo.users["facilitator"],
        )
    demo.made["system"] = system
    demo.made["review"] = review


def finish(demo: Demo) -> None:
    """Once the workshop has mitigated the high risks, the review goes for sign-off."""
    review = demo.made["review"]
    if review.status == ReviewStatus.DRAFT:
        review = services.review_transition(
            actor=demo.users["facilitator"], review=review, to=ReviewStatus.IN_REVIEW
        )
    demo.summary.append(f"{review.system.name} / {review.title} ({review.get_status_display()})")


def after_commit(demo: Demo) -> None:
    """Once the demo audit has run (eager mode runs it at commit): the owner accepts the
    risk of the launch gate it failed, with a justification, conditions and an expiry."""
    review = demo.made["review"]
    for blocker in readiness.open_blockers(review):
        if blocker.kind == "gate":
            services.risk_accept(
                actor=demo.owner,
                review=review,
                target_type=blocker.target_type,
                target_id=blocker.target_id or 0,
                justification=(
                    "The gap comes from one region's thin-file applicants; launch there is "
                    "limited to a branch pilot where a loan officer decides every decline."
                ),
                conditions="Re-audit monthly; withdraw if the ratio falls below 0.7.",
                expires_on=timezone.localdate() + datetime.timedelta(days=60),
            )
