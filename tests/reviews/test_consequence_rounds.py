"""Consequence scanning honours its rounds: round 1 lists every consequence, round 2 works
on the positives, round 3 on the negatives, where a negative consequence becomes a harm
card of the review's register in one action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.ledger.models import Event
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.harms.models import Harm, HarmCategory, HarmSource
from reviews.workshops import services as ws
from reviews.workshops.models import BoardCard, Consequence
from tests.conftest import api_as, make_user

TEXTS = {
    "Decisions in minutes": ("intended", "positive"),
    "Officers focus on hard cases": ("intended", "positive"),
    "Thin-file applicants declined\nand never told why": ("unintended", "negative"),
    "Staff trust the score over the person": ("unintended", "negative"),
}


@pytest.fixture
def scan(review, facilitator, participant):
    workshop = ws.workshop_create(
        actor=facilitator, review=review, title="Scan", format="consequence_scanning"
    )
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    ws.workshop_join(actor=participant, workshop=workshop)
    for text, (intent, valence) in TEXTS.items():
        ws.consequence_create(
            actor=participant, workshop=workshop, text=text, intent=intent, valence=valence
        )
    return workshop


@pytest.fixture
def declined(scan):
    return scan.consequences.get(text__startswith="Thin-file")


@pytest.fixture
def category(db):
    return HarmCategory.objects.get(slug="opportunity-loss")


def to_round(scan, facilitator, number):
    return ws.workshop_set_round(actor=facilitator, workshop=scan, number=number)


def shown(client, scan) -> list[str]:
    response = client.get(reverse("workshop_board", args=[scan.pk]))
    return sorted(c["card"].text for c in response.context["consequences"])


def test_each_round_shows_the_consequences_it_works_on(scan, facilitator, client):
    client.force_login(facilitator)
    assert shown(client, scan) == sorted(TEXTS)
    to_round(scan, facilitator, 2)
    assert shown(client, scan) == ["Decisions in minutes", "Officers focus on hard cases"]
    to_round(scan, facilitator, 3)
    assert shown(client, scan) == [
        "Staff trust the score over the person",
        "Thin-file applicants declined\nand never told why",
    ]
    page = client.get(reverse("workshop_board", args=[scan.pk])).content.decode()
    assert "Round 3: Negatives to mitigate" in page and "Decisions in minutes" not in page


def test_a_round_adds_only_its_own_kind_of_consequence(scan, facilitator, participant, client):
    to_round(scan, facilitator, 2)
    with pytest.raises(ServiceError) as refused:
        ws.consequence_create(
            actor=participant, workshop=scan, text="x", intent="unintended", valence="negative"
        )
    assert refused.value.field == "valence"
    assert "about positive consequences" in refused.value.message
    client.force_login(participant)
    page = client.get(reverse("workshop_board", args=[scan.pk])).content.decode()
    assert '<input type="hidden" name="valence" value="positive"' in page
    assert "Add positive consequence" in page


def test_sorting_happens_in_the_round_of_the_cards_valence(scan, facilitator, participant):
    good = scan.consequences.get(text="Decisions in minutes")
    bad = scan.consequences.get(text="Staff trust the score over the person")
    with pytest.raises(Conflict, match="round 2, “Positives to focus on”"):
        ws.consequence_sort(actor=participant, consequence=good, disposition="act")
    to_round(scan, facilitator, 2)
    assert (
        ws.consequence_sort(actor=participant, consequence=good, disposition="act").disposition
        == "act"
    )
    with pytest.raises(Conflict, match="round 3, “Negatives to mitigate”"):
        ws.consequence_sort(actor=participant, consequence=bad, disposition="monitor")
    to_round(scan, facilitator, 3)
    ws.consequence_sort(actor=participant, consequence=bad, disposition="monitor")
    assert Consequence.objects.get(pk=bad.pk).disposition == "monitor"


def test_a_negative_consequence_becomes_a_harm_card_once(
    scan, declined, facilitator, participant, category
):
    to_round(scan, facilitator, 3)
    harm, created = ws.consequence_to_harm(
        actor=participant, consequence=declined, category=category
    )
    assert created
    assert harm.title == "Thin-file applicants declined"
    assert harm.description == (
        "From consequence scanning in “Scan”: Thin-file applicants declined\nand never told why"
    )
    assert (harm.review_id, harm.category, harm.source) == (
        scan.review_id,
        category,
        HarmSource.WORKSHOP,
    )
    assert harm.author == participant
    assert BoardCard.objects.get(harm=harm).workshop == scan
    assert Consequence.objects.get(pk=declined.pk).harm == harm
    event = Event.objects.filter(
        object_type="workshops.consequence", object_id=str(declined.pk), verb="update"
    ).latest("seq")
    assert (event.before["harm_id"], event.after["harm_id"]) == (None, harm.pk)
    assert Event.objects.filter(object_type="harms.harm", object_id=str(harm.pk)).exists()

    events = Event.objects.count()
    again, created = ws.consequence_to_harm(
        actor=facilitator, consequence=declined, category=HarmCategory.objects.last()
    )
    assert (again, created) == (harm, False)
    assert Harm.objects.filter(review=scan.review).count() == 1
    assert Event.objects.count() == events


def test_only_a_negative_consequence_in_the_negatives_round_becomes_a_harm(
    scan, declined, facilitator, participant, category
):
    with pytest.raises(Conflict, match="round 3"):
        ws.consequence_to_harm(actor=participant, consequence=declined, category=category)
    to_round(scan, facilitator, 3)
    good = scan.consequences.get(text="Decisions in minutes")
    with pytest.raises(Conflict, match="Only a negative consequence"):
        ws.consequence_to_harm(actor=participant, consequence=good, category=category)
    assert not Harm.objects.exists()


def test_an_anonymous_scan_hides_who_made_the_harm(review, facilitator, participant, category):
    scan = ws.workshop_create(
        actor=facilitator,
        review=review,
        title="Quiet",
        format="consequence_scanning",
        anonymous=True,
    )
    ws.workshop_set_status(actor=facilitator, workshop=scan, status="open")
    ws.workshop_join(actor=participant, workshop=scan)
    ws.workshop_set_round(actor=facilitator, workshop=scan, number=3)
    card = ws.consequence_create(
        actor=participant, workshop=scan, text="Harm", intent="unintended", valence="negative"
    )
    harm, _ = ws.consequence_to_harm(actor=participant, consequence=card, category=category)
    assert harm.author_hidden
    assert Event.objects.get(object_type="harms.harm", object_id=str(harm.pk)).anonymous


def test_the_api_makes_a_harm_then_answers_the_same_one(
    scan, declined, facilitator, participant, viewer, outsider
):
    to_round(scan, facilitator, 3)
    url = f"/api/consequences/{declined.pk}/harm/"
    body = {"category": "opportunity-loss"}
    first = api_as(participant).post(url, body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["title"] == "Thin-file applicants declined"
    again = api_as(participant).post(url, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert api_as(participant).post(url, {"category": "nope"}, format="json").status_code == 400
    assert api_as(viewer).post(url, body, format="json").status_code == 403
    assert api_as(outsider).post(url, body, format="json").status_code == 404
    listed = api_as(participant).get(f"/api/consequences/{declined.pk}/").json()
    assert listed["harm"] == first.json()["id"]
    # The harm is a card of the scan's board, so it is rated there.
    rated = api_as(participant).post(
        f"/api/workshops/{scan.pk}/ratings/",
        {"harm": listed["harm"], "severity": 4, "likelihood": 3, "scale": 2},
        format="json",
    )
    assert rated.status_code == 201, rated.content


def test_the_board_makes_the_harm_with_one_button_and_then_links_it(
    scan, declined, facilitator, participant, client
):
    to_round(scan, facilitator, 3)
    client.force_login(participant)
    board = client.get(reverse("workshop_board", args=[scan.pk])).content.decode()
    assert board.count("Make a harm card") == 2
    response = client.post(
        reverse("consequence_to_harm", args=[declined.pk]),
        {"category": "privacy-loss"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "is now a harm card of the review" in page
    assert page.count("Make a harm card") == 1
    harm = Consequence.objects.get(pk=declined.pk).harm
    assert harm.category.slug == "privacy-loss"
    register = reverse("harm_register", args=[scan.review_id])
    assert f'Harm card: <a href="{register}">Thin-file applicants declined</a>' in page


def test_a_guest_sees_the_harm_made_but_no_link_to_a_register_they_cannot_open(
    scan, declined, facilitator, category, client
):
    guest = make_user("gina")
    ws.invitation_accept(
        user=guest, token=ws.invitation_create(actor=facilitator, workshop=scan).token
    )
    to_round(scan, facilitator, 3)
    ws.consequence_to_harm(actor=guest, consequence=declined, category=category)
    client.force_login(guest)
    page = client.get(reverse("workshop_board", args=[scan.pk])).content.decode()
    assert "Harm card: Thin-file applicants declined" in page
    assert reverse("harm_register", args=[scan.review_id]) not in page
    assert client.get(reverse("harm_register", args=[scan.review_id])).status_code == 404
