"""The live board's pages: the board, its poll, and the writes made on it (cards,
ratings, votes, consequences), each answering HTMX with the board drawn again."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from orgs import access
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, form_error, is_htmx
from reviews.harms import selectors as harm_selectors
from reviews.harms.forms import HarmCardForm, RatingForm, StakeholderForm
from reviews.harms.models import Harm
from reviews.workshops import selectors, services
from reviews.workshops.forms import CategoryForm, ConsequenceForm, InvitationForm, SortForm
from reviews.workshops.models import Workshop
from reviews.workshops.views import edit_form, invitation_forms

from . import render as board_render
from . import selectors as board_selectors


def _get_workshop(request: HttpRequest, pk: int) -> Workshop:
    return get_object_or_404(selectors.workshops_for(request.user), pk=pk)


def _get_card(request: HttpRequest, workshop: Workshop, harm_pk: int) -> Harm:
    return get_object_or_404(selectors.cards_of(workshop), pk=harm_pk)


@login_required
def workshop_board(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    context = board_render.board_context(request, workshop)
    may_edit = access.can(request.user, "workshop.update", workshop)
    context.update(
        {
            "card_form": HarmCardForm(stakeholders=context["stakeholders"]),
            "stakeholder_form": StakeholderForm(),
            "consequence_form": ConsequenceForm(valence=context["round"].valence),
            "invitation_form": InvitationForm(),
            "invitations": invitation_forms(workshop) if context["can_run"] else [],
            "edit_form": edit_form(workshop) if may_edit else None,
            "deletable": not selectors.in_use(workshop),
            "may_read_review": access.can(request.user, "review.read", workshop.review),
            "may_join": selectors.may_join(request.user, workshop),
        }
    )
    return render(request, "workshops/board.html", context)


@login_required
def workshop_board_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every second by the board with the state it shows (``v``): 204 while nothing
    has changed; the changed cards only (HTMX out-of-band swaps) when cards changed; the
    whole board when its round, status or people changed, or the state is unknown."""
    # The poll's own read: scoped like every read, without the coverage flags the page shows.
    workshop = get_object_or_404(
        Workshop.objects.for_user(request.user).select_related("review"), pk=pk
    )
    now = board_selectors.polled_board_state(workshop)
    version = now.token()
    asked = request.GET.get("v")
    if asked == version:
        return HttpResponse(status=204)
    since = board_selectors.BoardState.parse(asked)
    # After a rating or a vote, the whole room asks "what changed since the same state?":
    # an answer without new cards is the same for every reader of a kind, so it is drawn
    # once and shared (new cards carry each reader's own forms, so those answers are not).
    linked = access.can(request.user, "harm.read", workshop.review)
    shared_key = board_render.state_key("delta", workshop.pk, asked, version, linked)
    shared = cache.get(shared_key) if since else None
    if shared is not None:
        return HttpResponse(shared)
    changes = board_selectors.board_changes(workshop, since, now) if since else None
    if changes is not None:
        context = board_render.changes_context(request, workshop, now, changes)
        response = render(request, "workshops/_board_changes.html", context)
        if not (changes.added or changes.added_consequences):
            cache.set(shared_key, response.content, board_render.BOARD_CACHE_SECONDS)
        return response
    response = render(
        request, "workshops/_board.html", board_render.board_context(request, workshop, version)
    )
    # The poll asked from its own small element; the whole board replaces the board.
    response["HX-Retarget"] = "#board"
    response["HX-Reswap"] = "outerHTML"
    return response


def _after_write(
    request: HttpRequest, workshop: Workshop, error: str | None = None, ok: str | None = None
) -> HttpResponse:
    if is_htmx(request):
        since = board_selectors.BoardState.parse(request.POST.get("v"))
        if since is not None and error is None:
            # The writer's board gets what changed since it was drawn (their own card
            # whole), not all of it again: a rating a second stays cheap on a full board.
            fresh = get_object_or_404(
                Workshop.objects.for_user(request.user).select_related("review"), pk=workshop.pk
            )
            now = board_selectors.board_state(fresh)
            changes = board_selectors.board_changes(fresh, since, now)
            if changes is not None:
                context = board_render.changes_context(request, fresh, now, changes, whole=True)
                context["flash"] = ok
                response = render(request, "workshops/_board_changes.html", context)
                response["HX-Retarget"] = "#board-poll"
                response["HX-Reswap"] = "outerHTML"
                return response
        workshop = _get_workshop(request, workshop.pk)  # fresh, coverage flags included
        context = board_render.board_context(request, workshop)
        context["flash"] = error or ok
        context["flash_error"] = bool(error)
        return render(request, "workshops/_board.html", context, status=200)
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return redirect("workshop_board", pk=workshop.pk)


def _run(
    request: HttpRequest,
    workshop: Workshop,
    call: Callable[..., object],
    form: forms.Form | None = None,
    ok: str | None = None,
) -> HttpResponse:
    """Validate the form, call the service with its data, and answer the board (or, without
    HTMX, redirect to it) with what happened."""
    if form is not None and not form.is_valid():
        return _after_write(request, workshop, error=form_error(form))
    try:
        call(**(form.cleaned_data if form is not None else {}))
    except (ServiceError, PermissionDenied) as exc:
        return _after_write(request, workshop, error=refusal_message(exc))
    return _after_write(request, workshop, ok=ok)


@login_required
@require_POST
def workshop_add_card(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    form = HarmCardForm(request.POST, stakeholders=harm_selectors.stakeholders_of(workshop.review))
    add = partial(services.card_add, actor=actor(request), workshop=workshop)
    return _run(request, workshop, add, form, ok="Card added.")


@login_required
@require_POST
def workshop_add_consequence(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    add = partial(services.consequence_create, actor=actor(request), workshop=workshop)
    return _run(request, workshop, add, ConsequenceForm(request.POST), ok="Consequence added.")


@login_required
@require_POST
def consequence_sort(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(selectors.consequences_for(request.user), pk=pk)
    sort = partial(services.consequence_sort, actor=actor(request), consequence=card)
    return _run(request, card.workshop, sort, SortForm(request.POST))


@login_required
@require_POST
def consequence_to_harm(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(selectors.consequences_for(request.user), pk=pk)
    make = partial(services.consequence_to_harm, actor=actor(request), consequence=card)
    ok = "The consequence is now a harm card of the review's register."
    return _run(request, card.workshop, make, CategoryForm(request.POST), ok=ok)


@login_required
@require_POST
def card_rate(request: HttpRequest, pk: int, harm: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    card = _get_card(request, workshop, harm)
    rate = partial(services.card_rate, actor=actor(request), workshop=workshop, harm=card)
    return _run(request, workshop, rate, RatingForm(request.POST))


@login_required
@require_POST
def card_vote(request: HttpRequest, pk: int, harm: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    card = _get_card(request, workshop, harm)
    vote = services.card_unvote if request.POST.get("remove") else services.card_vote
    return _run(
        request, workshop, partial(vote, actor=actor(request), workshop=workshop, harm=card)
    )
