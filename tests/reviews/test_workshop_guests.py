"""Guests land well: following an invitation lands a guest on their workshop's board (a
newcomer who signs up there: test_workshops_api_and_pages.py), and no link on a workshop
page they can reach leads to a 404 or a 403."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviews.workshops import services as ws
from tests.conftest import PASSWORD, make_user

HREF = re.compile(r'href="(/[^"#]*)"')


def links(html: str) -> set[str]:
    return {h.replace("&amp;", "&") for h in HREF.findall(html)} - {"/static/"}


def walk(client, start: list[str]) -> dict[str, int]:
    """Every page reachable in one step from the workshop pages, with its status."""
    seen: dict[str, int] = {}
    for page in start:
        response = client.get(page)
        assert response.status_code == 200, page
        for href in links(response.content.decode()):
            if href not in seen:
                seen[href] = client.get(href, follow=True).status_code
    return seen


@pytest.fixture
def rooms(review, facilitator, participant):
    """A harms board with a card and a consequence scan in its negatives round, where one
    consequence has become a harm card."""
    board = ws.workshop_create(actor=facilitator, review=review, title="Board")
    ws.workshop_set_status(actor=facilitator, workshop=board, status="open")
    scan = ws.workshop_create(
        actor=facilitator, review=review, title="Scan", format="consequence_scanning"
    )
    ws.workshop_set_status(actor=facilitator, workshop=scan, status="open")
    ws.workshop_join(actor=participant, workshop=scan)
    from reviews.harms.models import HarmCategory

    category = HarmCategory.objects.get(slug="opportunity-loss")
    ws.card_add(actor=facilitator, workshop=board, title="Thin files", category=category)
    card = ws.consequence_create(
        actor=participant, workshop=scan, text="Declines", intent="unintended", valence="negative"
    )
    ws.workshop_set_round(actor=facilitator, workshop=scan, number=3)
    ws.consequence_to_harm(actor=participant, consequence=card, category=category)
    return board, scan


def test_someone_with_an_account_logs_in_from_the_link_and_lands_on_the_board(
    rooms, facilitator, client
):
    board, _scan = rooms
    make_user("gina")
    invite = reverse(
        "invitation_accept", args=[ws.invitation_create(actor=facilitator, workshop=board).token]
    )
    login_url = client.get(invite).context["login_url"]
    after_login = client.post(login_url, {"username": "gina", "password": PASSWORD})
    assert after_login["Location"] == invite
    joined = client.post(invite)
    assert joined["Location"] == reverse("workshop_board", args=[board.pk])
    assert client.get(joined["Location"]).status_code == 200


def test_no_link_on_a_guests_workshop_pages_leads_to_a_404_or_403(rooms, facilitator, client):
    board, scan = rooms
    guest = make_user("gina")
    for room in rooms:
        token = ws.invitation_create(actor=facilitator, workshop=room).token
        ws.invitation_accept(user=guest, token=token)
    client.force_login(guest)
    pages = [reverse("workshop_list")] + [reverse("workshop_board", args=[w.pk]) for w in rooms]
    statuses = walk(client, pages)
    assert reverse("workshop_board", args=[scan.pk]) in statuses
    assert not any(href.startswith(f"/reviews/{board.review_id}") for href in statuses)
    assert {href: s for href, s in statuses.items() if s != 200} == {}


def test_no_link_on_a_participants_workshop_pages_leads_to_a_404_or_403(rooms, participant, client):
    client.force_login(participant)
    pages = [reverse("workshop_list")] + [reverse("workshop_board", args=[w.pk]) for w in rooms]
    statuses = walk(client, pages)
    assert reverse("harm_register", args=[rooms[0].review_id]) in statuses  # members may
    assert not any("dataset" in href for href in statuses)
    assert {href: s for href, s in statuses.items() if s != 200} == {}
