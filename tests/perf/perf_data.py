"""Fillers and ceilings for the apps present when the walk was written: systems, reviews,
harms (with ratings, votes, mitigations), workshops (cards, seats, consequences), audits
(datasets, runs with results), the event log and notices."""

from __future__ import annotations

import datetime

from django.utils import timezone

from audits.models import AuditRun, Dataset, GateVerdict, LaunchGate, RunStatus
from orgs.ledger.chain import record
from orgs.models import Membership, Role
from reviews.harms.models import Stakeholder
from reviews.models import AISystem, Review, RiskAcceptance, RiskTarget
from reviews.workshops import services as ws_services
from reviews.workshops.models import Workshop, WorkshopParticipant
from tests.conftest import make_user

from . import fill
from .registry import CEILINGS, PAGE_MODELS, SKIP, World, filler

PAGE_MODELS.update({"audits/runs": AuditRun, "audits/datasets": Dataset})
# The review page shows every capability's summary (harms, workshops, audits, acceptances,
# compliance, feedback, model card, monitoring): constant in the data, 47 queries with the
# viewer's roles read once per request (orgs/access.py; 71 before).
CEILINGS["review_detail"] = 50
SKIP.update(
    {
        "audit_run_json": "a download of one result, not a list",
        "audit_run_status": "the run page's poll (measured with the run page)",
        "workshop_board_fragment": "the board's poll (tests/reviews/test_board_live.py)",
    }
)


@filler
def systems_and_reviews(world: World, n: int) -> None:
    for i in range(n):
        system = AISystem.objects.create(
            organization=world.organization,
            name=f"System {i}",
            domain="lending",
            purpose="Scores loans.",
            owner=world.owner,
        )
        Review.objects.create(
            organization=world.organization,
            system=system,
            title=f"Review {i}",
            system_version="1.0",
            lead=world.owner,
        )


@filler
def workshops(world: World, n: int) -> None:
    Workshop.objects.bulk_create(
        Workshop(
            organization=world.organization,
            review=world.review,
            title=f"Workshop {i}",
            facilitator=world.owner,
        )
        for i in range(n)
    )


@filler
def people(world: World, n: int) -> None:
    for i in range(n):
        user = make_user(f"p{world.organization.pk}x{len(world.extra)}x{i}")
        Membership.objects.create(organization=world.organization, user=user, role=Role.PARTICIPANT)
        WorkshopParticipant.objects.create(
            organization=world.organization,
            workshop=world.workshop,
            user=user,
            represents_community=f"Community {i}",
        )
        world.extra.setdefault("people", []).append(user)


@filler
def harms_and_cards(world: World, n: int) -> None:
    people_ = world.extra.get("people", [])[:3] + [world.owner]
    Stakeholder.objects.bulk_create(
        Stakeholder(
            organization=world.organization, review=world.review, name=f"Group {i}", kind="direct"
        )
        for i in range(n)
    )
    harms = fill.harms(world.review, n, author=world.owner)
    fill.ratings(harms, people_)
    fill.votes(harms, people_)
    fill.mitigations(harms, world.owner)
    fill.board(world.workshop, n, people_)
    fill.consequences(world.workshop, n, world.owner)


RESULT = {
    "rows": 100,
    "mode": "label",
    "warnings": [{"code": "small_group", "message": "Small group."}],
    "dimensions": [
        {
            "name": "race",
            "reference": "A",
            "groups": [],
            "summary": {"demographic_parity_ratio": {"value": 0.9, "ci": [0.8, 1.0]}},
            "impact_ratios": {"rows": [], "rate": "selection_rate"},
        }
    ],
    "padding": "x" * 50_000,  # results are large; a list must not read them
}


@filler
def audits(world: World, n: int) -> None:
    from audits.engine.trend import summary_of

    dataset = Dataset.objects.create(
        organization=world.organization,
        name=f"Predictions {n}",
        file="datasets/none.csv",
        format="csv",
        sha256="0" * 64,
        size_bytes=1,
        columns=["y", "pred", "race"],
    )
    gate = LaunchGate.objects.create(
        organization=world.organization,
        review=world.review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    now = timezone.now()
    runs = AuditRun.objects.bulk_create(
        AuditRun(
            organization=world.organization,
            review=world.review,
            dataset=dataset,
            config={"y_true": "y", "y_pred": "pred", "sensitive": ["race"]},
            status=RunStatus.SUCCEEDED,
            result=RESULT,
            summary=summary_of(RESULT),
            created_by=world.owner,
            finished_at=now,
        )
        for _ in range(n)
    )
    GateVerdict.objects.bulk_create(
        GateVerdict(organization=world.organization, run=r, gate=gate, verdict="pass", reason="ok")
        for r in runs
    )


@filler
def events(world: World, n: int) -> None:
    for i in range(n):
        record(
            organization_id=world.organization.pk,
            actor=world.owner,
            verb="update",
            object_type="reviews.review",
            object_id=world.review.pk,
            after={"title": f"Title {i}"},
        )


@filler
def invitations(world: World, n: int) -> None:
    for i in range(n):
        ws_services.invitation_create(
            actor=world.owner, workshop=world.workshop, label=f"Group {i}"
        )


@filler
def risk_acceptances(world: World, n: int) -> None:
    harms = fill.harms(world.review, n, author=world.owner, prefix="Accepted")
    RiskAcceptance.objects.bulk_create(
        RiskAcceptance(
            organization=world.organization,
            review=world.review,
            target_type=RiskTarget.HARM,
            target_id=h.pk,
            target_label=h.title,
            justification="Low exposure until launch.",
            expires_on=timezone.now().date() + datetime.timedelta(days=30),
            accepted_by=world.owner,
        )
        for h in harms
    )
