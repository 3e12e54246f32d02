import pytest
from django.core.exceptions import PermissionDenied

from orgs import services as org_services
from orgs.ledger.models import Event
from orgs.members import services as member_services
from orgs.models import Role
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import readiness, services
from reviews.models import Decision, ReviewStatus
from tests.conftest import add_member, make_user


def _to_review(review, actor):
    return services.review_transition(actor=actor, review=review, to=ReviewStatus.IN_REVIEW)


def test_it_approves_only_after_an_owner_and_a_reviewer_signed(review, owner, reviewer):
    review = _to_review(review, owner)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    with pytest.raises(Conflict, match="still needed from reviewer"):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    review = services.review_transition(actor=reviewer, review=review, to=ReviewStatus.APPROVED)
    assert review.status == ReviewStatus.APPROVED


def test_it_needs_different_people_for_repeated_required_roles(org, review, owner, reviewer):
    org_services.organization_update(
        actor=owner, organization=org, required_signoff_roles=["reviewer", "reviewer"]
    )
    review = _to_review(review, owner)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    with pytest.raises(Conflict, match="still needed from reviewer"):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED)
    second = make_user("rhea")
    add_member(org, second, Role.REVIEWER)
    services.signoff_create(actor=second, review=review, decision=Decision.APPROVE)
    assert (
        services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED).status
        == ReviewStatus.APPROVED
    )


def test_it_refuses_a_second_signoff_by_the_same_person_in_a_round(review, owner):
    review = _to_review(review, owner)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    with pytest.raises(Conflict, match="already signed"):
        services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)


def test_it_refuses_approval_when_someone_rejected_in_this_round(review, owner, reviewer):
    review = _to_review(review, owner)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    services.signoff_create(
        actor=reviewer, review=review, decision=Decision.REJECT, comment="Thin-file bias"
    )
    with pytest.raises(Conflict, match="Rejected in this round by ravi"):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED)


def test_it_only_counts_signoffs_of_the_current_round(review, owner, reviewer):
    review = _to_review(review, owner)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.DRAFT)
    review = _to_review(review, owner)
    assert review.round == 2
    assert readiness.missing_signoffs(review) == ["owner", "reviewer"]
    assert review.signoffs.count() == 2  # the earlier round stays as history


def test_a_participant_cannot_approve_or_sign(review, owner, participant):
    review = _to_review(review, owner)
    with pytest.raises(PermissionDenied, match="participant"):
        services.review_transition(actor=participant, review=review, to=ReviewStatus.APPROVED)
    with pytest.raises(PermissionDenied):
        services.signoff_create(actor=participant, review=review, decision=Decision.APPROVE)


def test_a_facilitator_can_send_for_review_but_not_approve(review, owner, facilitator, reviewer):
    review = _to_review(review, facilitator)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    with pytest.raises(PermissionDenied, match="facilitator"):
        services.review_transition(actor=facilitator, review=review, to=ReviewStatus.APPROVED)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (ReviewStatus.DRAFT, ReviewStatus.APPROVED),
        (ReviewStatus.DRAFT, ReviewStatus.REJECTED),
    ],
)
def test_it_refuses_illegal_transitions_with_a_clear_message(review, owner, start, to):
    with pytest.raises(Conflict, match=f"cannot move from {start.label.lower()}"):
        services.review_transition(actor=owner, review=review, to=to)
    review.refresh_from_db()
    assert review.status == start


def test_rejecting_needs_a_reason_and_records_the_rejection(review, owner):
    review = _to_review(review, owner)
    with pytest.raises(ServiceError, match="why"):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.REJECTED)
    review = services.review_transition(
        actor=owner, review=review, to=ReviewStatus.REJECTED, comment="No subgroup audit"
    )
    assert review.status == ReviewStatus.REJECTED
    signoff = review.signoffs.get()
    assert (signoff.decision, signoff.comment) == (Decision.REJECT, "No subgroup audit")


def test_a_failed_transition_writes_nothing(review, owner):
    before = Event.objects.count()
    with pytest.raises(Conflict):
        services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED)
    assert Event.objects.count() == before


def test_every_write_is_logged_with_before_and_after(review, owner):
    review = services.review_update(actor=owner, review=review, title="Renamed")
    event = Event.objects.filter(verb="update", object_type="reviews.review").get()
    assert event.before["title"] == "Pre-launch review"
    assert event.after["title"] == "Renamed"
    assert event.actor_username == "olivia"


def test_an_organization_keeps_at_least_one_owner(org, owner):
    membership = org.memberships.get(user=owner)
    with pytest.raises(Conflict, match="at least one owner"):
        member_services.membership_change_role(actor=owner, membership=membership, role=Role.VIEWER)


def test_a_lead_must_belong_to_the_organization(system, owner, outsider):
    with pytest.raises(ServiceError) as info:
        services.review_create(actor=owner, system=system, title="x", lead=outsider)
    assert info.value.field == "lead"


def test_a_duplicate_task_delivery_does_nothing(org, owner):
    from orgs.ledger import services as ledger
    from orgs.ledger.models import ChainVerification

    verification = ChainVerification.objects.create(organization=org, requested_by=owner)
    first = ledger.verification_run(verification_id=verification.pk, worker="w1")
    second = ledger.verification_run(verification_id=verification.pk, worker="w2")
    assert first is not None and first.intact is True
    assert second is None
    assert ChainVerification.objects.get(pk=verification.pk).worker == "w1"
