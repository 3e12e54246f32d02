"""The access policy, acted out: every action of ``orgs.access.POLICY`` tried by every kind
of person, once through its service and once through the API.

How the expected answer is derived (from the policy itself, never from a copied table):

1. Each person stands in the organization ``acme`` as ``STANDING`` says.
2. Each case names the object the service asks the policy about (its ``target``), and
   ``RELATIONS`` says, from the way the fixture below is built, who holds which relation
   to that object. ``test_it_builds_the_relations_the_table_assumes`` checks that account
   against the database.
3. A person is expected to be allowed iff some grant of the action names their standing
   and either needs no relation or they hold it to the target. An action without grants
   is done only on behalf of another (``access.DELEGATES``): called directly it is refused
   to everyone, and ``VIA`` does it through the delegating action instead.

The fixture, built once for the module (each case runs in a transaction that is rolled
back, so every case starts from the same state):

* ``acme``: olivia owner, fatima facilitator, ravi reviewer, paula participant, victor
  viewer; gina, a guest who joined through invitation links to W and C; gus, a guest who
  joined through a link to W2 only.
* oscar owns another organization. He used to be a participant of acme and still holds
  his old seats in W and C: a seat without a standing must grant nothing.
* W (harms modeling) and C (consequence scanning) are open and facilitated by ravi. Seated
  in both: olivia, fatima, paula, ravi, victor (through a link: a seat grants a viewer
  nothing either), gina, and oscar's left-over seat. W2 is facilitated by fatima; gus
  sits only there.
* The rows of "own" grants (a membership, notice, rating and vote) are gina's, so the
  guest's own-row grants are exercised and every other reader is refused them.

Through the service, refused means ``PermissionDenied`` (for a read: the target is not in
the scoped queryset). When an action names a person (a system's owner, a review's lead),
the owner acts and the person named is the one asked about; a refusal is then a
``ServiceError`` on that field (400 in the API). Through the API, allowed is 2xx; refused
is 401/403 for anonymous, 403 when the caller's role allows the route's action in none of
their organizations (``PolicyPermission`` refuses before any lookup), 404 when they cannot
read the object in the URL, 400 when they cannot see an object named in the body (a scoped
related field answers "does not exist"), else 403.

Anonymous people hold no grant: accepting an invitation needs an account, so the service
refuses them, and the link's page signs a newcomer up before accepting (tested apart, in
test_it_signs_a_newcomer_up_before_accepting). Every /api/ route needs a login, so the API
answers them 401/403.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import override_settings
from django.urls import resolve

from audits import selectors as audit_selectors
from audits import services as audits
from audits.dossiers import selectors as dossier_selectors
from audits.dossiers import services as dossiers
from audits.dossiers.models import Dossier, DossierStatus
from audits.engine.config import AuditConfig
from audits.incidents import escalation as monitoring_escalation
from audits.incidents import selectors as incident_selectors
from audits.models import Dataset, GateVerdict, LaunchGate, Verdict
from audits.monitoring import selectors as monitoring_selectors
from audits.monitoring import services as monitoring
from orgs import access
from orgs import selectors as org_selectors
from orgs import services as org_services
from orgs.ledger.models import Event
from orgs.members import selectors as member_selectors
from orgs.members import services as member_services
from orgs.models import Membership, Organization, Role
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import selectors as review_selectors
from reviews import services as reviews
from reviews.compliance import selectors as compliance_selectors
from reviews.compliance import services as compliance
from reviews.controls import selectors as control_selectors
from reviews.controls import services as controls
from reviews.feedback import selectors as feedback_selectors
from reviews.feedback import services as feedback
from reviews.frameworks.models import Framework, Requirement
from reviews.harms import selectors as harm_selectors
from reviews.harms import services as harms
from reviews.harms.models import Harm, HarmCategory, HarmSource, Vote
from reviews.modelcards import selectors as modelcard_selectors
from reviews.modelcards import services as modelcards
from reviews.models import Decision, ReviewStatus
from reviews.workshops import selectors as workshop_selectors
from reviews.workshops import services as ws
from reviews.workshops.models import BoardCard, WorkshopFormat, WorkshopParticipant
from tests.conftest import (
    PASSWORD,
    add_member,
    api_as,
    make_org,
    make_review,
    make_system,
    make_user,
)
from tests.dossiers.pdfs import tiny_countersigned, tiny_signed

# --- Who is who --------------------------------------------------------------------------

ACTORS = (
    "owner",
    "facilitator",
    "reviewer",
    "participant",
    "viewer",
    "guest",
    "guest_elsewhere",
    "outsider",
    "anonymous",
)
STANDING = {
    "owner": access.OWNER,
    "facilitator": access.FACILITATOR,
    "reviewer": access.REVIEWER,
    "participant": access.PARTICIPANT,
    "viewer": access.VIEWER,
    "guest": access.GUEST,
    "guest_elsewhere": access.GUEST,
    "outsider": access.OUTSIDER,
    "anonymous": access.ANONYMOUS,
}
# The roles each person holds in any organization: the API's first check asks whether the
# route's action is allowed to one of them anywhere. The outsider owns his own organization.
HOME_ROLES = {actor: {STANDING[actor]} for actor in ACTORS} | {
    "outsider": {access.OWNER},
    "anonymous": set(),
}
USERNAMES = {
    "owner": "olivia",
    "facilitator": "fatima",
    "reviewer": "ravi",
    "participant": "paula",
    "viewer": "victor",
    "guest": "gina",
    "guest_elsewhere": "gus",
    "outsider": "oscar",
}

SEATED = frozenset(
    {"owner", "facilitator", "reviewer", "participant", "viewer", "guest", "outsider"}
)
# Fixture object → relation → the people who hold it (see the module docstring). Objects
# not listed here hold no relation to anyone (their models have no ``access_paths``).
RELATIONS: dict[str, dict[str, frozenset[str]]] = {
    "workshop": {"seated": SEATED, "facilitates": frozenset({"reviewer"})},
    "scan": {"seated": SEATED, "facilitates": frozenset({"reviewer"})},
    "other_workshop": {
        "seated": frozenset({"facilitator", "guest_elsewhere"}),
        "facilitates": frozenset({"facilitator"}),
    },
    "invitation": {"facilitates": frozenset({"reviewer"})},
    "seat": {"seated": SEATED, "own": frozenset({"participant"})},
    "consequence": {"seated": SEATED},
    "guest_membership": {"own": frozenset({"guest"})},
    "guest_notice": {"own": frozenset({"guest"})},
    "guest_rating": {"own": frozenset({"guest"})},
    "guest_vote": {"own": frozenset({"guest"})},
}


def holds(actor: str, relation: str, key: str) -> bool:
    return actor in RELATIONS.get(key, {}).get(relation, frozenset())


def org_setting(name: str) -> list[str]:
    """A role list of acme's settings: acme keeps every default."""
    if name in access.SETTINGS:  # kept by a higher app; no organization 0 chose anything
        return access.SETTINGS[name](0)
    return list(Organization._meta.get_field(name).get_default())


def allowed(action: str, actor: str, key: str) -> bool:
    """What the policy says, worked out from its grants, acme's settings and the fixture's
    relations."""
    return any(
        STANDING[actor] in grant.roles
        and (grant.setting is None or STANDING[actor] in org_setting(grant.setting))
        and (grant.relation is None or holds(actor, grant.relation, key))
        for grant in access.POLICY[action][1]
    )


# --- The fixture -------------------------------------------------------------------------

CATEGORY = "opportunity-loss"
AUDIT = {"y_true": "y", "y_score": "score", "threshold": 0.5, "sensitive": ["sex"]}
GATE = {"metric": "demographic_parity_ratio", "comparator": ">=", "threshold": 0.8}
MONITOR = {"y_true": "y", "y_pred": "p", "sensitive": ["sex"]}
COUNTS = [
    {"groups": {"sex": s}, "label": y, "prediction": p, "count": 10}
    for s in ("f", "m")
    for y in (0, 1)
    for p in (0, 1)
]
HOOK = "https://hooks.example.org/forethought"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCEPT_UNTIL = datetime.date.today() + datetime.timedelta(days=30)


@dataclass
class World:
    people: dict[str, Any]
    rows: dict[str, tuple[type[models.Model], int]]
    tokens: dict[str, str]

    def user(self, actor: str) -> Any:
        return self.people.get(actor) or AnonymousUser()

    def obj(self, key: str) -> Any:
        """A fresh copy each time: a case may change the row (and is then rolled back)."""
        model, pk = self.rows[key]
        return model._default_manager.get(pk=pk)

    def pk(self, key: str) -> int:
        return self.rows[key][1]

    def model(self, key: str) -> type[models.Model]:
        return self.rows[key][0]


TEST_FRAMEWORK = "urn:forethought:framework:access-test"


def make_test_framework(version: int) -> Framework:
    framework = Framework.objects.create(
        urn=TEST_FRAMEWORK,
        version=version,
        name="Access test framework",
        provider="Tests",
        published=datetime.date(2026, 1, 1),
        licence="CC0",
        file="test.yaml",
    )
    for order, local in enumerate("ab"):
        Requirement.objects.create(
            framework=framework,
            urn=f"urn:forethought:req:access-test:{local}",
            local_id=local,
            ref=f"§{local}",
            name=f"Item {local}",
            text=f"Requirement {local} v{version}.",
            order=order,
        )
    return framework


def ai_act() -> Framework:
    return Framework.objects.filter(urn="urn:forethought:framework:eu-ai-act").latest("version")


def build_world() -> World:
    people = {actor: make_user(name) for actor, name in USERNAMES.items()}
    owner = people["owner"]
    acme = make_org(owner)
    for actor in ("facilitator", "reviewer", "participant", "viewer"):
        add_member(acme, people[actor], STANDING[actor])
    make_org(people["outsider"], name="Other Bank", slug="other")
    add_member(acme, people["outsider"], Role.PARTICIPANT)  # until he leaves, below

    system = make_system(acme, owner)
    bare_system = make_system(acme, owner, name="Fraud model")
    review = make_review(system, owner)

    def workshop(title: str, facilitator: Any, **kw: Any) -> Any:
        w = ws.workshop_create(
            actor=owner, review=review, title=title, facilitator=facilitator, **kw
        )
        return ws.workshop_set_status(actor=owner, workshop=w, status="open")

    w = workshop("W", people["reviewer"])
    scan = workshop("C", people["reviewer"], format=WorkshopFormat.CONSEQUENCE_SCANNING)
    w2 = workshop("W2", people["facilitator"])
    invitation = ws.invitation_create(actor=owner, workshop=w)
    for room, link in ((w, invitation), (scan, ws.invitation_create(actor=owner, workshop=scan))):
        for actor in ("owner", "facilitator", "participant", "outsider"):
            ws.workshop_join(actor=people[actor], workshop=room)
        for actor in ("viewer", "guest"):
            ws.invitation_accept(user=people[actor], token=link.token)
    ws.invitation_accept(
        user=people["guest_elsewhere"], token=ws.invitation_create(actor=owner, workshop=w2).token
    )
    member_services.membership_delete(
        actor=owner, membership=Membership.objects.get(organization=acme, user=people["outsider"])
    )

    category = HarmCategory.objects.get(slug=CATEGORY)
    stakeholder = harms.stakeholder_create(
        actor=owner, review=review, name="Applicants", kind="direct"
    )
    harm = harms.harm_create(actor=owner, review=review, title="Thin files", category=category)
    mitigation = harms.mitigation_create(actor=owner, harm=harm, action="Manual look", owner=owner)
    card = ws.card_add(actor=people["participant"], workshop=w, title="Card", category=category)
    guest_rating, _ = ws.card_rate(
        actor=people["guest"], workshop=w, harm=card, severity=3, likelihood=3, scale=3
    )
    guest_vote = ws.card_vote(actor=people["guest"], workshop=w, harm=card)
    consequence = ws.consequence_create(
        actor=people["participant"],
        workshop=scan,
        text="x",
        intent="unintended",
        valence="negative",
    )
    member_invitation, token = member_services.member_invitation_create(
        actor=owner, organization=acme, role=Role.VIEWER
    )
    notice = org_services.notice_send(
        user=people["guest"], organization_id=acme.pk, message="Hello", url="/"
    )

    # One review in each state a transition starts from.
    def review_in(status: str) -> Any:
        r = make_review(system, owner, title=f"Review ({status})")
        if status == ReviewStatus.DRAFT:
            return r
        r = reviews.review_transition(actor=owner, review=r, to=ReviewStatus.IN_REVIEW)
        if status == ReviewStatus.REJECTED:
            return reviews.review_transition(actor=owner, review=r, to=status, comment="No")
        if status in ("signed", ReviewStatus.APPROVED):
            for signer in ("owner", "reviewer"):
                reviews.signoff_create(actor=people[signer], review=r, decision=Decision.APPROVE)
        if status == ReviewStatus.APPROVED:
            return reviews.review_transition(actor=owner, review=r, to=status)
        return r

    draft_review = review_in(ReviewStatus.DRAFT)
    # A draft blocked by two high-risk harms without a mitigation; one's risk is accepted.
    risky_review = make_review(system, owner, title="Risky")
    risky = {}
    for title in ("Redlining", "Proxy"):
        risky[title] = harms.harm_create(
            actor=owner, review=risky_review, title=title, category=category
        )
        harms.rating_set(actor=owner, harm=risky[title], severity=5, likelihood=5, scale=5)
    acceptance = reviews.risk_accept(
        actor=owner,
        review=risky_review,
        target_type="harm",
        target_id=risky["Proxy"].pk,
        justification="Pilot with manual review.",
        expires_on=ACCEPT_UNTIL,
    )
    open_review = review_in(ReviewStatus.IN_REVIEW)
    signed_review = review_in("signed")
    rejected_review = review_in(ReviewStatus.REJECTED)
    approved_review = review_in(ReviewStatus.APPROVED)

    # The stored file is never opened: starting an audit only queues it.
    dataset = Dataset.objects.create(
        organization=acme,
        name="small.csv",
        file="datasets/small.csv",
        format="csv",
        sha256="0" * 64,
        size_bytes=100,
        columns=["sex", "race", "y", "score"],
        uploaded_by=owner,
    )
    gate = audits.launch_gate_create(actor=owner, review=review, action="block_launch", **GATE)
    run = audits.audit_start(
        actor=owner, review=review, dataset=dataset, config=AuditConfig.from_dict(AUDIT)
    )
    verdict = GateVerdict.objects.create(
        organization=acme, run=run, gate=gate, verdict=Verdict.PASS, reason="Fine."
    )
    # A monitor of the approved review (its gate set before approval, as in life).
    watched = LaunchGate.objects.create(
        organization=acme, review=approved_review, action="rollback", **GATE
    )
    monitor = monitoring.monitor_create(
        actor=owner,
        review=approved_review,
        name="Production",
        config=AuditConfig.from_dict(MONITOR),
        gates=[watched],
    )
    incident = monitoring_escalation.incident_create(actor=owner, review=review, title="Complaint")
    webhook = monitoring_escalation.webhook_create(actor=owner, monitor=monitor, url=HOOK)

    channel = feedback.channel_create(
        actor=owner, review=review, title="Tell us", system_description="S", purpose="P"
    )
    submission, _code = feedback.submission_create(
        channel=channel, text="Refused", language="en", email="s@example.org", consent_contact=True
    )
    feedback_theme = feedback.theme_create(actor=owner, review=review, name="Refusals")
    feedback_reply = feedback.reply_create(
        actor=owner, review=review, text="Thanks", submission=submission
    )
    model_card = modelcards.modelcard_create(actor=owner, system=system)
    # Compliance: a checklist of a small test framework (v1, with a v2 to upgrade to), an
    # assessed item, a linked piece of evidence and a control with its own evidence.
    old, new = make_test_framework(1), make_test_framework(2)
    checklist = compliance.checklist_attach(actor=owner, review=review, framework=old)
    assessment = checklist.assessments.get(requirement__local_id="a")
    done = checklist.assessments.get(requirement__local_id="b")
    compliance.assessment_update(actor=owner, assessment=done, status="met")
    evidence = compliance.evidence_add(
        actor=owner, assessment=assessment, kind="url", url="https://example.org/policy"
    )
    control = controls.control_create(
        actor=owner,
        organization=acme,
        name="Human review",
        requirements=[new.requirements.first().urn],
    )
    control_evidence = controls.control_evidence_add(
        actor=owner, control=control, url="https://example.org/procedure"
    )
    # A finished export (its file is saved again by the case that reads it: each test has
    # its own MEDIA_ROOT).
    dossier = Dossier.objects.create(
        organization=acme,
        review=review,
        number=1,
        status=DossierStatus.READY,
        exported_by=owner,
        sha256="0" * 64,
    )

    named = {
        "checklist": checklist,
        "assessment": assessment,
        "assessed_item": done,
        "evidence": evidence,
        "control": control,
        "control_evidence": control_evidence,
        "new_framework": new,
        "org": acme,
        "feedback_channel": channel,
        "submission": submission,
        "feedback_theme": feedback_theme,
        "feedback_reply": feedback_reply,
        "guest_membership": Membership.objects.get(organization=acme, user=people["guest"]),
        "member_invitation": member_invitation,
        "guest_notice": notice,
        "event": Event.objects.filter(organization=acme).order_by("seq").first(),
        "system": system,
        "bare_system": bare_system,
        "review": review,
        "draft_review": draft_review,
        "risky_review": risky_review,
        "risky_harm": risky["Redlining"],
        "acceptance": acceptance,
        "open_review": open_review,
        "signed_review": signed_review,
        "rejected_review": rejected_review,
        "approved_review": approved_review,
        "signoff": signed_review.signoffs.get(user=owner),
        "stakeholder": stakeholder,
        "harm": harm,
        "mitigation": mitigation,
        "card": card,
        "guest_rating": guest_rating,
        "guest_vote": guest_vote,
        "workshop": w,
        "scan": scan,
        "other_workshop": w2,
        "invitation": invitation,
        "seat": WorkshopParticipant.objects.get(workshop=w, user=people["participant"]),
        "consequence": consequence,
        "dataset": dataset,
        "audit_run": run,
        "launch_gate": gate,
        "verdict": verdict,
        "model_card": model_card,
        "card_draft": model_card.versions.get(number=1),
        "dossier": dossier,
        "monitor": monitor,
        "incident": incident,
        "webhook": webhook,
    }
    return World(
        people=people,
        rows={key: (type(row), row.pk) for key, row in named.items()},
        tokens={"member_invitation": token, "invitation": invitation.token},
    )


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    # Built once and rolled back at the end of the module; each test runs inside it.
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            world = build_world()
        yield world
        transaction.set_rollback(True)


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- Cases -------------------------------------------------------------------------------


@dataclass
class Ctx:
    """One try: the world, who is trying, and what the case's ``prepare`` made for them."""

    world: World
    actor: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> Any:
        return self.world.user(self.actor)

    @property
    def owner(self) -> Any:
        return self.world.user("owner")

    def obj(self, key: str) -> Any:
        return self.world.obj(key)

    def pk(self, key: str) -> int:
        return self.world.pk(key)


@dataclass(frozen=True)
class Call:
    """An API request; ``url_object`` and ``body_objects`` are the fixture objects it
    names (by key), which decide between 404, 400 and 403 when it is refused."""

    method: str
    url: str
    data: dict[str, Any] | None = None
    url_object: str | None = None
    body_objects: tuple[str, ...] = ()
    format: str = "json"


@dataclass(frozen=True)
class StateRule:
    """People the policy allows whom a state rule stops all the same (HTTP 409), and the
    words it says it with. Used only where no fixture state can avoid the rule."""

    actors: frozenset[str]
    says: str


@dataclass(frozen=True)
class Case:
    target: str  # the fixture object the service asks the policy about
    run: Callable[[Ctx], Any]  # does the action through its service (or reads)
    api: Callable[[Ctx], Call] | None = None
    no_api: str = ""  # why there is no API request
    read: bool = False  # ``run`` answers whether the scoped read holds the target
    prepare: Callable[[Ctx], dict[str, Any]] | None = None
    names: str = ""  # the action is about the person named in this field
    state_rule: StateRule | None = None


Data = Callable[[Ctx], dict[str, Any]]


def read(key: str, selector: Callable[[Any], Any], route: str = "", no_api: str = "") -> Case:
    """The selector's queryset holds the target; the API's detail route answers 200."""
    return Case(
        key,
        read=True,
        run=lambda c: selector(c.user).filter(pk=c.pk(key)).exists(),
        api=(lambda c: Call("get", f"/api/{route}/{c.pk(key)}/", url_object=key))
        if route
        else None,
        no_api=no_api,
    )


def change(
    key: str,
    run: Callable[[Ctx], Any],
    route: str,
    data: dict[str, Any] | None = None,
    *,
    method: str = "patch",
    then: str = "",
    target: str = "",
) -> Case:
    """A write on the object in the URL (``then``: the path of a custom action)."""
    return Case(
        target or key,
        run=run,
        api=lambda c: Call(method, f"/api/{route}/{c.pk(key)}/{then}", data, url_object=key),
    )


def delete(key: str, run: Callable[[Ctx], Any], route: str) -> Case:
    return change(key, run, route, method="delete")


def create(
    target: str, run: Callable[[Ctx], Any], route: str, data: Data, *, fmt: str = "json"
) -> Case:
    """A write that names the target in its body (a new row's organization, review...)."""
    return Case(
        target,
        run=run,
        api=lambda c: Call("post", f"/api/{route}/", data(c), body_objects=(target,), format=fmt),
    )


def transition(key: str, to: str, comment: str = "") -> Case:
    return change(
        key,
        lambda c: reviews.review_transition(
            actor=c.user, review=c.obj(key), to=to, comment=comment
        ),
        "reviews",
        {"to": to, "comment": comment},
        method="post",
        then="transition/",
    )


def naming(field: str, key: str, run: Callable[[Ctx], Any], route: str) -> Case:
    """The owner names the person trying as ``field`` of ``key``; the policy is asked
    about that person in the organization."""
    return Case(
        "org",
        names=field,
        run=run,
        api=lambda c: Call(
            "patch", f"/api/{route}/{c.pk(key)}/", {field: c.user.username}, url_object=key
        ),
    )


def on_board(
    run: Callable[[Ctx], Any],
    then: Callable[[Ctx], str],
    data: Data,
    *,
    method: str = "post",
    prepare: Callable[[Ctx], dict[str, Any]] | None = None,
) -> Case:
    """Done on W through the workshops service and the workshop's own route."""
    return Case(
        "workshop",
        run=run,
        prepare=prepare,
        api=lambda c: Call(
            method, f"/api/workshops/{c.pk('workshop')}/{then(c)}", data(c), url_object="workshop"
        ),
    )


def csv_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("small.csv", b"sex,y,score\nf,1,0.4\nm,0,0.7\n")


def category() -> HarmCategory:
    return HarmCategory.objects.get(slug=CATEGORY)


def accept_member_invitation(c: Ctx) -> Any:
    return member_services.member_invitation_accept(
        user=c.user, token=c.world.tokens["member_invitation"]
    )


def accept_workshop_invitation(c: Ctx) -> Any:
    return ws.invitation_accept(user=c.user, token=c.world.tokens["invitation"])


def _stored_dossier(c: Ctx) -> dict[str, Any]:
    """The fixture's export with its signed file in this test's storage."""
    dossier = c.obj("dossier")
    dossier.file.save("dossier-1.pdf", ContentFile(tiny_signed()), save=True)
    return {}


def own_vote(c: Ctx) -> dict[str, Any]:
    """The caller's own dot on the card (gina's, for anonymous, who has none)."""
    if c.actor == "anonymous":
        return {"vote": c.obj("guest_vote")}
    card = c.obj("card")
    vote = Vote.objects.create(organization_id=card.organization_id, harm=card, user=c.user)
    return {"vote": vote}


def own_card(c: Ctx) -> dict[str, Any]:
    """A card the caller wrote on W (paula's, for anonymous, who writes none)."""
    if c.actor == "anonymous":
        return {"card": c.obj("card")}
    w = c.obj("workshop")
    harm = Harm.objects.create(
        organization_id=w.organization_id,
        review_id=w.review_id,
        title="My card",
        category=category(),
        author=c.user,
        source=HarmSource.WORKSHOP,
    )
    BoardCard.objects.create(organization_id=w.organization_id, workshop=w, harm=harm)
    return {"card": harm}


MEMBERS_ALREADY = frozenset(a for a in ACTORS if STANDING[a] in access.MEMBERS)
CONSEQUENCE = {"text": "Gaming", "intent": "unintended", "valence": "negative"}
RATING = {"severity": 4, "likelihood": 2, "scale": 3}
FEEDBACK_CHANNEL = {"title": "Patients", "system_description": "S", "purpose": "P"}

CASES: dict[str, Case] = {
    # Organizations and people
    "organization.read": read("org", org_selectors.organizations_for, "organizations"),
    "organization.update": change(
        "org",
        lambda c: org_services.organization_update(
            actor=c.user, organization=c.obj("org"), name="Acme Renamed"
        ),
        "organizations",
        {"name": "Acme Renamed"},
    ),
    "membership.read": read("guest_membership", member_selectors.memberships_for, "memberships"),
    "membership.update": change(
        "guest_membership",
        lambda c: member_services.membership_change_role(
            actor=c.user, membership=c.obj("guest_membership"), role=Role.VIEWER
        ),
        "memberships",
        {"role": Role.VIEWER},
    ),
    "membership.delete": delete(
        "guest_membership",
        lambda c: member_services.membership_delete(
            actor=c.user, membership=c.obj("guest_membership")
        ),
        "memberships",
    ),
    "member_invitation.read": read(
        "member_invitation", member_selectors.member_invitations_for, "member-invitations"
    ),
    "member_invitation.create": create(
        "org",
        lambda c: member_services.member_invitation_create(
            actor=c.user, organization=c.obj("org"), role=Role.VIEWER
        ),
        "member-invitations",
        lambda c: {"organization": c.pk("org"), "role": Role.VIEWER},
    ),
    # The service asks about the invitation's organization.
    "member_invitation.revoke": change(
        "member_invitation",
        lambda c: member_services.member_invitation_revoke(
            actor=c.user, invitation=c.obj("member_invitation")
        ),
        "member-invitations",
        method="post",
        then="revoke/",
        target="org",
    ),
    "member_invitation.accept": Case(
        "org",
        run=accept_member_invitation,
        api=lambda c: Call(
            "post",
            "/api/member-invitations/accept/",
            {"token": c.world.tokens["member_invitation"]},
        ),
        # A member cannot join their own organization again; no state changes that.
        state_rule=StateRule(MEMBERS_ALREADY, "already a member"),
    ),
    "notice.read": read(
        "guest_notice",
        org_selectors.notices_for,
        no_api="Notices are read on the notices page; the API has no notice route.",
    ),
    "event.read": read("event", org_selectors.events_for, "events"),
    "event.verify": create(
        "org",
        lambda c: org_services.event_log_verify(actor=c.user, organization=c.obj("org")),
        "event-verifications",
        lambda c: {"organization": c.pk("org")},
    ),
    # AI systems, reviews, sign-offs
    "system.read": read("system", review_selectors.systems_for, "systems"),
    "system.create": create(
        "org",
        lambda c: reviews.system_create(actor=c.user, organization=c.obj("org"), name="Churn"),
        "systems",
        lambda c: {"organization": c.pk("org"), "name": "Churn"},
    ),
    "system.update": change(
        "system",
        lambda c: reviews.system_update(actor=c.user, system=c.obj("system"), name="v2"),
        "systems",
        {"name": "v2"},
    ),
    "system.delete": delete(
        "bare_system",
        lambda c: reviews.system_delete(actor=c.user, system=c.obj("bare_system")),
        "systems",
    ),
    "system.own": naming(
        "owner",
        "system",
        lambda c: reviews.system_update(actor=c.owner, system=c.obj("system"), owner=c.user),
        "systems",
    ),
    "review.read": read("review", review_selectors.reviews_for, "reviews"),
    "review.create": create(
        "system",
        lambda c: reviews.review_create(actor=c.user, system=c.obj("system"), title="Again"),
        "reviews",
        lambda c: {"system": c.pk("system"), "title": "Again"},
    ),
    "review.update": change(
        "review",
        lambda c: reviews.review_update(actor=c.user, review=c.obj("review"), title="New"),
        "reviews",
        {"title": "New"},
    ),
    "review.delete": delete(
        "draft_review",
        lambda c: reviews.review_delete(actor=c.user, review=c.obj("draft_review")),
        "reviews",
    ),
    "review.lead": naming(
        "lead",
        "review",
        lambda c: reviews.review_update(actor=c.owner, review=c.obj("review"), lead=c.user),
        "reviews",
    ),
    "review.submit": transition("draft_review", ReviewStatus.IN_REVIEW),
    "review.withdraw": transition("open_review", ReviewStatus.DRAFT),
    "review.reopen": transition("rejected_review", ReviewStatus.DRAFT),
    "review.approve": transition("signed_review", ReviewStatus.APPROVED),
    "review.reject": transition("open_review", ReviewStatus.REJECTED, comment="Too risky."),
    "review.archive": transition("approved_review", ReviewStatus.ARCHIVED),
    "review.reopen_approved": transition("approved_review", ReviewStatus.IN_REVIEW),
    "risk.read": read("acceptance", review_selectors.acceptances_for, "risk-acceptances"),
    "risk.accept": create(
        "risky_review",
        lambda c: reviews.risk_accept(
            actor=c.user,
            review=c.obj("risky_review"),
            target_type="harm",
            target_id=c.pk("risky_harm"),
            justification="Pilot only.",
            expires_on=ACCEPT_UNTIL,
        ),
        "risk-acceptances",
        lambda c: {
            "review": c.pk("risky_review"),
            "target_type": "harm",
            "target_id": c.pk("risky_harm"),
            "justification": "Pilot only.",
            "expires_on": ACCEPT_UNTIL.isoformat(),
        },
    ),
    "risk.revoke": change(
        "acceptance",
        lambda c: reviews.risk_acceptance_revoke(actor=c.user, acceptance=c.obj("acceptance")),
        "risk-acceptances",
        method="post",
        then="revoke/",
    ),
    "signoff.read": read("signoff", review_selectors.signoffs_for, "signoffs"),
    "signoff.create": create(
        "open_review",
        lambda c: reviews.signoff_create(
            actor=c.user, review=c.obj("open_review"), decision=Decision.APPROVE
        ),
        "signoffs",
        lambda c: {"review": c.pk("open_review"), "decision": Decision.APPROVE},
    ),
    # Stakeholders, harms, ratings, votes, mitigations
    "stakeholder.read": read("stakeholder", harm_selectors.stakeholders_for, "stakeholders"),
    "stakeholder.create": create(
        "review",
        lambda c: harms.stakeholder_create(
            actor=c.user, review=c.obj("review"), name="Co-signers", kind="indirect"
        ),
        "stakeholders",
        lambda c: {"review": c.pk("review"), "name": "Co-signers", "kind": "indirect"},
    ),
    "stakeholder.update": change(
        "stakeholder",
        lambda c: harms.stakeholder_update(
            actor=c.user, stakeholder=c.obj("stakeholder"), name="All applicants"
        ),
        "stakeholders",
        {"name": "All applicants"},
    ),
    "stakeholder.delete": delete(
        "stakeholder",
        lambda c: harms.stakeholder_delete(actor=c.user, stakeholder=c.obj("stakeholder")),
        "stakeholders",
    ),
    "harm.read": read("harm", harm_selectors.harms_for, "harms"),
    "harm.create": create(
        "review",
        lambda c: harms.harm_create(
            actor=c.user, review=c.obj("review"), title="Debt spiral", category=category()
        ),
        "harms",
        lambda c: {"review": c.pk("review"), "title": "Debt spiral", "category": CATEGORY},
    ),
    "harm.update": change(
        "harm",
        lambda c: harms.harm_update(actor=c.user, harm=c.obj("harm"), title="Thinner"),
        "harms",
        {"title": "Thinner"},
    ),
    "harm.delete": delete(
        "harm", lambda c: harms.harm_delete(actor=c.user, harm=c.obj("harm")), "harms"
    ),
    "rating.read": read("guest_rating", harm_selectors.ratings_for, "ratings"),
    "rating.set": create(
        "harm",
        lambda c: harms.rating_set(actor=c.user, harm=c.obj("harm"), **RATING),
        "ratings",
        lambda c: {"harm": c.pk("harm"), **RATING},
    ),
    "vote.read": read("guest_vote", harm_selectors.votes_for, "votes"),
    "vote.create": Case(
        "card",
        run=lambda c: harms.vote_add(actor=c.user, harm=c.obj("card")),
        no_api="Dots are placed only in a workshop (VIA covers /api/workshops/{id}/vote/); "
        "/api/votes/ is read-only.",
    ),
    "vote.delete": Case(
        "card",
        prepare=own_vote,
        run=lambda c: harms.vote_remove(actor=c.user, vote=c.extra["vote"]),
        no_api="Dots are taken back only in a workshop (VIA covers "
        "/api/workshops/{id}/unvote/); /api/votes/ is read-only.",
    ),
    "mitigation.read": read("mitigation", harm_selectors.mitigations_for, "mitigations"),
    "mitigation.create": create(
        "harm",
        lambda c: harms.mitigation_create(
            actor=c.user, harm=c.obj("harm"), action="Second look", owner=c.owner
        ),
        "mitigations",
        lambda c: {"harm": c.pk("harm"), "action": "Second look", "owner": USERNAMES["owner"]},
    ),
    "mitigation.update": change(
        "mitigation",
        lambda c: harms.mitigation_update(
            actor=c.user, mitigation=c.obj("mitigation"), action="Two looks"
        ),
        "mitigations",
        {"action": "Two looks"},
    ),
    "mitigation.delete": delete(
        "mitigation",
        lambda c: harms.mitigation_delete(actor=c.user, mitigation=c.obj("mitigation")),
        "mitigations",
    ),
    "mitigation.own": naming(
        "owner",
        "mitigation",
        lambda c: harms.mitigation_update(
            actor=c.owner, mitigation=c.obj("mitigation"), owner=c.user
        ),
        "mitigations",
    ),
    # Workshops
    "workshop.read": read("workshop", workshop_selectors.workshops_for, "workshops"),
    "workshop.create": create(
        "review",
        lambda c: ws.workshop_create(actor=c.user, review=c.obj("review"), title="Again"),
        "workshops",
        lambda c: {"review": c.pk("review"), "title": "Again"},
    ),
    # The service asks about the review the workshop is created in.
    "workshop.facilitate": Case(
        "review",
        names="facilitator",
        run=lambda c: ws.workshop_create(
            actor=c.owner, review=c.obj("review"), title="Again", facilitator=c.user
        ),
        api=lambda c: Call(
            "post",
            "/api/workshops/",
            {"review": c.pk("review"), "title": "Again", "facilitator": c.user.username},
        ),
    ),
    "workshop.run": change(
        "workshop",
        lambda c: ws.workshop_set_round(actor=c.user, workshop=c.obj("workshop"), number=2),
        "workshops",
        {"round": 2},
        method="post",
        then="round/",
    ),
    "workshop.update": change(
        "workshop",
        lambda c: ws.workshop_update(actor=c.user, workshop=c.obj("workshop"), title="Renamed"),
        "workshops",
        {"title": "Renamed"},
    ),
    # Every workshop of the fixture has cards or participants: whoever may delete one is
    # told to close it instead (an unused workshop is deleted in test_workshop_edit.py).
    "workshop.delete": Case(
        "workshop",
        run=lambda c: ws.workshop_delete(actor=c.user, workshop=c.obj("workshop")),
        api=lambda c: Call("delete", f"/api/workshops/{c.pk('workshop')}/", url_object="workshop"),
        state_rule=StateRule(
            frozenset(a for a in ACTORS if allowed("workshop.delete", a, "workshop")),
            "close it instead",
        ),
    ),
    # W2, where only fatima and gus sit, so that joining really takes a seat.
    "workshop.join": change(
        "other_workshop",
        lambda c: ws.workshop_join(actor=c.user, workshop=c.obj("other_workshop")),
        "workshops",
        {},
        method="post",
        then="join/",
    ),
    # Contributions written by the harms services are in VIA; consequence cards are not.
    "workshop.contribute": create(
        "scan",
        lambda c: ws.consequence_create(actor=c.user, workshop=c.obj("scan"), **CONSEQUENCE),
        "consequences",
        lambda c: {"workshop": c.pk("scan"), **CONSEQUENCE},
    ),
    "participant.read": read(
        "seat",
        lambda user: WorkshopParticipant.objects.for_user(user),
        no_api="Seats have no API route (a workshop's API answer does not list them).",
    ),
    "consequence.read": read("consequence", workshop_selectors.consequences_for, "consequences"),
    "workshop_invitation.read": read(
        "invitation", workshop_selectors.invitations_for, "invitations"
    ),
    # On W2, which ravi does not facilitate: his other invitation cases are on W, which he
    # does, so the "facilitates" grant is seen both allowing and refusing.
    "workshop_invitation.create": create(
        "other_workshop",
        lambda c: ws.invitation_create(actor=c.user, workshop=c.obj("other_workshop")),
        "invitations",
        lambda c: {"workshop": c.pk("other_workshop")},
    ),
    # The service asks about the invitation's workshop.
    "workshop_invitation.revoke": change(
        "invitation",
        lambda c: ws.invitation_revoke(actor=c.user, invitation=c.obj("invitation")),
        "invitations",
        method="post",
        then="revoke/",
        target="workshop",
    ),
    "workshop_invitation.update": change(
        "invitation",
        lambda c: ws.invitation_update(
            actor=c.user, invitation=c.obj("invitation"), label="Tenants union"
        ),
        "invitations",
        {"label": "Tenants union"},
        target="workshop",
    ),
    "workshop_invitation.accept": Case(
        "invitation",
        run=accept_workshop_invitation,
        no_api="A workshop link is accepted on the page it opens (reviews/workshops/views.py);"
        " the API has no route for it.",
    ),
    # Audits and launch gates
    "dataset.read": read("dataset", audit_selectors.datasets_for, "datasets"),
    "dataset.upload": create(
        "org",
        lambda c: audits.dataset_upload(
            actor=c.user, organization=c.obj("org"), upload=csv_upload()
        ),
        "datasets",
        lambda c: {"organization": c.pk("org"), "file": csv_upload()},
        fmt="multipart",
    ),
    "audit.read": read("audit_run", audit_selectors.runs_for, "audit-runs"),
    "audit.run": create(
        "review",
        lambda c: audits.audit_start(
            actor=c.user,
            review=c.obj("review"),
            dataset=c.obj("dataset"),
            config=AuditConfig.from_dict(AUDIT),
        ),
        "audit-runs",
        lambda c: {"review": c.pk("review"), "dataset": c.pk("dataset"), **AUDIT},
    ),
    "launch_gate.read": read("launch_gate", audit_selectors.launch_gates_for, "launch-gates"),
    "launch_gate.create": create(
        "review",
        lambda c: audits.launch_gate_create(
            actor=c.user, review=c.obj("review"), action="human_review", **GATE
        ),
        "launch-gates",
        lambda c: {"review": c.pk("review"), "action": "human_review", **GATE},
    ),
    "launch_gate.update": change(
        "launch_gate",
        lambda c: audits.launch_gate_update(
            actor=c.user, gate=c.obj("launch_gate"), description="Checked against LL144"
        ),
        "launch-gates",
        {"description": "Checked against LL144"},
    ),
    "launch_gate.delete": delete(
        "launch_gate",
        lambda c: audits.launch_gate_delete(actor=c.user, gate=c.obj("launch_gate")),
        "launch-gates",
    ),
    "verdict.read": read(
        "verdict",
        audit_selectors.verdicts_for,
        no_api="Verdicts have no route of their own; they are nested in "
        "GET /api/audit-runs/{id}/ (audit.read).",
    ),
    # Community feedback
    "feedback_channel.read": read(
        "feedback_channel", feedback_selectors.channels_for, "feedback-channels"
    ),
    "feedback_channel.create": create(
        "review",
        lambda c: feedback.channel_create(actor=c.user, review=c.obj("review"), **FEEDBACK_CHANNEL),
        "feedback-channels",
        lambda c: {"review": c.pk("review"), **FEEDBACK_CHANNEL},
    ),
    "feedback_channel.update": change(
        "feedback_channel",
        lambda c: feedback.channel_update(
            actor=c.user, channel=c.obj("feedback_channel"), status="paused"
        ),
        "feedback-channels",
        {"status": "paused"},
    ),
    "feedback_settings.update": Case(
        "org",
        run=lambda c: feedback.settings_update(
            actor=c.user, organization=c.obj("org"), retention_days=30
        ),
        no_api="Set on the organization's feedback page; the API has no settings route.",
    ),
    "submission.read": read(
        "submission", feedback_selectors.submissions_for, "feedback-submissions"
    ),
    "submission.triage": Case(
        "submission",
        run=lambda c: feedback.submission_triage(
            actor=c.user, submission=c.obj("submission"), themes=[c.obj("feedback_theme")]
        ),
        api=lambda c: Call(
            "patch",
            f"/api/feedback-submissions/{c.pk('submission')}/",
            {"themes": [c.pk("feedback_theme")]},
            url_object="submission",
            body_objects=("feedback_theme",),
        ),
    ),
    "submission.hide": change(
        "submission",
        lambda c: feedback.submission_hide(
            actor=c.user, submission=c.obj("submission"), reason="Abuse"
        ),
        "feedback-submissions",
        {"reason": "Abuse"},
        method="post",
        then="hide/",
    ),
    "submission_contact.read": Case(
        "submission",
        read=True,
        run=lambda c: feedback_selectors.contact_of(c.user, c.obj("submission")) is not None,
        no_api="Contact details are never in the API; the submission page shows them.",
    ),
    "feedback_reply.read": read(
        "feedback_reply", feedback_selectors.replies_for, "feedback-replies"
    ),
    "feedback_reply.create": create(
        "review",
        lambda c: feedback.reply_create(
            actor=c.user, review=c.obj("review"), text="Fixed", submission=c.obj("submission")
        ),
        "feedback-replies",
        lambda c: {"review": c.pk("review"), "submission": c.pk("submission"), "text": "Fixed"},
    ),
    "feedback_reply.delete": delete(
        "feedback_reply",
        lambda c: feedback.reply_delete(actor=c.user, reply=c.obj("feedback_reply")),
        "feedback-replies",
    ),
    # Model cards
    "modelcard.read": read("model_card", modelcard_selectors.cards_for, "model-cards"),
    "modelcard.create": create(
        "bare_system",
        lambda c: modelcards.modelcard_create(actor=c.user, system=c.obj("bare_system")),
        "model-cards",
        lambda c: {"system": c.pk("bare_system")},
    ),
    "modelcard.update": change(
        "card_draft",
        lambda c: modelcards.version_update(
            actor=c.user, version=c.obj("card_draft"), sections={"factors": "Age, sex."}
        ),
        "model-card-versions",
        {"sections": {"factors": "Age, sex."}},
    ),
    "modelcard.publish": change(
        "card_draft",
        lambda c: modelcards.version_publish(actor=c.user, version=c.obj("card_draft")),
        "model-card-versions",
        method="post",
        then="publish/",
    ),
    # Compliance checklists, assessments, evidence and controls
    "checklist.read": read("checklist", compliance_selectors.checklists_for, "checklists"),
    "checklist.attach": create(
        "review",
        lambda c: compliance.checklist_attach(
            actor=c.user, review=c.obj("review"), framework=ai_act()
        ),
        "checklists",
        lambda c: {"review": c.pk("review"), "framework": ai_act().pk},
    ),
    "checklist.update": change(
        "checklist",
        lambda c: compliance.checklist_update(
            actor=c.user, checklist=c.obj("checklist"), readiness_rule="off"
        ),
        "checklists",
        {"readiness_rule": "off"},
    ),
    "checklist.upgrade": Case(
        "checklist",
        run=lambda c: compliance.checklist_upgrade(
            actor=c.user, checklist=c.obj("checklist"), to=c.obj("new_framework")
        ),
        api=lambda c: Call(
            "post",
            f"/api/checklists/{c.pk('checklist')}/upgrade/",
            {"framework": c.pk("new_framework")},
            url_object="checklist",
        ),
    ),
    "assessment.read": read("assessment", compliance_selectors.assessments_for, "assessments"),
    "assessment.update": change(
        "assessment",
        lambda c: compliance.assessment_update(
            actor=c.user, assessment=c.obj("assessment"), status="in_progress"
        ),
        "assessments",
        {"status": "in_progress"},
    ),
    "assessment.own": naming(
        "owner",
        "assessment",
        lambda c: compliance.assessment_update(
            actor=c.owner, assessment=c.obj("assessment"), owner=c.user
        ),
        "assessments",
    ),
    "assessment.sign_off": change(
        "assessed_item",
        lambda c: compliance.assessment_sign_off(actor=c.user, assessment=c.obj("assessed_item")),
        "assessments",
        method="post",
        then="sign-off/",
    ),
    "evidence.read": read("evidence", compliance_selectors.evidence_for, "evidence"),
    "evidence.add": create(
        "assessment",
        lambda c: compliance.evidence_add(
            actor=c.user, assessment=c.obj("assessment"), kind="url", url="https://example.org/x"
        ),
        "evidence",
        lambda c: {"assessment": c.pk("assessment"), "kind": "url", "url": "https://example.org/x"},
    ),
    "evidence.remove": delete(
        "evidence",
        lambda c: compliance.evidence_remove(actor=c.user, evidence=c.obj("evidence")),
        "evidence",
    ),
    "control.read": read("control", control_selectors.controls_for, "controls"),
    "control.create": create(
        "org",
        lambda c: controls.control_create(actor=c.user, organization=c.obj("org"), name="C2"),
        "controls",
        lambda c: {"organization": c.pk("org"), "name": "C2"},
    ),
    "control.update": change(
        "control",
        lambda c: controls.control_update(actor=c.user, control=c.obj("control"), name="Renamed"),
        "controls",
        {"name": "Renamed"},
    ),
    "control.own": naming(
        "owner",
        "control",
        lambda c: controls.control_update(actor=c.owner, control=c.obj("control"), owner=c.user),
        "controls",
    ),
    "dossier.read": read("dossier", dossier_selectors.dossiers_for, "dossiers"),
    "dossier.export": create(
        "review",
        lambda c: dossiers.dossier_export(actor=c.user, review=c.obj("review")),
        "dossiers",
        lambda c: {"review": c.pk("review")},
    ),
    "dossier.countersign": Case(
        "dossier",
        prepare=lambda c: _stored_dossier(c),
        run=lambda c: dossiers.dossier_record_countersigned(
            actor=c.user, dossier=c.obj("dossier"), pdf=tiny_countersigned()
        ),
        api=lambda c: Call(
            "post",
            f"/api/dossiers/{c.pk('dossier')}/countersigned/",
            {"file": SimpleUploadedFile("signed.pdf", tiny_countersigned())},
            url_object="dossier",
            format="multipart",
        ),
    ),
    # Monitoring after launch
    "monitor.read": read("monitor", monitoring_selectors.monitors_for, "monitors"),
    "monitor.create": create(
        "approved_review",
        lambda c: monitoring.monitor_create(
            actor=c.user,
            review=c.obj("approved_review"),
            name="Again",
            config=AuditConfig.from_dict(MONITOR),
            gates=[],
        ),
        "monitors",
        lambda c: {"review": c.pk("approved_review"), "name": "Again", "config": MONITOR},
    ),
    "monitor.update": change(
        "monitor",
        lambda c: monitoring.monitor_update(actor=c.user, monitor=c.obj("monitor"), name="New"),
        "monitors",
        {"name": "New"},
    ),
    "batch.push": change(
        "monitor",
        lambda c: monitoring.batch_push(actor=c.user, monitor=c.obj("monitor"), counts=COUNTS),
        "monitors",
        {"counts": COUNTS},
        method="post",
        then="batches/",
    ),
    "incident.read": read("incident", incident_selectors.incidents_for, "incidents"),
    "incident.create": create(
        "review",
        lambda c: monitoring_escalation.incident_create(
            actor=c.user, review=c.obj("review"), title="Second complaint"
        ),
        "incidents",
        lambda c: {"review": c.pk("review"), "title": "Second complaint"},
    ),
    "incident.update": change(
        "incident",
        lambda c: monitoring_escalation.incident_update(
            actor=c.user, incident=c.obj("incident"), status="mitigating"
        ),
        "incidents",
        {"status": "mitigating"},
    ),
    "webhook.read": read("webhook", incident_selectors.webhooks_for, "webhooks"),
    "webhook.create": create(
        "monitor",
        lambda c: monitoring_escalation.webhook_create(
            actor=c.user, monitor=c.obj("monitor"), url=HOOK
        ),
        "webhooks",
        lambda c: {"monitor": c.pk("monitor"), "url": HOOK},
    ),
    "webhook.update": change(
        "webhook",
        lambda c: monitoring_escalation.webhook_update(
            actor=c.user, webhook=c.obj("webhook"), active=False
        ),
        "webhooks",
        {"active": False},
    ),
    "webhook.delete": delete(
        "webhook",
        lambda c: monitoring_escalation.webhook_delete(actor=c.user, webhook=c.obj("webhook")),
        "webhooks",
    ),
}

# Lower-app actions done on behalf of a workshop: lower action → (the delegating action,
# the case that does it through the workshops service and the workshop's own route).
VIA: dict[str, tuple[str, Case]] = {
    "harm.create": (
        "workshop.contribute",
        on_board(
            lambda c: ws.card_add(
                actor=c.user, workshop=c.obj("workshop"), title="Mine", category=category()
            ),
            lambda c: "cards/",
            lambda c: {"title": "Mine", "category": CATEGORY},
        ),
    ),
    # Only a card's author rewords it, so each person gets a card of their own first.
    "harm.update": (
        "workshop.contribute",
        on_board(
            lambda c: ws.card_update(
                actor=c.user, workshop=c.obj("workshop"), harm=c.extra["card"], title="Reworded"
            ),
            lambda c: f"cards/{c.extra['card'].pk}/",
            lambda c: {"title": "Reworded"},
            method="patch",
            prepare=own_card,
        ),
    ),
    "rating.set": (
        "workshop.contribute",
        on_board(
            lambda c: ws.card_rate(
                actor=c.user, workshop=c.obj("workshop"), harm=c.obj("card"), **RATING
            ),
            lambda c: "ratings/",
            lambda c: {"harm": c.pk("card"), **RATING},
        ),
    ),
    "vote.create": (
        "workshop.contribute",
        on_board(
            lambda c: ws.card_vote(actor=c.user, workshop=c.obj("workshop"), harm=c.obj("card")),
            lambda c: "vote/",
            lambda c: {"harm": c.pk("card")},
        ),
    ),
    # Only a dot one placed can be taken back, so each person places one first.
    "vote.delete": (
        "workshop.contribute",
        on_board(
            lambda c: ws.card_unvote(actor=c.user, workshop=c.obj("workshop"), harm=c.obj("card")),
            lambda c: "unvote/",
            lambda c: {"harm": c.pk("card")},
            prepare=own_vote,
        ),
    ),
    "stakeholder.create": (
        "workshop.contribute",
        on_board(
            lambda c: ws.stakeholder_add(
                actor=c.user, workshop=c.obj("workshop"), name="Guarantors", kind="indirect"
            ),
            lambda c: "stakeholders/",
            lambda c: {"name": "Guarantors", "kind": "indirect"},
        ),
    ),
}

# (side, action, actor) → why the code disagrees with the policy. Each entry is a bug to
# fix; the test keeps asserting the policy (strict xfail), so the fix shows up as XPASS.
DISAGREEMENTS: dict[tuple[str, str, str], str] = {}


# --- Running a case ----------------------------------------------------------------------

ALLOWED, REFUSED, HELD_BACK = "allowed", "refused", "held back by a state rule"
SUCCESS = frozenset(range(200, 300))


def expected_outcome(action: str, case: Case, actor: str) -> str:
    if not allowed(action, actor, case.target):
        return REFUSED
    if case.state_rule is not None and actor in case.state_rule.actors:
        return HELD_BACK
    return ALLOWED


def service_outcome(world: World, case: Case, actor: str) -> str:
    c = Ctx(world, actor)
    try:
        with rolled_back():
            if case.prepare is not None:
                c.extra = case.prepare(c)
            result = case.run(c)
    except PermissionDenied:
        if case.names:
            raise  # the owner acts here: a refusal of the owner is not what is tested
        return REFUSED
    except ServiceError as exc:
        if case.names and exc.field == case.names:
            return REFUSED
        rule = case.state_rule
        if rule is not None and isinstance(exc, Conflict) and rule.says in exc.message:
            return HELD_BACK
        raise
    if case.read:
        return ALLOWED if result else REFUSED
    return ALLOWED


def readable(world: World, actor: str, key: str) -> bool:
    return allowed(world.model(key).read_action, actor, key)


def gate_action(call: Call) -> str | None:
    """The policy action ``PolicyPermission`` checks before any lookup (writes only)."""
    if call.method == "get":
        return None
    view = resolve(urlsplit(call.url).path).func
    return view.cls.policy.get(view.actions.get(call.method))


def expected_statuses(world: World, action: str, case: Case, actor: str, call: Call) -> set[int]:
    outcome = expected_outcome(action, case, actor)
    if case.names:
        return set(SUCCESS) if outcome == ALLOWED else {400}
    if actor == "anonymous":
        # Every /api/ route needs a login (config/urls.py); a person without an account
        # accepts an invitation on the link's page, which signs them up.
        return {401, 403}
    if outcome == ALLOWED:
        return set(SUCCESS)
    if outcome == HELD_BACK:
        return {409}
    gate = gate_action(call)
    if gate and not HOME_ROLES[actor] & access.roles_allowed(gate):
        return {403}
    if call.url_object and not readable(world, actor, call.url_object):
        return {404}
    if any(not readable(world, actor, key) for key in call.body_objects):
        return {400}
    return {403}


def api_response(world: World, case: Case, actor: str) -> tuple[Call, Any]:
    c = Ctx(world, actor)
    # When the action names a person, the owner makes the request naming them.
    caller = world.people.get("owner" if case.names else actor)
    assert case.api is not None
    with rolled_back():
        if case.prepare is not None:
            c.extra = case.prepare(c)
        call = case.api(c)
        client = api_as(caller)
        send = getattr(client, call.method)
        if call.method == "get":
            response = send(call.url)
        else:
            response = send(call.url, call.data, format=call.format)
    return call, response


def check_api(world: World, action: str, case: Case, actor: str) -> None:
    call, response = api_response(world, case, actor)
    expected = expected_statuses(world, action, case, actor, call)
    body = response.content[:300]
    assert response.status_code in expected, (call.method, call.url, response.status_code, body)
    if case.names and response.status_code == 400:
        assert case.names in response.json(), body


def params(
    side: str, actions: list[str], skip: Callable[[str, str], bool] | None = None
) -> list[Any]:
    out = []
    for action in actions:
        for actor in ACTORS:
            if skip is not None and skip(action, actor):
                continue
            reason = DISAGREEMENTS.get((side, action, actor))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(action, actor, id=f"{action}-{actor}", marks=marks))
    return out


def _no_api_request(action: str, actor: str) -> bool:
    case = CASES.get(action)
    # A person is named through the API by username, which anonymous has none of.
    return case is None or case.api is None or bool(case.names and actor == "anonymous")


# --- The table ---------------------------------------------------------------------------


def test_it_has_a_case_for_every_action_in_the_policy():
    assert sorted(set(access.POLICY) - set(CASES)) == []
    assert sorted(set(CASES) - set(access.POLICY)) == []
    for action, case in CASES.items():
        assert case.api is not None or case.no_api, f"{action}: give an API request or say why not"


def test_it_does_every_delegated_action_through_the_action_it_is_delegated_to():
    assert set(VIA) == set(access.DELEGATES)
    for lower, (delegating, _case) in VIA.items():
        assert delegating in access.DELEGATES[lower]
    delegated_only = {action for action, (_label, grants) in access.POLICY.items() if not grants}
    assert delegated_only <= set(VIA)


def test_it_gives_each_person_the_standing_the_table_assumes(shared_world, db):
    acme = shared_world.obj("org")
    for actor in ACTORS:
        assert access.standing(shared_world.user(actor), acme) == STANDING[actor], actor
    assert set(STANDING.values()) == set(access.STANDINGS)


def test_it_builds_the_relations_the_table_assumes(shared_world, db):
    for key in shared_world.rows:
        paths = getattr(shared_world.model(key), "access_paths", {})
        assert set(RELATIONS.get(key, {})) <= set(paths), key
        row = shared_world.obj(key)
        for relation in paths:
            for actor in ACTORS:
                held = access.holds(shared_world.user(actor), relation, row)
                assert held == holds(actor, relation, key), (key, relation, actor)


def test_it_refuses_outsiders_and_strangers_to_a_workshop_all_but_what_any_guest_may_do():
    """The derived table itself: the outsider gets only the actions any logged-in person
    may do (accepting an invitation), anonymous nothing; the guest of another workshop only
    what every guest gets without a seat or a row of their own (accepting, and seeing the
    organization)."""
    for action, (_label, grants) in access.POLICY.items():
        public = any(access.OUTSIDER in grant.roles for grant in grants)
        any_guest = any(access.GUEST in g.roles and g.relation is None for g in grants)
        target = CASES[action].target
        assert allowed(action, "outsider", target) == public, action
        assert not allowed(action, "anonymous", target), action
        assert allowed(action, "guest_elsewhere", target) == any_guest, action


@pytest.mark.parametrize(("action", "actor"), params("service", sorted(access.POLICY)))
def test_it_lets_each_person_do_through_the_service_exactly_what_the_policy_allows(
    shared_world, db, action, actor
):
    case = CASES.get(action)
    assert case is not None, f"No case for {action}: add one to CASES"
    expected = expected_outcome(action, case, actor)
    assert service_outcome(shared_world, case, actor) == expected


@pytest.mark.parametrize(
    ("action", "actor"), params("api", sorted(access.POLICY), skip=_no_api_request)
)
def test_it_answers_each_person_through_the_api_exactly_as_the_policy_says(
    shared_world, db, action, actor
):
    check_api(shared_world, action, CASES[action], actor)


@pytest.mark.parametrize(("action", "actor"), params("via-service", sorted(VIA)))
def test_it_lets_a_workshop_do_a_delegated_action_for_exactly_whom_the_policy_allows(
    shared_world, db, action, actor
):
    delegating, case = VIA[action]
    expected = expected_outcome(delegating, case, actor)
    assert service_outcome(shared_world, case, actor) == expected


@pytest.mark.parametrize(("action", "actor"), params("via-api", sorted(VIA)))
def test_it_answers_a_workshop_route_of_a_delegated_action_as_the_policy_says(
    shared_world, db, action, actor
):
    delegating, case = VIA[action]
    check_api(shared_world, delegating, case, actor)


def test_it_signs_a_newcomer_up_before_accepting(shared_world: World, db: None) -> None:
    """What the invitation pages do for someone without an account."""
    with rolled_back():
        user = member_services.user_signup(username="newcomer", password=PASSWORD)
        membership = member_services.member_invitation_accept(
            user=user, token=shared_world.tokens["member_invitation"]
        )
        assert membership.user == user
    with rolled_back():
        user = ws.guest_signup_and_accept(
            token=shared_world.tokens["invitation"], username="newcomer", password=PASSWORD
        )
        workshop = shared_world.obj("workshop")
        assert access.standing(user, workshop.organization_id) == access.GUEST
