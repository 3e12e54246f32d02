"""Demo workshops, from data/demo_workshop.json (see orgs/demo.py for how the apps' demo
seeds compose): a harms-modeling workshop (stakeholders, harm cards rated by four people,
one a community guest, dot-votes and mitigations) and a consequence scan left open in its
negatives round, where one negative consequence has become a harm card."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from orgs.demo import DEMO_PASSWORD, Demo
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory, MitigationStatus

from . import services as ws
from .models import Workshop, WorkshopFormat, WorkshopStatus

DATA = Path(__file__).resolve().parent / "data" / "demo_workshop.json"
TITLE = "Loan model harms workshop"
SCAN = "Loan model consequence scan"


def seed(demo: Demo) -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    _seed_harms_workshop(demo, data)
    if not Workshop.objects.filter(review=demo.made["review"], title=SCAN).exists():
        _seed_scan(demo, data["consequences"])


def _seed_scan(demo: Demo, rows: list[dict[str, str]]) -> None:
    facilitator = demo.users["facilitator"]
    scan = ws.workshop_create(
        actor=facilitator,
        review=demo.made["review"],
        title=SCAN,
        format=WorkshopFormat.CONSEQUENCE_SCANNING,
    )
    ws.workshop_set_status(actor=facilitator, workshop=scan, status=WorkshopStatus.OPEN)
    ws.workshop_join(actor=demo.users["participant"], workshop=scan)
    authors = [demo.users["participant"], facilitator]
    cards = [
        ws.consequence_create(
            actor=authors[i % 2],
            workshop=scan,
            text=row["text"],
            intent=row["intent"],
            valence=row["valence"],
        )
        for i, row in enumerate(rows)
    ]
    for number, valence in ((2, "positive"), (3, "negative")):  # each sorted in its round
        ws.workshop_set_round(actor=facilitator, workshop=scan, number=number)
        for card, row in zip(cards, rows, strict=True):
            if card.valence == valence:
                ws.consequence_sort(
                    actor=facilitator, consequence=card, disposition=row["disposition"]
                )
    for card, row in zip(cards, rows, strict=True):
        if "harm_category" in row:
            category = HarmCategory.objects.get(slug=row["harm_category"])
            ws.consequence_to_harm(actor=facilitator, consequence=card, category=category)
    demo.summary.append(f"workshop '{SCAN}' (Open, round 3, a consequence made a harm card)")


def _seed_harms_workshop(demo: Demo, data: dict[str, Any]) -> None:
    review = demo.made["review"]
    users = demo.users
    existing = Workshop.objects.filter(review=review, title=TITLE).first()
    if existing is not None:
        demo.made["harms"] = {c.harm.title: c.harm for c in existing.cards.select_related("harm")}
        demo.summary.append(f"workshop '{TITLE}' ({existing.get_status_display()})")
        return
    facilitator = users["facilitator"]
    workshop = ws.workshop_create(
        actor=facilitator,
        review=review,
        title=TITLE,
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
    amara = get_user_model().objects.filter(username="amara").first()
    if amara is None:
        amara = ws.guest_signup_and_accept(
            token=invitation.token, username="amara", password=DEMO_PASSWORD, name="Amara"
        )
    raters = [facilitator, users["reviewer"], users["participant"], amara]
    for rater in raters[1:3]:
        ws.workshop_join(actor=rater, workshop=workshop)
    stakeholders = {
        row["name"]: ws.stakeholder_add(actor=facilitator, workshop=workshop, **row)
        for row in data["stakeholders"]
    }
    categories = {c.slug: c for c in HarmCategory.objects.all()}
    cards = {}
    for i, row in enumerate(data["harms"]):
        harm = ws.card_add(
            actor=raters[i % len(raters)],
            workshop=workshop,
            title=row["title"],
            category=categories[row["category"]],
            description=row["description"],
            stakeholders=[stakeholders[n] for n in row["stakeholders"]],
        )
        cards[harm.title] = harm
        for rater, (sev, lik, scale) in zip(raters, row["ratings"], strict=True):
            ws.card_rate(
                actor=rater, workshop=workshop, harm=harm, severity=sev, likelihood=lik, scale=scale
            )
    for title, voters in data["votes"].items():
        for index in voters:
            ws.card_vote(actor=raters[index], workshop=workshop, harm=cards[title])
    for row in data["mitigations"]:
        harms.mitigation_create(
            actor=demo.owner,
            harm=cards[row["harm"]],
            action=row["action"],
            owner=users[row["owner"]],
            due_date=datetime.date.today() + datetime.timedelta(days=row["due_in_days"]),
            status=MitigationStatus.PLANNED,
            disposition=row["disposition"],
        )
    ws.workshop_set_round(actor=facilitator, workshop=workshop, number=4)
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status=WorkshopStatus.CLOSED)
    demo.made["harms"] = cards
    demo.summary.append(f"workshop '{TITLE}' (Closed, {len(cards)} harms, 4 raters)")
