"""Shared actors and helpers.

Actors: ``owner``, ``facilitator``, ``reviewer``, ``participant``, ``viewer`` belong to one
organization (``org``); ``outsider`` owns another (``other_org``).
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from orgs import services as org_services
from orgs.members import services as member_services
from orgs.models import Membership, Organization, Role
from reviews import services
from reviews.models import Domain

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery-staple"


def require_service(ok: bool, what: str) -> None:
    """Skip locally when a service is missing; in CI a missing service is a failure."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} not available (set CI=true to make this a failure)")


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )


def make_org(owner, name: str = "Acme Lending", slug: str = "acme") -> Organization:
    return org_services.organization_create(actor=owner, name=name, slug=slug)


def add_member(org: Organization, user, role: str) -> Membership:
    owner = org.memberships.filter(role=Role.OWNER).first().user
    return member_services.membership_add(actor=owner, organization=org, user=user, role=role)


def make_system(org: Organization, actor, name: str = "Credit model"):
    return services.system_create(
        actor=actor, organization=org, name=name, domain=Domain.LENDING, purpose="Scores loans."
    )


def make_review(system, actor, title: str = "Pre-launch review"):
    return services.review_create(actor=actor, system=system, title=title, system_version="1.0")


@pytest.fixture
def owner(db):
    return make_user("olivia")


@pytest.fixture
def org(owner):
    return make_org(owner)


@pytest.fixture
def facilitator(org):
    user = make_user("fatima")
    add_member(org, user, Role.FACILITATOR)
    return user


@pytest.fixture
def reviewer(org):
    user = make_user("ravi")
    add_member(org, user, Role.REVIEWER)
    return user


@pytest.fixture
def participant(org):
    user = make_user("paula")
    add_member(org, user, Role.PARTICIPANT)
    return user


@pytest.fixture
def viewer(org):
    user = make_user("victor")
    add_member(org, user, Role.VIEWER)
    return user


@pytest.fixture
def outsider(db):
    user = make_user("oscar")
    make_org(user, name="Other Bank", slug="other")
    return user


@pytest.fixture
def other_org(outsider):
    return Organization.objects.get(slug="other")


@pytest.fixture
def system(org, owner):
    return make_system(org, owner)


@pytest.fixture
def review(system, owner):
    return make_review(system, owner)


@pytest.fixture
def client_as(db):
    """A page client logged in as the given user (a new client for each)."""
    from django.test import Client

    def login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at production strength costs ~0.3 s a user; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(org, owner, reviewer, participant, viewer, outsider, system, review):
    """One object of every API model in ``org``, so every detail route has a target."""
    from audits import services as audit_services
    from orgs import services as org_services
    from reviews import readiness
    from reviews.harms import services as harms
    from reviews.harms.models import HarmCategory
    from reviews.models import Decision, ReviewStatus
    from reviews.workshops import services as ws
    from reviews.workshops.models import WorkshopFormat

    workshop = ws.workshop_create(actor=owner, review=review, title="W")
    ws.workshop_set_status(actor=owner, workshop=workshop, status="open")
    ws.workshop_join(actor=participant, workshop=workshop)
    ws.invitation_create(actor=owner, workshop=workshop)
    member_services.member_invitation_create(actor=owner, organization=org, role=Role.VIEWER)
    stakeholder = harms.stakeholder_create(actor=owner, review=review, name="S", kind="direct")
    harm = ws.card_add(
        actor=participant,
        workshop=workshop,
        title="H",
        category=HarmCategory.objects.first(),
        stakeholders=[stakeholder],
    )
    ws.card_rate(actor=participant, workshop=workshop, harm=harm, severity=3, likelihood=3, scale=3)
    ws.card_vote(actor=participant, workshop=workshop, harm=harm)
    harms.mitigation_create(actor=owner, harm=harm, action="M", owner=owner)
    audit_services.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    scan = ws.workshop_create(
        actor=owner, review=review, title="C", format=WorkshopFormat.CONSEQUENCE_SCANNING
    )
    ws.workshop_set_status(actor=owner, workshop=scan, status="open")
    ws.consequence_create(
        actor=owner, workshop=scan, text="x", intent="intended", valence="positive"
    )
    # A high-risk harm without a mitigation, its risk accepted (so the review can go on).
    risky = harms.harm_create(
        actor=owner, review=review, title="High", category=HarmCategory.objects.first()
    )
    harms.rating_set(actor=owner, harm=risky, severity=5, likelihood=5, scale=5)
    services.risk_accept(
        actor=owner,
        review=review,
        target_type="harm",
        target_id=risky.pk,
        justification="Pilot only.",
        expires_on=readiness.default_expiry(),
    )
    from reviews.feedback import services as feedback

    channel = feedback.channel_create(
        actor=owner, review=review, title="F", system_description="S", purpose="P"
    )
    submission, _code = feedback.submission_create(channel=channel, text="T", language="en")
    theme = feedback.theme_create(actor=owner, review=review, name="Theme")
    feedback.reply_create(actor=owner, review=review, text="R", theme=theme)
    feedback.submission_triage(actor=owner, submission=submission, themes=[theme])
    # Compliance: a checklist with evidence on an item, and a control with evidence.
    from reviews.compliance import services as compliance
    from reviews.controls import services as controls
    from reviews.frameworks.models import Framework

    gdpr = Framework.objects.filter(urn="urn:forethought:framework:gdpr").latest("version")
    checklist = compliance.checklist_attach(actor=owner, review=review, framework=gdpr)
    compliance.evidence_add(
        actor=owner,
        assessment=checklist.assessments.first(),
        kind="url",
        url="https://example.org/dpia",
    )
    control = controls.control_create(actor=owner, organization=org, name="Human review")
    controls.control_evidence_add(actor=owner, control=control, url="https://example.org/sop")
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    org_services.event_log_verify(actor=owner, organization=org)
    from orgs.plumbing import idempotency

    record_id, _ = idempotency.begin(user_id=owner.pk, key="world", print_="p")
    idempotency.finish(record_id, idempotency.Answer(201, "application/json", "", b"{}"))
    run_small_audit(owner, review)
    from reviews.modelcards import services as modelcards

    modelcards.modelcard_create(actor=owner, system=system)
    from audits.dossiers.models import Dossier, DossierStatus

    # A finished export without a file: its routes answer, its download is a 404.
    Dossier.objects.create(
        organization=org, review=review, number=1, status=DossierStatus.READY, exported_by=owner
    )
    from tests.monitoring.world import add_monitoring

    add_monitoring(owner, system)
    return org


def small_csv(rows: int = 400, seed: int = 1) -> bytes:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male"], rows),
            "race": rng.choice(["A", "B"], rows),
            "y": rng.integers(0, 2, rows),
        }
    )
    frame["score"] = np.round(rng.random(rows) * 0.5 + 0.3 * (frame["sex"] == "male"), 3)
    return frame.to_csv(index=False).encode()


def run_small_audit(owner, review, **overrides):
    """Upload a small CSV and run an audit of it in this process (as a worker would)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from audits import services as audits
    from audits.engine.config import AuditConfig

    dataset = audits.dataset_upload(
        actor=owner,
        organization=review.organization,
        upload=SimpleUploadedFile("small.csv", small_csv()),
        name="small.csv",
    )
    options = dict(
        y_true="y", y_score="score", threshold=0.5, sensitive=("sex", "race"), bootstrap=50
    )
    options.update(overrides)
    config = AuditConfig.from_dict(options)
    run = audits.audit_start(actor=owner, review=review, dataset=dataset, config=config)
    claimed = audits.audit_claim(run.pk, "test-worker")
    if claimed == "done":  # a transactional test: the eager task ran on commit
        run.refresh_from_db()
        return run
    assert claimed == "claimed"
    return audits.audit_execute(run_id=run.pk)
