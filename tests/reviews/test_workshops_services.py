import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audits import services as audit_services
from orgs.ledger.models import Event
from orgs.models import Membership, Role
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import services
from reviews.harms import selectors as harm_selectors
from reviews.harms import services as harms
from reviews.harms.models import HarmCategory, MitigationStatus
from reviews.models import ReviewStatus
from reviews.workshops import selectors
from reviews.workshops import services as ws
from reviews.workshops.models import WorkshopInvitation
from tests.conftest import make_user
from tests.reviews.conftest import add_harm


def rate(actor, workshop, harm, severity, likelihood=3, scale=3):
    return ws.card_rate(
        actor=actor,
        workshop=workshop,
        harm=harm,
        severity=severity,
        likelihood=likelihood,
        scale=scale,
    )


def test_the_taxonomy_ships_four_families_each_category_with_a_prompt(db):
    families = set(HarmCategory.objects.values_list("family", flat=True))
    assert families == {"injury", "consequential-services", "human-rights", "social-democratic"}
    slugs = set(HarmCategory.objects.values_list("slug", flat=True))
    assert {
        "opportunity-loss",
        "economic-loss",
        "privacy-loss",
        "loss-of-remedy",
        "manipulation",
        "stereotyping",
        "dignity-loss",
        "liberty-loss",
        "environmental-impact",
        "social-detriment",
    } <= slugs
    assert all(c.prompt.endswith("?") for c in HarmCategory.objects.all())


def test_a_participant_adds_and_rates_cards_only_with_a_seat(workshop, participant, category):
    with pytest.raises(PermissionDenied, match="Join"):
        add_harm(participant, workshop, category)
    ws.workshop_join(actor=participant, workshop=workshop)
    harm = add_harm(participant, workshop, category)
    rating, created = rate(participant, workshop, harm, 4, 2)
    again, created_again = rate(participant, workshop, harm, 5, 2)
    assert (created, created_again) == (True, False)
    assert again.pk == rating.pk and harm.ratings.get().severity == 5


def test_a_closed_workshop_takes_no_cards_ratings_or_votes(workshop, facilitator, seated, category):
    harm = add_harm(seated, workshop, category)
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="closed")
    with pytest.raises(Conflict, match="closed"):
        add_harm(seated, workshop, category, title="Late")
    with pytest.raises(Conflict, match="closed"):
        rate(seated, workshop, harm, 3)
    with pytest.raises(Conflict, match="closed"):
        ws.card_vote(actor=seated, workshop=workshop, harm=harm)


def test_only_the_facilitator_moves_rounds_or_closes(workshop, seated, facilitator):
    with pytest.raises(PermissionDenied):
        ws.workshop_set_round(actor=seated, workshop=workshop, number=2)
    with pytest.raises(PermissionDenied):
        ws.workshop_set_status(actor=seated, workshop=workshop, status="closed")
    assert ws.workshop_set_round(actor=facilitator, workshop=workshop, number=3).current_round == 3
    with pytest.raises(ServiceError, match="rounds 1 to 4"):
        ws.workshop_set_round(actor=facilitator, workshop=workshop, number=5)


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", True, None])
def test_ratings_must_be_whole_numbers_from_one_to_five(workshop, seated, category, bad):
    harm = add_harm(seated, workshop, category)
    with pytest.raises(ServiceError, match="1 to 5") as info:
        rate(seated, workshop, harm, bad)
    assert info.value.field == "severity"


def test_dot_votes_are_limited_per_participant(review, facilitator, participant, category):
    workshop = ws.workshop_create(
        actor=facilitator, review=review, title="W", votes_per_participant=2
    )
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    ws.workshop_join(actor=participant, workshop=workshop)
    harm = add_harm(participant, workshop, category)
    ws.card_vote(actor=participant, workshop=workshop, harm=harm)
    ws.card_vote(actor=participant, workshop=workshop, harm=harm)
    with pytest.raises(Conflict, match="all 2 of your votes"):
        ws.card_vote(actor=participant, workshop=workshop, harm=harm)
    ws.card_unvote(actor=participant, workshop=workshop, harm=harm)
    assert ws.votes_left(participant, workshop) == 1
    assert harm_selectors.harm_aggregates([harm])[harm.pk].votes == 1


def test_harms_at_the_risk_threshold_need_a_mitigation_before_sign_off(
    review, owner, workshop, facilitator, seated, category
):
    high = add_harm(seated, workshop, category, "High")
    low = add_harm(seated, workshop, category, "Low")
    rate(seated, workshop, high, 4)  # risk 12
    rate(seated, workshop, low, 3)  # risk 9
    with pytest.raises(Conflict) as info:
        services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    assert "High (risk 12)" in info.value.message and "Low" not in info.value.message
    assert info.value.details == [{"harm": high.pk, "title": "High", "risk": 12.0}]
    # A "won't do" mitigation does not cover the harm ...
    harms.mitigation_create(
        actor=owner,
        harm=high,
        action="Nothing",
        owner=owner,
        status=MitigationStatus.WONT_DO,
        justification="Out of scope",
    )
    with pytest.raises(Conflict):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    # ... a planned one does.
    harms.mitigation_create(actor=owner, harm=high, action="Add rent history", owner=facilitator)
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    assert review.status == ReviewStatus.IN_REVIEW


def test_the_risk_threshold_is_set_per_organization(org, review, owner, workshop, seated, category):
    harm = add_harm(seated, workshop, category)
    rate(seated, workshop, harm, 3)  # risk 9
    org.mitigation_risk_threshold = 9
    org.save()
    review.refresh_from_db()
    assert [h.pk for h, _ in harm_selectors.uncovered_harms(review)] == [harm.pk]


def test_wont_do_needs_a_justification(workshop, owner, seated, category):
    harm = add_harm(seated, workshop, category)
    with pytest.raises(ServiceError, match="why") as info:
        harms.mitigation_create(
            actor=owner, harm=harm, action="x", owner=owner, status=MitigationStatus.WONT_DO
        )
    assert info.value.field == "justification"


def test_a_mitigation_owner_must_be_in_the_organization(
    workshop, owner, seated, outsider, category
):
    harm = add_harm(seated, workshop, category)
    with pytest.raises(ServiceError) as info:
        harms.mitigation_create(actor=owner, harm=harm, action="x", owner=outsider)
    assert info.value.field == "owner"


def test_coverage_warnings_name_who_is_missing(workshop, facilitator, review):
    warnings = selectors.coverage_warnings(workshop)
    assert len(warnings) == 3
    assert warnings[0].startswith("No indirect or excluded stakeholder")
    harms.stakeholder_create(
        actor=facilitator,
        review=review,
        name="Thin-file applicants",
        kind="excluded",
        vulnerable=True,
    )
    warnings = selectors.coverage_warnings(workshop)
    assert len(warnings) == 1 and "impacted community" in warnings[0]
    invitation = ws.invitation_create(
        actor=facilitator, workshop=workshop, represents_community="Young renters"
    )
    ws.invitation_accept(user=make_user("guest"), token=invitation.token)
    assert selectors.coverage_warnings(workshop) == []


def test_an_invitation_gives_a_guest_a_seat_in_that_workshop_only(
    org, workshop, facilitator, system, category
):
    other_review = services.review_create(actor=facilitator, system=system, title="Other")
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop, label="Advocates")
    assert len(invitation.token) >= 40
    other = ws.workshop_create(actor=facilitator, review=other_review, title="Elsewhere")
    guest = ws.guest_signup_and_accept(
        token=invitation.token, username="amara", password="long-enough-pw"
    )
    membership = Membership.objects.get(user=guest, organization=org)
    assert membership.role == Role.GUEST
    assert list(selectors.workshops_for(guest)) == [workshop]
    assert other not in selectors.workshops_for(guest)
    from reviews import selectors as core

    assert not core.reviews_for(guest).exists()
    assert not core.systems_for(guest).exists()
    assert not harm_selectors.harms_for(guest).exists()  # cards are read through the workshop
    add_harm(guest, workshop, category)  # and they can contribute
    assert WorkshopInvitation.objects.get(pk=invitation.pk).uses == 1


def test_revoked_and_expired_invitations_are_refused_with_a_reason(workshop, facilitator):
    revoked = ws.invitation_create(actor=facilitator, workshop=workshop)
    ws.invitation_revoke(actor=facilitator, invitation=revoked)
    with pytest.raises(Conflict, match="withdrawn"):
        ws.invitation_accept(user=make_user("late"), token=revoked.token)
    expired = ws.invitation_create(actor=facilitator, workshop=workshop)
    WorkshopInvitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(Conflict, match="expired"):
        ws.invitation_accept(user=make_user("later"), token=expired.token)
    with pytest.raises(Conflict, match="not valid"):
        ws.invitation_accept(user=make_user("guesser"), token="not-a-token")


def test_invitation_tokens_never_enter_the_event_log(workshop, facilitator):
    invitation = ws.invitation_create(actor=facilitator, workshop=workshop)
    logged = Event.objects.get(object_type="workshops.workshopinvitation")
    assert logged.after["token"] == "(redacted)"
    assert invitation.token not in str(logged.after)


def test_launch_gates_take_only_the_audit_engines_metric_names(review, owner):
    from audits.engine.names import SUMMARY_METRIC_NAMES

    gate = audit_services.launch_gate_create(
        actor=owner,
        review=review,
        metric="demographic_parity_ratio",
        sensitive_feature="race",
        comparator=">=",
        threshold=0.8,
        action="block_launch",
    )
    assert gate.metric in SUMMARY_METRIC_NAMES
    with pytest.raises(ServiceError) as info:
        audit_services.launch_gate_create(
            actor=owner,
            review=review,
            metric="vibes",
            comparator=">=",
            threshold=1,
            action="block_launch",
        )
    assert info.value.field == "metric"


def test_consequence_cards_are_sorted_act_influence_monitor(review, facilitator):
    scan = ws.workshop_create(
        actor=facilitator, review=review, title="Scan", format="consequence_scanning"
    )
    ws.workshop_set_status(actor=facilitator, workshop=scan, status="open")
    card = ws.consequence_create(
        actor=facilitator,
        workshop=scan,
        text="Faster decisions",
        intent="intended",
        valence="positive",
    )
    ws.workshop_set_round(actor=facilitator, workshop=scan, number=2)  # positives
    assert (
        ws.consequence_sort(actor=facilitator, consequence=card, disposition="monitor").disposition
        == "monitor"
    )
    with pytest.raises(ServiceError):
        ws.consequence_sort(actor=facilitator, consequence=card, disposition="ignore")
