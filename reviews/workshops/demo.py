"""Demo workshop: stakeholders, harm cards rated by four people (one a community guest),
dot-votes and mitigations (see orgs/demo.py for how the apps' demo seeds compose)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from orgs.demo import DEMO_PASSWORD, Demo
from reviews.harms import services as harms
from reviews.harms.models import Disposition, HarmCategory, MitigationStatus, StakeholderKind

from . import services as ws
from .models import Workshop, WorkshopFormat, WorkshopStatus

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


def seed(demo: Demo) -> None:
    review = demo.made["review"]
    users = demo.users
    title = "Loan model harms workshop"
    existing = Workshop.objects.filter(review=review, title=title).first()
    if existing is not None:
        demo.made["harms"] = {c.harm.title: c.harm for c in existing.cards.select_related("harm")}
        demo.summary.append(f"workshop '{title}' ({existing.get_status_display()})")
        return
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
        name: ws.stakeholder_add(
            actor=facilitator,
            workshop=workshop,
            name=name,
            kind=kind,
            description=desc,
            vulnerable=vulnerable,
        )
        for name, kind, desc, vulnerable in DEMO_STAKEHOLDERS
    }
    categories = {c.slug: c for c in HarmCategory.objects.all()}
    cards = {}
    for i, (harm_title, slug, names, desc, ratings) in enumerate(DEMO_HARMS):
        author = raters[i % len(raters)]
        harm = ws.card_add(
            actor=author,
            workshop=workshop,
            title=harm_title,
            category=categories[slug],
            description=desc,
            stakeholders=[stakeholders[n] for n in names],
        )
        cards[harm_title] = harm
        for rater, (sev, lik, scale) in zip(raters, ratings, strict=True):
            ws.card_rate(
                actor=rater, workshop=workshop, harm=harm, severity=sev, likelihood=lik, scale=scale
            )
    votes = {
        "Thin-file applicants declined for lack of history": [0, 1, 2, 3, 3],
        "No explanation a declined applicant can act on": [0, 1, 2, 3],
        "Loan officers rubber-stamp the recommendation": [1, 2],
    }
    for harm_title, voters in votes.items():
        for index in voters:
            ws.card_vote(actor=raters[index], workshop=workshop, harm=cards[harm_title])
    owner = demo.owner
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
        harms.mitigation_create(
            actor=owner,
            harm=cards[harm_title],
            action=action,
            owner=who,
            due_date=datetime.date.today() + datetime.timedelta(days=days),
            status=MitigationStatus.PLANNED,
            disposition=disposition,
        )
    ws.workshop_set_round(actor=facilitator, workshop=workshop, number=4)
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status=WorkshopStatus.CLOSED)
    demo.made["harms"] = cards
    demo.summary.append(f"workshop '{title}' (Closed, {len(cards)} harms, 4 raters)")
