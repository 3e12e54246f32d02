"""What the live board shows a reader: every card (the page, a write's answer, a redrawn
board) or only what changed since their state (a poll). The parts every participant sees
alike are drawn once per state and cached, not once per participant."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string

from orgs import access
from orgs.web import actor
from reviews import freeze
from reviews.harms import selectors as harm_selectors
from reviews.harms.models import Vote
from reviews.harms.views import matrix_svg
from reviews.workshops import selectors, services
from reviews.workshops.models import Workshop, WorkshopStatus
from reviews.workshops.rounds import current_round, rounds_for

from . import selectors as board_selectors

# Cached board parts are keyed by their content, so they never go stale; they only need to
# outlive a round of polls.
BOARD_CACHE_SECONDS = 600


def card_views(
    user: Any, workshop: Workshop, rows: list[harm_selectors.RegisterRow]
) -> list[dict[str, Any]]:
    """Harm cards with what this reader sees of them: their own rating and dots, and the
    author's name (the shared part of a card names the author only when everyone may see
    it; under anonymity only the author sees their own name)."""
    harms = [r.harm for r in rows]
    mine = harm_selectors.own_ratings(user, harms)
    my_votes: dict[int, list[int]] = {}
    if harms and user.is_authenticated:
        for vote_id, harm_id in Vote.objects.filter(
            harm_id__in=[h.pk for h in harms], user_id=user.pk
        ).values_list("id", "harm_id"):
            my_votes.setdefault(harm_id, []).append(vote_id)
    return [
        {
            "row": row,
            "author": harm_selectors.author_name(row.harm, user),
            "shared_author": harm_selectors.author_name(row.harm, None),
            "mine": mine.get(row.harm.pk),
            "my_votes": my_votes.get(row.harm.pk, []),
        }
        for row in rows
    ]


def consequence_views(user: Any, cards: Any) -> list[dict[str, Any]]:
    return [
        {
            "card": c,
            "author": harm_selectors.author_name(c, user),
            "shared_author": harm_selectors.author_name(c, None),
        }
        for c in cards
    ]


def board_rows(workshop: Workshop) -> list[harm_selectors.RegisterRow]:
    """Every card with its aggregate in a fixed number of queries (no mitigations: the
    board does not show them)."""
    harms = list(selectors.cards_of(workshop))
    aggs = harm_selectors.harm_aggregates(harms)
    return [harm_selectors.RegisterRow(h, aggs[h.pk], []) for h in harms]


def matrix(
    workshop: Workshop, version: str, linked: bool, rows: list[harm_selectors.RegisterRow] | None
) -> str:
    """The board's risk matrix, drawn once per board version (and reader kind) and cached:
    fifty participants polling a change share one drawing."""
    key = f"workshop-board:{workshop.pk}:matrix:{version}:{int(linked)}"
    svg = cache.get(key)
    if svg is None:
        svg = matrix_svg(
            workshop.review, rows if rows is not None else board_rows(workshop), linked
        )
        cache.set(key, svg, BOARD_CACHE_SECONDS)
    return str(svg)


def board_context(
    request: HttpRequest, workshop: Workshop, version: str | None = None
) -> dict[str, Any]:
    user = actor(request)
    version = version or board_selectors.board_version(workshop)
    rows = board_rows(workshop)
    seat = selectors.has_seat(user, workshop)
    frozen = freeze.is_frozen(workshop.review)
    can_run = selectors.can_run(user, workshop)
    may_read_harms = access.can(user, "harm.read", workshop.review)
    return {
        "workshop": workshop,
        "round": current_round(workshop),
        "rounds": rounds_for(workshop.format),
        "cards": card_views(user, workshop, rows),
        "consequences": consequence_views(user, selectors.consequences_in_round(workshop)),
        "matrix": matrix(workshop, version, may_read_harms, rows),
        "version": version,
        "can_run": can_run,
        "seat": seat,
        "frozen": frozen,
        "writable": seat and workshop.status == WorkshopStatus.OPEN and not frozen,
        "votes_left": services.votes_left(user, workshop),
        "scale": range(1, 6),
        # The panels beside the cards, refreshed with them.
        "stakeholders": harm_selectors.stakeholders_of(workshop.review),
        "participants": selectors.seats_of(workshop),
        "coverage": selectors.coverage_warnings(workshop) if can_run else [],
        "categories": harm_selectors.categories(),
        "may_read_harms": may_read_harms,
    }


def live_part(template: str, key: str, context: dict[str, Any]) -> str:
    """A card's shared part, rendered once per card state and kept in the cache."""
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**context, "oob": True})
        cache.set(key, html, BOARD_CACHE_SECONDS)
    return str(html)


def state_key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def changes_context(
    request: HttpRequest,
    workshop: Workshop,
    now: board_selectors.BoardState,
    changes: board_selectors.BoardChanges,
    whole: bool = False,
) -> dict[str, Any]:
    """What a poll sends when cards changed: the shared part of each changed card (out of
    band, from the cache), the matrix and count, and the cards new to this reader whole.
    With ``whole`` (the answer to the reader's own write) changed cards come whole too,
    with the reader's own rating and dots, and their votes left."""
    user = actor(request)
    version = now.token()
    may_read_harms = access.can(user, "harm.read", workshop.review)
    harms = changes.changed + changes.added
    aggs = harm_selectors.harm_aggregates(harms)
    live_parts = []
    for harm in [] if whole else changes.changed:
        agg = aggs[harm.pk]
        shared_author = harm_selectors.author_name(harm, None)
        key = state_key(harm.pk, harm.title, harm.description, harm.category_id, shared_author, agg)
        live_parts.append(
            live_part(
                "workshops/_card_live.html",
                f"workshop-board:{workshop.pk}:card:{key}",
                {"h": harm, "agg": agg, "shared_author": shared_author},
            )
        )
    for card in [] if whole else changes.changed_consequences:
        shared_author = harm_selectors.author_name(card, None)
        harm_title = card.harm.title if card.harm else None
        key = state_key(
            card.pk,
            card.text,
            card.disposition,
            shared_author,
            harm_title,
            may_read_harms,
            workshop.review_id,
        )
        live_parts.append(
            live_part(
                "workshops/_consequence_live.html",
                f"workshop-board:{workshop.pk}:consequence:{key}",
                {
                    "k": card,
                    "shared_author": shared_author,
                    "workshop": workshop,
                    "may_read_harms": may_read_harms,
                },
            )
        )
    context: dict[str, Any] = {
        "workshop": workshop,
        "version": version,
        "live_parts": live_parts,
        "card_count": now.cards,
        "cards": [],
        "consequences": [],
        "replaced": [],
        "replaced_consequences": [],
        "whole": whole,
    }
    if workshop.format == "harms_modeling":
        context["matrix"] = matrix(workshop, version, may_read_harms, None)
    if changes.added or changes.added_consequences or whole:
        # Cards new to this reader come whole, with the forms their seat allows.
        seat = selectors.has_seat(user, workshop)
        writable = (
            seat
            and workshop.status == WorkshopStatus.OPEN
            and not freeze.is_frozen(workshop.review)
        )
        rows = [harm_selectors.RegisterRow(h, aggs[h.pk], []) for h in harms]
        views = card_views(user, workshop, rows)
        replaced = views[: len(changes.changed)] if whole else []
        context.update(
            {
                "cards": views[len(changes.changed) :],
                "replaced": replaced,
                "consequences": consequence_views(user, changes.added_consequences),
                "replaced_consequences": (
                    consequence_views(user, changes.changed_consequences) if whole else []
                ),
                "show_votes_left": whole and writable,
                "writable": writable,
                "votes_left": services.votes_left(user, workshop) if writable else 0,
                "round": current_round(workshop),
                "scale": range(1, 6),
                "categories": harm_selectors.categories(),
                "may_read_harms": may_read_harms,
            }
        )
    return context
