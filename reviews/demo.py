"""Demo data for ``make run``: every finished feature shows on it. Safe to run repeatedly."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .models import AISystem, Domain, Membership, Organization, Review, ReviewStatus, Role
from .workshops.models import StakeholderKind

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
    workshop_summary = seed_workshop(review, users)
    audit_summary = seed_audit(review, owner)
    if review.status == ReviewStatus.DRAFT:
        review = services.review_transition(
            actor=users["facilitator"], review=review, to=ReviewStatus.IN_REVIEW
        )
    return (
        f"{organization.name}: {system.name} / {review.title} ({review.get_status_display()}); "
        f"{workshop_summary}; {audit_summary}"
    )


def seed_audit(review: Review, owner) -> str:
    """Upload the synthetic loan dataset and start an audit of it (eager mode runs it when
    the demo transaction commits)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits import services as audit_services
    from audits.demo import synthetic_loans
    from audits.models import AuditRun

    if AuditRun.objects.filter(review=review).exists():
        return "audit already seeded"
    buffer = io.StringIO()
    synthetic_loans().to_csv(buffer, index=False)
    upload = SimpleUploadedFile(
        "loan_decisions_2026q3.csv", buffer.getvalue().encode(), content_type="text/csv"
    )
    dataset = audit_services.dataset_upload(
        actor=owner,
        organization=review.system.organization,
        upload=upload,
        name="Loan decisions 2026 Q3 (synthetic)",
    )
    run = audit_services.audit_start(
        actor=owner,
        review=review,
        dataset=dataset,
        y_true="repaid",
        y_score="score",
        threshold=0.7,
        sensitive=["age_band", "sex", "race_ethnicity"],
        reference={"race_ethnicity": "White", "age_band": "26-40"},
        bootstrap=1000,
        seed=7,
    )
    return f"audit #{run.pk} of {dataset.name} ({dataset.size_bytes // 1024} KiB)"


# (title, category, stakeholders, description, ratings as (severity, likelihood, scale) ×4)
DEMO_HARMS = [
    (
        "Thin-file applicants declined for lack of history",
        "opportunity-loss",
        ["Thin-file young applicants"],
        "Young people with little credit history score low whatever their ability to repay.",
        [(4, 4, 3), (4, 5, 3), (5, 4, 4), (4, 4, 3)],
    ),
    (
        "Higher rates quoted to some postcodes",
        "economic-loss",
        ["Applicants"],
        "Postcode acts as a proxy for ethnicity and raises the price of credit.",
        [(4, 3, 4), (3, 3, 4), (4, 4, 4), (4, 3, 3)],
    ),
    (
        "No explanation a declined applicant can act on",
        "loss-of-remedy",
        ["Rejected applicants", "The regulator"],
        "Adverse-action notices list generic reasons "
        "(FCRA §615(a)) that do not say what to change.",
        [(4, 4, 4), (3, 4, 4), (4, 5, 4), (4, 4, 4)],
    ),
    (
        "Loan officers rubber-stamp the recommendation",
        "liberty-loss",
        ["Loan officers"],
        "Automation bias: overrides fall and human review becomes a formality.",
        [(1, 3, 3), (2, 3, 3), (4, 3, 3), (5, 4, 3)],
    ),
    (
        "Spending data inferred from bank statements",
        "privacy-loss",
        ["Applicants"],
        "Open-banking features reveal health or religious spending.",
        [(3, 2, 3), (3, 3, 3), (4, 2, 3), (3, 2, 2)],
    ),
    (
        "Declines felt as a judgement of worth",
        "emotional-distress",
        ["Rejected applicants"],
        "A fast automated 'no' with no human contact is experienced as humiliating.",
        [(2, 3, 3), (3, 3, 3), (2, 4, 3), (3, 3, 3)],
    ),
    (
        "Applicants nudged to larger loans",
        "manipulation",
        ["Applicants"],
        "The offer screen defaults to the maximum amount the model allows.",
        [(3, 3, 3), (3, 2, 3), (3, 3, 2), (2, 3, 3)],
    ),
    (
        "Women with career breaks scored as unstable",
        "stereotyping",
        ["Applicants", "Thin-file young applicants"],
        "Employment-gap features encode a stereotype about carers.",
        [(3, 3, 3), (4, 3, 3), (3, 4, 3), (3, 3, 3)],
    ),
    (
        "Declined households turn to payday lenders",
        "social-detriment",
        ["Rejected applicants"],
        "Exclusion pushes people towards costlier, predatory credit.",
        [(4, 2, 3), (4, 3, 3), (3, 3, 3), (4, 3, 3)],
    ),
    (
        "Debt stress and missed medication",
        "physical-injury",
        ["Applicants"],
        "Unaffordable loans approved in error lead to stress-related illness.",
        [(4, 1, 2), (3, 2, 2), (4, 2, 2), (3, 1, 2)],
    ),
    (
        "Retraining runs on high-carbon compute nightly",
        "environmental-impact",
        ["Builders"],
        "Nightly full retraining without need.",
        [(1, 2, 1), (2, 2, 1), (1, 3, 1), (1, 2, 1)],
    ),
]
DEMO_STAKEHOLDERS = [
    ("Applicants", StakeholderKind.DIRECT, "People applying for a personal loan.", False),
    ("Rejected applicants", StakeholderKind.DIRECT, "Declined applicants, owed a reason.", True),
    (
        "Thin-file young applicants",
        StakeholderKind.EXCLUDED,
        "18-25 year olds with little credit history.",
        True,
    ),
    ("Loan officers", StakeholderKind.INDIRECT, "Review and may override recommendations.", False),
    ("The regulator", StakeholderKind.INDIRECT, "Supervises fair lending.", False),
    ("Builders", StakeholderKind.BUILDER, "The data science team.", False),
]


def seed_workshop(review: Review, users: dict) -> str:
    from .workshops import services as ws
    from .workshops.models import (
        Comparator,
        Disposition,
        GateAction,
        HarmCategory,
        MitigationStatus,
        Workshop,
        WorkshopFormat,
        WorkshopStatus,
    )

    title = "Loan model harms workshop"
    existing = Workshop.objects.filter(review=review, title=title).first()
    if existing is not None:
        return (
            f"workshop '{title}' ({existing.get_status_display()}, {existing.harms.count()} harms)"
        )
    facilitator = users["facilitator"]
    workshop = ws.workshop_create(
        actor=facilitator,
        review=review,
        title=title,
        format=WorkshopFormat.HARMS_MODELING,
        scheduled_at=timezone.now() - datetime.timedelta(days=2),
        votes_per_participant=5,
    )
    workshop = ws.workshop_set_status(
        actor=facilitator, workshop=workshop, status=WorkshopStatus.OPEN
    )
    invitation = ws.invitation_create(
        actor=facilitator,
        workshop=workshop,
        label="Youth credit advocacy group",
        represents_community="Thin-file young applicants",
    )
    User = get_user_model()
    amara = User.objects.filter(username="amara").first()
    if amara is None:
        amara = ws.guest_signup_and_accept(
            token=invitation.token, username="amara", password=DEMO_PASSWORD, name="Amara"
        )
    raters = [facilitator, users["reviewer"], users["participant"], amara]
    for rater in raters[1:3]:
        ws.workshop_join(actor=rater, workshop=workshop)
    stakeholders = {
        name: ws.stakeholder_create(
            actor=facilitator,
            review=review,
            name=name,
            kind=kind,
            description=desc,
            vulnerable=vulnerable,
            workshop=workshop,
        )
        for name, kind, desc, vulnerable in DEMO_STAKEHOLDERS
    }
    categories = {c.slug: c for c in HarmCategory.objects.all()}
    harms = {}
    for i, (harm_title, slug, names, desc, ratings) in enumerate(DEMO_HARMS):
        author = raters[i % len(raters)]
        harm = ws.harm_create(
            actor=author,
            review=review,
            workshop=workshop,
            title=harm_title,
            category=categories[slug],
            description=desc,
            stakeholders=[stakeholders[n] for n in names],
        )
        harms[harm_title] = harm
        for rater, (sev, lik, scale) in zip(raters, ratings, strict=True):
            ws.rating_set(actor=rater, harm=harm, severity=sev, likelihood=lik, scale=scale)
    votes = {
        "Thin-file applicants declined for lack of history": [0, 1, 2, 3, 3],
        "No explanation a declined applicant can act on": [0, 1, 2, 3],
        "Loan officers rubber-stamp the recommendation": [1, 2],
    }
    for harm_title, voters in votes.items():
        for index in voters:
            ws.vote_add(actor=raters[index], harm=harms[harm_title])
    owner = users["demo"]
    mitigations = [
        (
            "Thin-file applicants declined for lack of history",
            "Add rent and utility payment history as an alternative data source; audit approval "
            "rates for 18-25s before launch.",
            users["reviewer"],
            14,
            Disposition.ACT,
        ),
        (
            "No explanation a declined applicant can act on",
            "Generate specific, actionable principal reasons from the model's top features for "
            "every adverse-action notice.",
            facilitator,
            21,
            Disposition.ACT,
        ),
        (
            "Higher rates quoted to some postcodes",
            "Remove postcode from pricing features; monitor rate spread by region monthly.",
            owner,
            30,
            Disposition.INFLUENCE,
        ),
        (
            "Declined households turn to payday lenders",
            "Refer every declined applicant to free debt advice and a credit-builder product.",
            owner,
            30,
            Disposition.INFLUENCE,
        ),
        (
            "Loan officers rubber-stamp the recommendation",
            "Track override rates per officer; require a written reason for every accept.",
            users["reviewer"],
            45,
            Disposition.MONITOR,
        ),
    ]
    for harm_title, action, who, days, disposition in mitigations:
        ws.mitigation_create(
            actor=owner,
            harm=harms[harm_title],
            action=action,
            owner=who,
            due_date=datetime.date.today() + datetime.timedelta(days=days),
            status=MitigationStatus.PLANNED,
            disposition=disposition,
        )
    ws.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="race_ethnicity",
        comparator=Comparator.GTE,
        threshold=0.8,
        action=GateAction.BLOCK_LAUNCH,
        description="Four-fifths rule on approval rates across race/ethnicity.",
        harm=harms["Higher rates quoted to some postcodes"],
    )
    ws.launch_gate_create(
        actor=owner,
        review=review,
        metric="equal_opportunity_difference",
        sensitive_feature="age_band",
        comparator=Comparator.LTE,
        threshold=0.1,
        action=GateAction.HUMAN_REVIEW,
        description="Creditworthy applicants of every age band are approved at similar rates.",
        harm=harms["Thin-file applicants declined for lack of history"],
    )
    ws.workshop_set_round(actor=facilitator, workshop=workshop, number=4)
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status=WorkshopStatus.CLOSED)
    return f"workshop '{title}' (Closed, {len(harms)} harms, 4 raters)"
