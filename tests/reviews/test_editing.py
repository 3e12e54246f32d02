"""Editing through pages and services: systems, reviews, stakeholders, harms (with status
rules), mitigations (with evidence links); deleting with confirmation; frozen reviews."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.ledger.models import Event
from orgs.plumbing.errors import Conflict, ServiceError
from reviews import services
from reviews.harms import services as harms
from reviews.harms.models import Harm, HarmCategory, Mitigation, Stakeholder
from reviews.models import AISystem, Decision, Review, ReviewStatus
from tests.conftest import api_as


@pytest.fixture
def category(db):
    return HarmCategory.objects.get(slug="opportunity-loss")


@pytest.fixture
def harm(review, owner, category):
    return harms.harm_create(actor=owner, review=review, title="Thin files", category=category)


def _last_event(instance):
    return (
        Event.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
        .order_by("-seq")
        .first()
    )


def _approved(review, owner, reviewer):
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.IN_REVIEW)
    services.signoff_create(actor=owner, review=review, decision=Decision.APPROVE)
    services.signoff_create(actor=reviewer, review=review, decision=Decision.APPROVE)
    return services.review_transition(actor=owner, review=review, to=ReviewStatus.APPROVED)


# --- Edit pages -----------------------------------------------------------------------------


def test_editing_a_system_on_its_page_records_before_and_after(system, owner, client_as):
    client = client_as(owner)
    url = reverse("system_edit", args=[system.pk])
    assert 'value="Credit model"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": "Credit model v2", "purpose": "Loans", "domain": "lending", "owner": owner.pk},
    )
    assert response.status_code == 302 and response.url == f"/systems/{system.pk}/"
    system.refresh_from_db()
    assert system.name == "Credit model v2"
    event = _last_event(system)
    assert (event.verb, event.before["name"], event.after["name"]) == (
        "update",
        "Credit model",
        "Credit model v2",
    )


def test_a_system_with_reviews_is_not_deleted_and_the_page_says_why(
    system, review, owner, client_as
):
    response = client_as(owner).post(reverse("system_delete", args=[system.pk]), follow=True)
    assert "archive them instead" in response.content.decode()
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_editing_a_review_refuses_an_outsider_and_validates(review, owner, outsider, client_as):
    url = reverse("review_edit", args=[review.pk])
    assert client_as(outsider).get(url).status_code == 404
    response = client_as(owner).post(url, {"title": "", "system_version": "2"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    review.refresh_from_db()
    assert review.system_version != "2"


def test_deleting_a_draft_review_needs_the_box_ticked(review, owner, client_as):
    client = client_as(owner)
    client.post(reverse("review_delete", args=[review.pk]))
    assert Review.objects.filter(pk=review.pk).exists()
    response = client.post(reverse("review_delete", args=[review.pk]), {"confirm": "yes"})
    assert response.status_code == 302
    assert not Review.objects.filter(pk=review.pk).exists()
    assert Event.objects.filter(verb="delete", object_type="reviews.review").count() == 1


def test_an_abandoned_draft_can_be_archived(review, owner):
    review = services.review_transition(actor=owner, review=review, to=ReviewStatus.ARCHIVED)
    assert review.status == ReviewStatus.ARCHIVED


def test_stakeholders_are_added_edited_and_deleted_on_their_page(review, owner, client_as):
    client = client_as(owner)
    url = reverse("stakeholders", args=[review.pk])
    assert "No stakeholders yet." in client.get(url).content.decode()
    client.post(url, {"name": "Applicants <script>", "kind": "direct", "vulnerable": "on"})
    stakeholder = Stakeholder.objects.get(review=review)
    page = client.get(url).content.decode()
    assert "Applicants &lt;script&gt;" in page and "vulnerable" in page
    client.post(
        reverse("stakeholder_edit", args=[stakeholder.pk]),
        {"name": "Thin-file applicants", "kind": "direct", "description": "No credit history"},
    )
    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.vulnerable) == ("Thin-file applicants", False)
    client.post(reverse("stakeholder_delete", args=[stakeholder.pk]))
    assert not Stakeholder.objects.filter(pk=stakeholder.pk).exists()


def test_a_harm_is_added_rated_and_edited_in_the_register(review, owner, category, client_as):
    client = client_as(owner)
    response = client.post(
        reverse("harm_add", args=[review.pk]),
        {"title": "Thin files", "category": category.slug, "source": "incident"},
    )
    harm = Harm.objects.get(review=review)
    assert response.url == f"/reviews/{review.pk}/register/#harm-{harm.pk}"
    client.post(reverse("harm_rate", args=[harm.pk]), {"severity": 4, "likelihood": 3, "scale": 2})
    page = client.get(reverse("harm_register", args=[review.pk])).content.decode()
    assert f'id="harm-{harm.pk}"' in page and "Your rating: 4/3/2" in page
    client.post(
        reverse("harm_edit", args=[harm.pk]),
        {
            "title": "Thin credit files",
            "description": "",
            "category": category.slug,
            "status": "open",
            "status_note": "",
        },
    )
    harm.refresh_from_db()
    assert harm.title == "Thin credit files"
    event = _last_event(harm)
    assert (event.before["title"], event.after["title"]) == ("Thin files", "Thin credit files")


# --- Harm status says something true -------------------------------------------------------


def test_a_harm_is_mitigated_only_once_a_mitigation_is_done(harm, owner):
    with pytest.raises(ServiceError, match="mark it done first") as refused:
        harms.harm_update(actor=owner, harm=harm, status="mitigated")
    assert refused.value.field == "status"
    harms.mitigation_create(actor=owner, harm=harm, action="Manual review", owner=owner)
    with pytest.raises(ServiceError, match="mark it done first"):
        harms.harm_update(actor=owner, harm=harm, status="mitigated")
    mitigation = Mitigation.objects.get(harm=harm)
    harms.mitigation_update(actor=owner, mitigation=mitigation, status="done")
    assert harms.harm_update(actor=owner, harm=harm, status="mitigated").status == "mitigated"


def test_a_blocking_harm_is_accepted_only_with_a_recorded_acceptance(review, harm, owner):
    harms.rating_set(actor=owner, harm=harm, severity=5, likelihood=5, scale=5)
    with pytest.raises(ServiceError, match="record a risk acceptance") as refused:
        harms.harm_update(actor=owner, harm=harm, status="accepted")
    assert refused.value.field == "status"
    services.risk_accept(
        actor=owner,
        review=review,
        target_type="harm",
        target_id=harm.pk,
        justification="Pilot.",
        expires_on=services.readiness.default_expiry(),
    )
    assert harms.harm_update(actor=owner, harm=harm, status="accepted").status == "accepted"


def test_closing_a_harm_needs_a_reason(harm, owner):
    with pytest.raises(ServiceError) as refused:
        harms.harm_update(actor=owner, harm=harm, status="closed")
    assert refused.value.field == "status_note"
    harm = harms.harm_update(
        actor=owner, harm=harm, status="closed", status_note="The postcode feature was removed."
    )
    assert (harm.status, harm.status_note) == ("closed", "The postcode feature was removed.")


def test_the_edit_page_shows_a_status_refusal_beside_the_field(harm, owner, category, client_as):
    response = client_as(owner).post(
        reverse("harm_edit", args=[harm.pk]),
        {"title": harm.title, "category": category.slug, "status": "closed"},
    )
    assert response.status_code == 200
    assert "Say why the harm is closed" in response.content.decode()
    harm.refresh_from_db()
    assert harm.status == "open"


# --- Deleting a rated harm asks first -------------------------------------------------------


def test_deleting_a_rated_harm_asks_for_confirmation_everywhere(harm, owner, client_as):
    harms.rating_set(actor=owner, harm=harm, severity=2, likelihood=2, scale=2)
    with pytest.raises(Conflict, match="has 1 rating; deleting the harm deletes them too"):
        harms.harm_delete(actor=owner, harm=harm)
    client = client_as(owner)
    page = client.get(reverse("harm_edit", args=[harm.pk])).content.decode()
    assert "Yes, delete it with its 1 rating." in page
    response = client.post(reverse("harm_delete", args=[harm.pk]), follow=True)
    assert "Confirm to go ahead" in response.content.decode()
    api = api_as(owner)
    assert api.delete(f"/api/harms/{harm.pk}/").status_code == 409
    assert Harm.objects.filter(pk=harm.pk).exists()
    assert api.delete(f"/api/harms/{harm.pk}/?confirm=true").status_code == 204
    assert not Harm.objects.filter(pk=harm.pk).exists()


# --- Mitigations ----------------------------------------------------------------------------


def test_a_mitigation_is_edited_with_an_evidence_link_that_must_be_a_web_address(
    harm, owner, client_as
):
    mitigation = harms.mitigation_create(actor=owner, harm=harm, action="Manual", owner=owner)
    for bad in ("javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x"):
        with pytest.raises(ServiceError) as refused:
            harms.mitigation_update(actor=owner, mitigation=mitigation, evidence_url=bad)
        assert refused.value.field == "evidence_url"
    client = client_as(owner)
    client.post(
        reverse("mitigation_edit", args=[mitigation.pk]),
        {
            "action": "Manual review of declines",
            "owner": owner.pk,
            "status": "in_progress",
            "disposition": "act",
            "evidence_url": "https://tickets.example/RISK-12?a=1&b=2",
        },
    )
    mitigation.refresh_from_db()
    assert (mitigation.status, mitigation.evidence_url) == (
        "in_progress",
        "https://tickets.example/RISK-12?a=1&b=2",
    )
    page = client.get(reverse("harm_register", args=[harm.review_id])).content.decode()
    assert 'href="https://tickets.example/RISK-12?a=1&amp;b=2"' in page
    event = _last_event(mitigation)
    assert (event.before["status"], event.after["status"]) == ("planned", "in_progress")


# --- Frozen reviews -------------------------------------------------------------------------


def test_an_approved_review_refuses_every_write_under_it(review, harm, owner, reviewer, category):
    stakeholder = harms.stakeholder_create(actor=owner, review=review, name="S", kind="direct")
    mitigation = harms.mitigation_create(actor=owner, harm=harm, action="M", owner=owner)
    review = _approved(review, owner, reviewer)
    harm.refresh_from_db()
    writes = {
        "review": lambda: services.review_update(actor=owner, review=review, title="x"),
        "stakeholder add": lambda: harms.stakeholder_create(
            actor=owner, review=review, name="T", kind="direct"
        ),
        "stakeholder edit": lambda: harms.stakeholder_update(
            actor=owner, stakeholder=stakeholder, name="x"
        ),
        "stakeholder delete": lambda: harms.stakeholder_delete(
            actor=owner, stakeholder=stakeholder
        ),
        "harm add": lambda: harms.harm_create(
            actor=owner, review=review, title="x", category=category
        ),
        "harm edit": lambda: harms.harm_update(actor=owner, harm=harm, title="x"),
        "harm delete": lambda: harms.harm_delete(actor=owner, harm=harm, confirmed=True),
        "rating": lambda: harms.rating_set(
            actor=owner, harm=harm, severity=1, likelihood=1, scale=1
        ),
        "mitigation add": lambda: harms.mitigation_create(
            actor=owner, harm=harm, action="x", owner=owner
        ),
        "mitigation edit": lambda: harms.mitigation_update(
            actor=owner, mitigation=mitigation, action="x"
        ),
        "mitigation delete": lambda: harms.mitigation_delete(actor=owner, mitigation=mitigation),
        "risk acceptance": lambda: services.risk_accept(
            actor=owner,
            review=review,
            target_type="harm",
            target_id=harm.pk,
            justification="x",
            expires_on=services.readiness.default_expiry(),
        ),
    }
    events = Event.objects.count()
    for name, write in writes.items():
        try:
            write()
        except Conflict as refused:
            assert "so it is frozen" in refused.message, name
            assert "An owner can reopen it" in refused.message, name
        else:
            pytest.fail(f"{name} was not refused")
    assert Event.objects.count() == events
    assert Harm.objects.get(pk=harm.pk).title == "Thin files"


def test_the_api_answers_409_under_an_approved_review_and_reopening_unfreezes(
    review, harm, owner, reviewer
):
    review = _approved(review, owner, reviewer)
    api = api_as(owner)
    response = api.patch(f"/api/harms/{harm.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 409
    assert "frozen" in response.json()["detail"]
    response = api.post(
        "/api/mitigations/", {"harm": harm.pk, "action": "x", "owner": owner.username}
    )
    assert response.status_code == 409
    reopened = api.post(f"/api/reviews/{review.pk}/transition/", {"to": "in_review"})
    assert reopened.status_code == 200 and reopened.json()["round"] == 2
    assert api.patch(f"/api/harms/{harm.pk}/", {"title": "x"}, format="json").status_code == 200


def test_the_pages_of_an_approved_review_offer_no_edits_and_say_why(
    review, harm, owner, reviewer, client_as
):
    review = _approved(review, owner, reviewer)
    client = client_as(owner)
    page = client.get(reverse("review_detail", args=[review.pk])).content.decode()
    assert "so it is frozen" in page and "Reopen (starts a new sign-off round)" in page
    assert reverse("review_edit", args=[review.pk]) not in page
    register = client.get(reverse("harm_register", args=[review.pk])).content.decode()
    assert "the register is read-only" in register
    assert reverse("harm_edit", args=[harm.pk]) not in register
    assert "Add a harm" not in register and "Add mitigation" not in register
    response = client.get(reverse("harm_edit", args=[harm.pk]), follow=True)
    assert "so it is frozen" in response.content.decode()
