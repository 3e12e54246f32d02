"""Demo data for ``make run``: every finished feature shows on it. Safe to run repeatedly."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import AISystem, Domain, Membership, Organization, Review, ReviewStatus, Role

DEMO_PASSWORD = "forethought-demo"  # noqa: S105 - printed to the person running the demo
DEMO_USERS = [
    ("demo", Role.OWNER, "Dana", "Owner"),
    ("facilitator", Role.FACILITATOR, "Femi", "Facilitator"),
    ("reviewer", Role.REVIEWER, "Rosa", "Reviewer"),
    ("participant", Role.PARTICIPANT, "Pat", "Participant"),
]


@transaction.atomic
def seed_demo() -> str:
    User = get_user_model()
    users = {}
    for username, _role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[username] = user
    owner = users["demo"]
    if not owner.is_staff:
        owner.is_staff = owner.is_superuser = True
        owner.save(update_fields=["is_staff", "is_superuser"])

    organization = Organization.objects.filter(slug="demo-lending").first()
    if organization is None:
        organization = services.organization_create(
            actor=owner, name="Demo Lending Co", slug="demo-lending"
        )
    for username, role, _first, _last in DEMO_USERS:
        if not Membership.objects.filter(organization=organization, user=users[username]).exists():
            services.membership_create(
                actor=owner, organization=organization, user=users[username], role=role
            )

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
            lead=users["facilitator"],
        )
    if review.status == ReviewStatus.DRAFT:
        review = services.review_transition(
            actor=users["facilitator"], review=review, to=ReviewStatus.IN_REVIEW
        )
    return f"{organization.name}: {system.name} / {review.title} ({review.get_status_display()})"
