"""Launch gates that block, risk acceptances that lift a blocker (and lapse), the readiness
panel, and what "won't do" does not cover."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audits import services as audits
from audits.models import AuditRun, GateVerdict, LaunchGate, RunStatus, Verdict
from orgs import services as org_services
from orgs.ledger.models import Event
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import readiness, services
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory
from reviews.models import Decision, ReviewStatus, RiskAcceptance
from tests.conftest import api_as, run_small_audit

SOON = timezone.localdate() + datetime.timedelta(days=30)


def _harm(owner, review, title="Redlining by postcode", rating=5):
    harm = harms.harm_create(
        actor=owner, review=review, title=title, category=HarmCategory.objects.first()
    )
    harms.rating_set(actor=owner, harm=harm, severity=rating, likelihood=rating, scale=3)
    return harm


def _failing_gate(owner, review):
    """A gate that blocks launch and that the small audit fails (the scores favour men)."""
    gate = audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.99,
        action="block_launch",
    )
    run = run_small_audit(owner, review)
    verdict = GateVerdict.objects.get(run=run, gate=gate)
    assert verdict.verdict == Verdict.FAIL
    return gate, run


def _accept(actor, review, target, **kw):
    target_type = "launch_gate" if isinstance(target, LaunchGate) else "harm"
    return services.risk_accept(
        actor=actor,
        review=review,
        target_type=target_type,
        target_id=target.pk,
        justification=kw.pop("justification", "Pilot in one branch with manual review."),
        expires_on=kw.pop("expires_on", SOON),
        **kw,
    )


def _signed(review, owner, reviewer):
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    return review


def _approve(review, owner):
    return services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED)


# --- Launch gates block approval ------------------------------------------------------------


def test_a_failing_blocking_gate_refuses_approval_and_names_the_gate(review, owner, reviewer):
    gate, _run = _failing_gate(owner, review)
    review = _signed(review, owner, reviewer)
    with pytest.raises(Conflict) as refused:
        _approve(review, owner)
    assert f"Launch gate \u201c{gate}\u201d blocks launch" in refused.value.message
    assert refused.value.details[0]["kind"] == "gate"
    assert refused.value.details[0]["url"].endswith(f"#gate-{gate.pk}")
    review.refresh_from_db()
    assert review.status == ReviewStatus.IN_REVIEW


def test_a_gate_that_only_warns_does_not_block(review, owner, reviewer):
    gate, _run = _failing_gate(owner, review)
    LaunchGate.objects.filter(pk=gate.pk).update(action="require_human_review")
    review = _signed(review, owner, reviewer)
    assert _approve(review, owner).status == ReviewStatus.APPROVED


def test_gates_without_an_audit_block_approval(review, owner, reviewer):
    audits.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    review = _signed(review, owner, reviewer)
    with pytest.raises(Conflict, match="No audit has checked the launch gates yet"):
        _approve(review, owner)


def test_accepting_the_gates_risk_lets_the_review_be_approved(review, owner, reviewer):
    gate, run = _failing_gate(owner, review)
    review = _signed(review, owner, reviewer)
    acceptance = _accept(owner, review, gate, conditions="Monthly re-audit.")
    assert acceptance.basis == {"run": run.pk, "verdict": "fail"}
    assert acceptance.target_label.startswith("Launch gate")
    event = Event.objects.get(verb="accept_risk", object_id=str(acceptance.pk))
    assert event.after["justification"] == "Pilot in one branch with manual review."
    assert _approve(review, owner).status == ReviewStatus.APPROVED


def test_an_acceptance_lapses_when_a_new_audit_gives_the_gate_another_verdict(
    review, owner, reviewer
):
    gate, run = _failing_gate(owner, review)
    review = _signed(review, owner, reviewer)
    _accept(owner, review, gate)
    assert readiness.approve_blockers(review) == []
    # A newer audit finds too little data for the gate: the acceptance was of a failure.
    newer = AuditRun.objects.create(
        organization=review.organization,
        review=review,
        dataset=run.dataset,
        config=run.config,
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now() + datetime.timedelta(seconds=5),
    )
    GateVerdict.objects.create(
        organization=review.organization,
        run=newer,
        gate=gate,
        verdict=Verdict.INSUFFICIENT,
        reason="Too few people in a group.",
    )
    states = readiness.acceptance_states(review)
    assert [(s.status, s.reason) for s in states] == [
        ("lapsed", "a newer audit gave the gate another verdict")
    ]
    kinds = [b.kind for b in readiness.approve_blockers(review)]
    assert kinds == ["gate"]
    with pytest.raises(Conflict, match="blocks launch"):
        _approve(review, owner)


def test_an_acceptance_lapses_when_it_expires(review, owner):
    harm = _harm(owner, review)
    acceptance = _accept(owner, review, harm)
    assert readiness.submit_blockers(review) == []
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert [s.status for s in readiness.acceptance_states(review)] == ["expired"]
    assert [b.target_id for b in readiness.submit_blockers(review)] == [harm.pk]
    with pytest.raises(Conflict, match="Redlining by postcode"):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)


def test_a_withdrawn_acceptance_blocks_again_and_is_logged(review, owner):
    harm = _harm(owner, review)
    acceptance = _accept(owner, review, harm)
    services.risk_acceptance_revoke(actor=owner, acceptance=acceptance)
    acceptance.refresh_from_db()
    assert acceptance.revoked_by == owner
    assert [s.status for s in readiness.acceptance_states(review)] == ["withdrawn"]
    assert [b.target_id for b in readiness.submit_blockers(review)] == [harm.pk]
    event = Event.objects.filter(object_id=str(acceptance.pk)).order_by("-seq").first()
    assert event.verb == "update" and event.before["revoked_at"] is None
    assert event.after["revoked_at"] is not None


# --- What an acceptance needs ---------------------------------------------------------------


def test_an_acceptance_needs_a_reason_and_an_expiry_within_a_year(review, owner):
    harm = _harm(owner, review)
    with pytest.raises(ServiceError) as no_reason:
        _accept(owner, review, harm, justification="   ")
    assert no_reason.value.field == "justification"
    with pytest.raises(ServiceError) as past:
        _accept(owner, review, harm, expires_on=timezone.localdate())
    assert past.value.field == "expires_on"
    with pytest.raises(ServiceError, match="at most 366 days") as far:
        _accept(owner, review, harm, expires_on=timezone.localdate() + datetime.timedelta(400))
    assert far.value.field == "expires_on"
    assert not RiskAcceptance.objects.exists()


def test_only_what_blocks_the_review_can_be_accepted(review, owner):
    low = _harm(owner, review, title="Slow letters", rating=2)
    with pytest.raises(ServiceError, match="blocks this review now") as refused:
        _accept(owner, review, low)
    assert refused.value.field == "target_id"


def test_owners_accept_by_default_and_the_organization_chooses_who_else(
    org, review, owner, reviewer, facilitator
):
    harm = _harm(owner, review)
    with pytest.raises(PermissionDenied, match="it needs: owner"):
        _accept(reviewer, review, harm)
    org_services.organization_update(
        actor=owner, organization=org, risk_acceptance_roles=["owner", "reviewer"]
    )
    assert _accept(reviewer, review, harm).accepted_by == reviewer
    with pytest.raises(PermissionDenied, match="it needs: owner, reviewer"):
        _accept(facilitator, review, _harm(owner, review, title="Another"))


def test_the_organization_setting_accepts_only_known_roles(org, owner):
    with pytest.raises(ServiceError) as refused:
        org_services.organization_update(
            actor=owner, organization=org, risk_acceptance_roles=["owner", "wizard"]
        )
    assert refused.value.field == "risk_acceptance_roles"


# --- "Won't do" is not coverage -------------------------------------------------------------


def test_a_wont_do_mitigation_does_not_cover_a_harm_and_the_message_says_what_would(review, owner):
    harm = _harm(owner, review)
    harms.mitigation_create(
        actor=owner,
        harm=harm,
        action="Retrain without postcode",
        owner=owner,
        status="wont_do",
        justification="Postcode is needed for fraud checks.",
    )
    with pytest.raises(Conflict) as refused:
        services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    message = refused.value.message
    assert "Redlining by postcode (risk 25)" in message
    assert "planned, in progress or done (not \u201cwon't do\u201d)" in message
    assert "risk acceptance" in message
    assert refused.value.details == [{"harm": harm.pk, "title": harm.title, "risk": 25.0}]


# --- Reopening an approved review -----------------------------------------------------------


def test_an_owner_reopens_an_approved_review_into_a_new_round(review, owner, reviewer):
    review = _approve(_signed(review, owner, reviewer), owner)
    assert review.round == 1
    with pytest.raises(PermissionDenied):
        services.review_transition(actor=reviewer, review=review, to=ReviewStatus.IN_REVIEW)
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    assert (review.status, review.round) == (ReviewStatus.IN_REVIEW, 2)
    event = Event.objects.filter(object_type="reviews.review").order_by("-seq").first()
    assert event.verb == "reopen"
    assert (event.before["status"], event.after["status"]) == ("approved", "in_review")
    # The old round's sign-offs no longer count.
    assert readiness.missing_signoffs(review) == ["owner", "reviewer"]


# --- API ------------------------------------------------------------------------------------


def test_the_api_shows_readiness_and_records_and_withdraws_acceptances(review, owner, viewer):
    harm = _harm(owner, review)
    client = api_as(owner)
    body = client.get(f"/api/reviews/{review.pk}/readiness/").json()
    assert body["status"] == "draft"
    assert [(b["kind"], b["target_type"], b["target_id"]) for b in body["blockers"]] == [
        ("harm", "harm", harm.pk)
    ]
    assert body["blockers"][0]["url"].endswith(f"/register/#harm-{harm.pk}")
    payload = {
        "review": review.pk,
        "target_type": "harm",
        "target_id": harm.pk,
        "justification": "Pilot only.",
        "expires_on": SOON.isoformat(),
    }
    assert api_as(viewer).post("/api/risk-acceptances/", payload, format="json").status_code == 403
    created = client.post("/api/risk-acceptances/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "in force"
    assert created.json()["accepted_by"] == owner.username
    body = client.get(f"/api/reviews/{review.pk}/readiness/").json()
    assert body["blockers"] == [] and body["acceptances"][0]["id"] == created.json()["id"]
    again = client.post("/api/risk-acceptances/", payload, format="json")
    assert again.status_code == 409 and "already accepted until" in again.json()["detail"]
    revoked = client.post(f"/api/risk-acceptances/{created.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "withdrawn"


# --- Pages ----------------------------------------------------------------------------------


def test_the_readiness_panel_lists_each_blocker_with_where_it_is_resolved(
    review, owner, reviewer, client_as
):
    harm = _harm(owner, review, title="<b>Redlining</b>")
    page = client_as(owner).get(reverse("review_detail", args=[review.pk])).content.decode()
    assert 'data-testid="readiness"' in page
    assert "&lt;b&gt;Redlining&lt;/b&gt;" in page and "<b>Redlining</b>" not in page
    assert f'href="/reviews/{review.pk}/register/#harm-{harm.pk}"' in page
    assert "Accept this risk" in page
    # A reviewer sees the blocker but not the form, and who could accept it.
    page = client_as(reviewer).get(reverse("review_detail", args=[review.pk])).content.decode()
    assert "Accept this risk" not in page and "an owner can accept this risk" in page


def test_accepting_a_risk_on_the_page_shows_it_on_the_review_and_the_register(
    review, owner, client_as
):
    harm = _harm(owner, review)
    client = client_as(owner)
    response = client.post(
        reverse("risk_accept", args=[review.pk]),
        {
            "target_type": "harm",
            "target_id": harm.pk,
            "justification": "Branch pilot, humans decide every decline.",
            "conditions": "Weekly look at declines.",
            "expires_on": SOON.isoformat(),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Recorded: Harm \u201cRedlining by postcode\u201d (risk 25) is accepted until" in page
    assert "Branch pilot, humans decide every decline." in page and "in force" in page
    assert "Nothing blocks approval" in page
    register = client.get(reverse("harm_register", args=[review.pk])).content.decode()
    assert f"risk accepted by {owner.username} until {SOON:%Y-%m-%d}" in register
    # Without a justification nothing is recorded and the page says why.
    response = client.post(
        reverse("risk_accept", args=[review.pk]),
        {"target_type": "harm", "target_id": harm.pk, "justification": "", "expires_on": ""},
        follow=True,
    )
    assert "Not recorded:" in response.content.decode()
    assert RiskAcceptance.objects.count() == 1
