"""An approved (or archived) review is frozen: every workshop write under it is refused
with 409 and says why, and the board offers no write controls."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.ledger.models import Event
from orgs.plumbing.errors import Conflict
from reviews.harms.models import Harm, HarmCategory, Stakeholder
from reviews.models import Review, ReviewStatus
from reviews.workshops import services as ws
from reviews.workshops.models import (
    Consequence,
    Workshop,
    WorkshopInvitation,
    WorkshopParticipant,
)
from tests.conftest import api_as

FROZEN = "frozen"  # every refusal says the review is frozen (reviews/freeze.py)
NOTICE = "This review is approved, so the workshop is read-only."


@pytest.fixture
def room(review, facilitator, participant, reviewer):
    """Everything a write could touch, made while the review was a draft; then the review
    is approved. (Approval itself is tested in the reviews app: here the status is set
    directly so that these tests do not depend on what approval requires.)"""
    category = HarmCategory.objects.get(slug="opportunity-loss")
    board = ws.workshop_create(actor=facilitator, review=review, title="Board")
    ws.workshop_set_status(actor=facilitator, workshop=board, status="open")
    ws.workshop_join(actor=participant, workshop=board)
    card = ws.card_add(actor=participant, workshop=board, title="Thin files", category=category)
    ws.card_vote(actor=participant, workshop=board, harm=card)
    scan = ws.workshop_create(
        actor=facilitator, review=review, title="Scan", format="consequence_scanning"
    )
    ws.workshop_set_status(actor=facilitator, workshop=scan, status="open")
    ws.workshop_join(actor=participant, workshop=scan)
    negative = ws.consequence_create(
        actor=participant, workshop=scan, text="Declines", intent="unintended", valence="negative"
    )
    ws.workshop_set_round(actor=facilitator, workshop=scan, number=3)
    empty = ws.workshop_create(actor=facilitator, review=review, title="Unused")
    invitation = ws.invitation_create(actor=facilitator, workshop=board)
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED)
    return {
        "board": board,
        "scan": scan,
        "empty": empty,
        "card": card,
        "negative": negative,
        "invitation": invitation,
        "review": review,
        "category": category,
    }


def counts() -> tuple[int, ...]:
    return (
        Workshop.objects.count(),
        WorkshopParticipant.objects.count(),
        WorkshopInvitation.objects.filter(revoked_at=None).count(),
        Harm.objects.count(),
        Stakeholder.objects.count(),
        Consequence.objects.exclude(disposition="").count(),
        Event.objects.count(),
    )


# (who, method, url, body) for every workshop write of the API.
API_WRITES = {
    "workshop create": ("facilitator", "post", "/api/workshops/", "review"),
    "workshop update": ("facilitator", "patch", "/api/workshops/{board}/", {"title": "New"}),
    "workshop delete": ("facilitator", "delete", "/api/workshops/{empty}/", None),
    "workshop open": ("facilitator", "post", "/api/workshops/{empty}/open/", None),
    "workshop close": ("facilitator", "post", "/api/workshops/{board}/close/", None),
    "workshop round": ("facilitator", "post", "/api/workshops/{board}/round/", {"round": 2}),
    "workshop join": ("reviewer", "post", "/api/workshops/{board}/join/", {}),
    "card add": (
        "participant",
        "post",
        "/api/workshops/{board}/cards/",
        {"title": "New", "category": "opportunity-loss"},
    ),
    "card update": (
        "participant",
        "patch",
        "/api/workshops/{board}/cards/{card}/",
        {"title": "Reworded"},
    ),
    "card rate": (
        "participant",
        "post",
        "/api/workshops/{board}/ratings/",
        {"harm": "{card}", "severity": 3, "likelihood": 3, "scale": 3},
    ),
    "card vote": ("participant", "post", "/api/workshops/{board}/vote/", {"harm": "{card}"}),
    "card unvote": ("participant", "post", "/api/workshops/{board}/unvote/", {"harm": "{card}"}),
    "stakeholder add": (
        "participant",
        "post",
        "/api/workshops/{board}/stakeholders/",
        {"name": "Guarantors", "kind": "indirect"},
    ),
    "invitation create": ("facilitator", "post", "/api/invitations/", {"workshop": "{board}"}),
    "invitation update": (
        "facilitator",
        "patch",
        "/api/invitations/{invitation}/",
        {"label": "Tenants"},
    ),
    "invitation revoke": ("facilitator", "post", "/api/invitations/{invitation}/revoke/", None),
    "consequence create": (
        "participant",
        "post",
        "/api/consequences/",
        {"workshop": "{scan}", "text": "More", "intent": "intended", "valence": "negative"},
    ),
    "consequence sort": (
        "participant",
        "patch",
        "/api/consequences/{negative}/",
        {"disposition": "act"},
    ),
    "consequence to harm": (
        "participant",
        "post",
        "/api/consequences/{negative}/harm/",
        {"category": "opportunity-loss"},
    ),
}


def _fill(value, ids):
    if isinstance(value, str):
        text = value.format(**ids)
        return int(text) if text.isdigit() and value != text else text
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("write", sorted(API_WRITES))
def test_it_refuses_every_workshop_write_of_the_api_under_an_approved_review(
    room, write, facilitator, participant, reviewer
):
    who, method, url, body = API_WRITES[write]
    people = {"facilitator": facilitator, "participant": participant, "reviewer": reviewer}
    ids = {k: v.pk for k, v in room.items() if hasattr(v, "pk")}
    if body == "review":
        body = {"review": room["review"].pk, "title": "Another"}
    before = counts()
    response = getattr(api_as(people[who]), method)(
        _fill(url, ids), _fill(body, ids), format="json"
    )
    assert response.status_code == 409, response.content
    assert FROZEN in response.json()["detail"]
    assert counts() == before
    assert Workshop.objects.get(pk=room["board"].pk).title == "Board"


def test_it_refuses_the_services_under_an_archived_review_too(room, facilitator, participant):
    Review.objects.filter(pk=room["review"].pk).update(status=ReviewStatus.ARCHIVED)
    with pytest.raises(Conflict, match="archived, so it is frozen"):
        ws.card_vote(actor=participant, workshop=room["board"], harm=room["card"])
    with pytest.raises(Conflict, match=FROZEN):
        ws.workshop_update(actor=facilitator, workshop=room["board"], title="New")


def test_it_refuses_to_seat_anyone_through_a_link_once_the_review_is_approved(room, client):
    token = room["invitation"].token
    page = client.get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 410
    assert "finished, so the workshop is read-only" in page.content.decode()
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"username": "newcomer", "password": "a-long-password"},
    )
    assert response.status_code == 410
    assert not WorkshopParticipant.objects.filter(user__username="newcomer").exists()


# (who, url name, url args, form data) for every workshop write of the pages.
PAGE_WRITES = {
    "add card": (
        "participant",
        "workshop_add_card",
        ("board",),
        {"title": "New", "category": "opportunity-loss"},
    ),
    "rate": (
        "participant",
        "card_rate",
        ("board", "card"),
        {"severity": 3, "likelihood": 3, "scale": 3},
    ),
    "vote": ("participant", "card_vote", ("board", "card"), {}),
    "unvote": ("participant", "card_vote", ("board", "card"), {"remove": "1"}),
    "add stakeholder": (
        "participant",
        "workshop_add_stakeholder",
        ("board",),
        {"name": "Guarantors", "kind": "indirect"},
    ),
    "add consequence": (
        "participant",
        "workshop_add_consequence",
        ("scan",),
        {"text": "More", "intent": "intended", "valence": "negative"},
    ),
    "sort": ("participant", "consequence_sort", ("negative",), {"disposition": "act"}),
    "make harm": (
        "participant",
        "consequence_to_harm",
        ("negative",),
        {"category": "opportunity-loss"},
    ),
    "open": ("facilitator", "workshop_control", ("empty",), {"command": "open"}),
    "close": ("facilitator", "workshop_control", ("board",), {"command": "closed"}),
    "round": ("facilitator", "workshop_control", ("board",), {"command": "round", "round": "2"}),
    "join": ("reviewer", "workshop_control", ("board",), {"command": "join"}),
    "delete": ("facilitator", "workshop_control", ("empty",), {"command": "delete"}),
    "edit": ("facilitator", "workshop_edit", ("board",), {"edit-title": "New"}),
    "invite": ("facilitator", "workshop_invite", ("board",), {"days": "7"}),
    "revoke link": ("facilitator", "invitation_revoke", ("invitation",), {}),
    "edit link": ("facilitator", "invitation_edit", ("invitation",), {"label": "x"}),
}


@pytest.mark.parametrize("write", sorted(PAGE_WRITES))
def test_each_page_write_under_an_approved_review_says_the_review_is_frozen(
    room, write, client, facilitator, participant, reviewer
):
    who, name, args, data = PAGE_WRITES[write]
    people = {"facilitator": facilitator, "participant": participant, "reviewer": reviewer}
    client.force_login(people[who])
    if name == "workshop_edit":  # the whole prefilled form, as the browser sends it
        data = {**data, "edit-facilitator": facilitator.pk, "edit-votes_per_participant": "5"}
    if name == "invitation_edit":
        prefix = f"inv{room['invitation'].pk}-"
        data = {prefix + "label": "x", prefix + "days": "14", prefix + "max_uses": "50"}
    before = counts()
    response = client.post(reverse(name, args=[room[a].pk for a in args]), data, follow=True)
    assert response.status_code == 200
    assert "The review is approved, so it is frozen" in response.content.decode()
    assert counts() == before


def test_an_htmx_write_under_an_approved_review_answers_the_board_with_the_reason(
    room, client, participant
):
    client.force_login(participant)
    response = client.post(
        reverse("card_vote", args=[room["board"].pk, room["card"].pk]), HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page and FROZEN in page
    assert NOTICE in page


@pytest.mark.parametrize("who", ["facilitator", "participant"])
def test_the_board_of_an_approved_review_offers_no_write_controls(
    room, client, who, facilitator, participant
):
    client.force_login({"facilitator": facilitator, "participant": participant}[who])
    for key in ("board", "scan"):
        page = client.get(reverse("workshop_board", args=[room[key].pk])).content.decode()
        assert NOTICE in page
        for control in (
            "Add harm card",
            "Add consequence",
            "Add stakeholder",
            "Close workshop",
            "Go to round",
            "Create link",
            "Edit workshop",
            "+ vote",
            'name="severity"',
            "Make a harm card",
            'name="disposition"',
            "Join this workshop",
        ):
            assert control not in page, (key, control)


def test_the_live_board_drops_its_controls_when_the_review_is_approved(
    review, facilitator, participant, client
):
    board = ws.workshop_create(actor=facilitator, review=review, title="Board")
    ws.workshop_set_status(actor=facilitator, workshop=board, status="open")
    ws.workshop_join(actor=participant, workshop=board)
    ws.card_add(
        actor=participant,
        workshop=board,
        title="Thin files",
        category=HarmCategory.objects.get(slug="opportunity-loss"),
    )
    client.force_login(participant)
    url = reverse("workshop_board_fragment", args=[board.pk])
    first = client.get(url)
    assert "+ vote" in first.content.decode()
    version = first.context["version"]
    assert client.get(url, {"v": version}).status_code == 204
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.APPROVED)
    fresh = client.get(url, {"v": version})
    assert fresh.status_code == 200
    assert NOTICE in fresh.content.decode() and "+ vote" not in fresh.content.decode()
