"""The live board holds a real workshop: constant queries per render and per poll whatever
the number of cards, polls that send only what changed, and changes everyone sees."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.board import selectors as board_selectors
from reviews.workshops import services as ws
from tests.perf import fill

from .conftest import add_harm


@pytest.fixture(autouse=True)
def _no_remembered_state(monkeypatch):
    """A poll answers from a state remembered for a second (changes made outside the
    board wait that long); these tests look at once."""
    monkeypatch.setattr(board_selectors, "STATE_SECONDS", 0)


def test_a_change_made_outside_the_board_waits_for_the_remembered_state_to_lapse(
    workshop, seated, owner, category, client, monkeypatch
):
    from django.core.cache import cache

    from reviews.harms import services as harms

    monkeypatch.setattr(board_selectors, "STATE_SECONDS", 60)
    harm = add_harm(seated, workshop, category, "Old wording")
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    harms.harm_update(actor=owner, harm=harm, title="New wording")
    assert client.get(url, {"v": version}).status_code == 204  # remembered
    ws.card_rate(actor=seated, workshop=workshop, harm=harm, severity=2, likelihood=2, scale=2)
    assert client.get(url, {"v": version}).status_code == 200  # a board write shows at once
    cache.clear()  # what the lapse of STATE_SECONDS does
    body = client.get(url, {"v": version}).content.decode()
    assert "New wording" in body


def _board(workshop, n, users):
    fill.board(workshop, n, users)
    workshop.refresh_from_db()


def _count(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    return len(queries), response


def test_the_board_page_and_a_full_poll_take_the_same_queries_at_10_and_500_cards(
    workshop, seated, facilitator, client
):
    client.force_login(seated)
    page_url = reverse("workshop_board", args=[workshop.pk])
    poll_url = reverse("workshop_board_fragment", args=[workshop.pk])
    counts = {}
    for n, more in [(10, 10), (500, 490)]:
        _board(workshop, more, [seated, facilitator])
        page_queries, page = _count(client, page_url)
        poll_queries, full = _count(client, poll_url)
        assert page.content.decode().count('data-testid="harm-card"') == n
        assert f"{n} cards" in full.content.decode()
        counts[n] = (page_queries, poll_queries)
    assert counts[10] == counts[500], counts
    page_queries, poll_queries = counts[500]
    # The page's share includes the header's policy checks (one per capability's link).
    assert page_queries <= 45 and poll_queries <= 32, counts


@pytest.mark.parametrize("n", [10, 500])
def test_a_poll_takes_the_same_queries_at_10_and_500_cards(
    workshop, seated, facilitator, client, django_assert_max_num_queries, n
):
    cards = fill.board(workshop, n, [seated, facilitator])
    workshop.refresh_from_db()
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = board_selectors.board_version(workshop)
    with django_assert_max_num_queries(9):
        assert client.get(url, {"v": version}).status_code == 204
    ws.card_rate(
        actor=facilitator, workshop=workshop, harm=cards[3], severity=5, likelihood=5, scale=5
    )
    with django_assert_max_num_queries(21):
        changed = client.get(url, {"v": version})
    body = changed.content.decode()
    assert changed.status_code == 200
    # Only the rated card's shared part comes, out of band; no card is sent whole.
    assert body.count('hx-swap-oob="true"') == 3  # the card, the count, the matrix
    assert f'id="card-live-{cards[3].pk}"' in body
    assert 'data-testid="harm-card"' not in body


def test_a_rating_by_someone_else_changes_only_that_card_and_keeps_my_form(
    workshop, seated, reviewer, category, client
):
    harm = add_harm(seated, workshop, category, "Thin files")
    other = add_harm(seated, workshop, category, "Opaque reasons")
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    ws.workshop_join(actor=reviewer, workshop=workshop)
    # Joining changes the people in the room: the whole board comes again.
    full = client.get(url, {"v": version})
    assert full["HX-Retarget"] == "#board" and 'id="board"' in full.content.decode()
    version = full.context["version"]
    ws.card_rate(actor=reviewer, workshop=workshop, harm=harm, severity=4, likelihood=2, scale=3)
    delta = client.get(url, {"v": version})
    body = delta.content.decode()
    assert "severity 4 · likelihood 2" in body and "1 rating" in body
    assert f"card-live-{other.pk}" not in body
    assert 'name="severity"' not in body  # the reader's own half-filled form stays
    assert "HX-Retarget" not in delta
    assert client.get(url, {"v": delta.context["version"]}).status_code == 204


def test_a_new_card_reaches_others_whole_with_their_own_forms(
    workshop, seated, facilitator, category, client
):
    add_harm(seated, workshop, category, "First")
    ws.workshop_join(actor=facilitator, workshop=workshop)
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    add_harm(facilitator, workshop, category, "Second card")
    body = client.get(url, {"v": version}).content.decode()
    assert 'hx-swap-oob="beforeend:#cards"' in body
    assert "Second card" in body and 'aria-label="Vote for Second card"' in body
    assert "2 cards" in body


def test_a_card_deleted_in_the_register_redraws_the_board(
    workshop, seated, owner, category, client
):
    from reviews.harms import services as harms

    harm = add_harm(seated, workshop, category, "Gone soon")
    add_harm(seated, workshop, category, "Stays")
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    harms.harm_delete(actor=owner, harm=harm)
    fresh = client.get(url, {"v": version})
    assert fresh["HX-Retarget"] == "#board"
    assert "Gone soon" not in fresh.content.decode() and "Stays" in fresh.content.decode()


def test_an_edit_in_the_register_reaches_the_board(workshop, seated, owner, category, client):
    from reviews.harms import services as harms

    harm = add_harm(seated, workshop, category, "Old wording")
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    harms.harm_update(actor=owner, harm=harm, title="New wording")
    body = client.get(url, {"v": version}).content.decode()
    assert "New wording" in body and f"card-live-{harm.pk}" in body


def test_sorting_a_consequence_changes_what_the_others_see(
    review, facilitator, participant, client
):
    workshop = ws.workshop_create(
        actor=facilitator, review=review, title="Scan", format="consequence_scanning"
    )
    ws.workshop_set_status(actor=facilitator, workshop=workshop, status="open")
    ws.workshop_join(actor=participant, workshop=workshop)
    card = ws.consequence_create(
        actor=participant,
        workshop=workshop,
        text="Fewer branch visits",
        intent="unintended",
        valence="positive",
    )
    ws.workshop_set_round(actor=facilitator, workshop=workshop, number=2)
    client.force_login(participant)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = client.get(url).context["version"]
    ws.consequence_sort(actor=facilitator, consequence=card, disposition="monitor")
    delta = client.get(url, {"v": version})
    assert delta.status_code == 200
    body = delta.content.decode()
    assert f'id="consequence-live-{card.pk}"' in body and "Monitor" in body


def test_fifty_participants_share_one_drawing_of_a_changed_card(
    workshop, seated, reviewer, category, client_as
):
    """After a rating, the second reader asking from the same state gets the first
    reader's answer from the cache, in fewer queries."""
    harm = add_harm(seated, workshop, category, "Shared")
    ws.workshop_join(actor=reviewer, workshop=workshop)
    first_client, second_client = client_as(seated), client_as(reviewer)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    version = first_client.get(url).context["version"]
    ws.card_rate(actor=seated, workshop=workshop, harm=harm, severity=3, likelihood=3, scale=3)
    first_queries, first = _count(first_client, url, {"v": version})
    second_queries, second = _count(second_client, url, {"v": version})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and "risk 9" in first.content.decode()
    assert second_queries < first_queries


def test_a_token_that_is_not_a_board_state_gets_the_whole_board(workshop, seated, client):
    client.force_login(seated)
    url = reverse("workshop_board_fragment", args=[workshop.pk])
    for token in ["", "x", "1.2.3", "9" * 40 + ".1.1.1.1.abc", "1.1.1.1.1.x.y"]:
        response = client.get(url, {"v": token})
        assert response.status_code == 200 and 'id="board"' in response.content.decode()


def test_the_writer_gets_their_card_whole_and_not_the_whole_board(
    workshop, seated, category, client
):
    harm = add_harm(seated, workshop, category, "Mine to rate")
    add_harm(seated, workshop, category, "Someone else's")
    client.force_login(seated)
    version = client.get(reverse("workshop_board", args=[workshop.pk])).context["version"]
    response = client.post(
        reverse("card_rate", args=[workshop.pk, harm.pk]),
        {"severity": 5, "likelihood": 4, "scale": 3, "v": version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#board-poll"
    assert 'id="board"' not in body and "Someone else" not in body
    assert f'id="card-{harm.pk}"' in body and "Update rating" in body
    assert "risk 20" in body and 'id="votes-left"' in body
    voted = client.post(
        reverse("card_vote", args=[workshop.pk, harm.pk]),
        {"v": response.context["version"]},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "− vote (1)" in voted and "you have 4 votes left" in voted
