"""Workshop pages: list, live board (HTMX polling), invitations."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from orgs import access
from orgs.errors import PermissionDenied, ServiceError, refusal_message
from orgs.members.forms import SignupForm
from orgs.web import actor, current_organization, form_error, is_htmx, submit
from reviews import freeze
from reviews.harms import selectors as harm_selectors
from reviews.harms.forms import HarmCardForm, RatingForm, StakeholderForm
from reviews.harms.models import Harm, Vote
from reviews.harms.views import matrix_svg
from reviews.selectors import reviews_where

from . import selectors, services
from .forms import (
    CategoryForm,
    ConsequenceForm,
    InvitationForm,
    SortForm,
    WorkshopEditForm,
    WorkshopForm,
)
from .models import Workshop, WorkshopInvitation, WorkshopStatus
from .rounds import current_round, rounds_for

# Cached board parts are keyed by their content, so they never go stale; they only need to
# outlive a round of polls.
BOARD_CACHE_SECONDS = 600


@login_required
def workshop_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    workshops = selectors.workshops_for(request.user).filter(organization=organization)
    reviews = reviews_where(request.user, "workshop.create").filter(organization=organization)
    can_create = access.can(request.user, "workshop.create", organization)
    form = WorkshopForm(request.POST or None, reviews=reviews)
    if request.method == "POST":
        access.require(request.user, "workshop.create", organization)
        if form.is_valid():
            try:
                workshop = services.workshop_create(actor=actor(request), **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("workshop_board", pk=workshop.pk)
    return render(
        request,
        "workshops/workshop_list.html",
        {"workshops": workshops, "form": form, "can_create": can_create},
    )


def _card_views(
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


def _consequence_views(user: Any, cards: Any) -> list[dict[str, Any]]:
    return [
        {
            "card": c,
            "author": harm_selectors.author_name(c, user),
            "shared_author": harm_selectors.author_name(c, None),
        }
        for c in cards
    ]


def _board_rows(workshop: Workshop) -> list[harm_selectors.RegisterRow]:
    """Every card with its aggregate in a fixed number of queries (no mitigations: the
    board does not show them)."""
    harms = list(selectors.cards_of(workshop))
    aggs = harm_selectors.harm_aggregates(harms)
    return [harm_selectors.RegisterRow(h, aggs[h.pk], []) for h in harms]


def _matrix(
    workshop: Workshop, version: str, linked: bool, rows: list[harm_selectors.RegisterRow] | None
) -> str:
    """The board's risk matrix, drawn once per board version (and reader kind) and cached:
    fifty participants polling a change share one drawing."""
    key = f"workshop-board:{workshop.pk}:matrix:{version}:{int(linked)}"
    svg = cache.get(key)
    if svg is None:
        svg = matrix_svg(
            workshop.review, rows if rows is not None else _board_rows(workshop), linked
        )
        cache.set(key, svg, BOARD_CACHE_SECONDS)
    return str(svg)


def _board_context(
    request: HttpRequest, workshop: Workshop, version: str | None = None
) -> dict[str, Any]:
    user = actor(request)
    version = version or selectors.board_version(workshop)
    rows = _board_rows(workshop)
    seat = selectors.has_seat(user, workshop)
    frozen = freeze.is_frozen(workshop.review)
    can_run = selectors.can_run(user, workshop)
    may_read_harms = access.can(user, "harm.read", workshop.review)
    return {
        "workshop": workshop,
        "round": current_round(workshop),
        "rounds": rounds_for(workshop.format),
        "cards": _card_views(user, workshop, rows),
        "consequences": _consequence_views(user, selectors.consequences_in_round(workshop)),
        "matrix": _matrix(workshop, version, may_read_harms, rows),
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


def _live_part(template: str, key: str, context: dict[str, Any]) -> str:
    """A card's shared part, rendered once per card state and kept in the cache."""
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, {**context, "oob": True})
        cache.set(key, html, BOARD_CACHE_SECONDS)
    return str(html)


def _state_key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _changes_context(
    request: HttpRequest,
    workshop: Workshop,
    now: selectors.BoardState,
    changes: selectors.BoardChanges,
) -> dict[str, Any]:
    """What a poll sends when cards changed: the shared part of each changed card (out of
    band, from the cache), the matrix and count, and the cards new to this reader whole."""
    user = actor(request)
    version = now.token()
    may_read_harms = access.can(user, "harm.read", workshop.review)
    harms = changes.changed + changes.added
    aggs = harm_selectors.harm_aggregates(harms)
    live_parts = []
    for harm in changes.changed:
        agg = aggs[harm.pk]
        shared_author = harm_selectors.author_name(harm, None)
        key = _state_key(
            harm.pk, harm.title, harm.description, harm.category_id, shared_author, agg
        )
        live_parts.append(
            _live_part(
                "workshops/_card_live.html",
                f"workshop-board:{workshop.pk}:card:{key}",
                {"h": harm, "agg": agg, "shared_author": shared_author},
            )
        )
    for card in changes.changed_consequences:
        shared_author = harm_selectors.author_name(card, None)
        harm_title = card.harm.title if card.harm else None
        key = _state_key(
            card.pk,
            card.text,
            card.disposition,
            shared_author,
            harm_title,
            may_read_harms,
            workshop.review_id,
        )
        live_parts.append(
            _live_part(
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
    }
    if workshop.format == "harms_modeling":
        context["matrix"] = _matrix(workshop, version, may_read_harms, None)
    if changes.added or changes.added_consequences:
        # Cards new to this reader come whole, with the forms their seat allows.
        seat = selectors.has_seat(user, workshop)
        writable = (
            seat
            and workshop.status == WorkshopStatus.OPEN
            and not freeze.is_frozen(workshop.review)
        )
        rows = [harm_selectors.RegisterRow(h, aggs[h.pk], []) for h in changes.added]
        context.update(
            {
                "cards": _card_views(user, workshop, rows),
                "consequences": _consequence_views(user, changes.added_consequences),
                "writable": writable,
                "votes_left": services.votes_left(user, workshop) if writable else 0,
                "round": current_round(workshop),
                "scale": range(1, 6),
                "categories": harm_selectors.categories(),
                "may_read_harms": may_read_harms,
            }
        )
    return context


def _get_workshop(request: HttpRequest, pk: int) -> Workshop:
    return get_object_or_404(selectors.workshops_for(request.user), pk=pk)


def _get_card(request: HttpRequest, workshop: Workshop, harm_pk: int) -> Harm:
    return get_object_or_404(selectors.cards_of(workshop), pk=harm_pk)


@login_required
def workshop_board(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    context = _board_context(request, workshop)
    may_edit = access.can(request.user, "workshop.update", workshop)
    context.update(
        {
            "card_form": HarmCardForm(stakeholders=context["stakeholders"]),
            "stakeholder_form": StakeholderForm(),
            "consequence_form": ConsequenceForm(valence=context["round"].valence),
            "invitation_form": InvitationForm(),
            "invitations": _invitation_forms(workshop) if context["can_run"] else [],
            "edit_form": _edit_form(workshop) if may_edit else None,
            "deletable": not selectors.in_use(workshop),
            "may_read_review": access.can(request.user, "review.read", workshop.review),
            "may_join": selectors.may_join(request.user, workshop),
        }
    )
    return render(request, "workshops/board.html", context)


def _edit_form(workshop: Workshop, data: Any = None) -> WorkshopEditForm:
    fields = ["title", "facilitator", "scheduled_at", "anonymous", "votes_per_participant"]
    return WorkshopEditForm(
        data,
        prefix="edit",
        initial=model_to_dict(workshop, fields=fields),
        people=access.users_who_may(workshop.organization_id, "workshop.facilitate"),
        locked=selectors.in_use(workshop),
    )


def _invitation_form(invitation: WorkshopInvitation, data: Any = None) -> InvitationForm:
    """A link's edit form, prefixed (one page holds them all); ``days`` left until expiry."""
    left = (invitation.expires_at - timezone.now()).days + 1
    initial = model_to_dict(invitation, fields=["label", "represents_community", "max_uses"])
    return InvitationForm(
        data, prefix=f"inv{invitation.pk}", initial={**initial, "days": min(90, max(1, left))}
    )


def _invitation_forms(workshop: Workshop) -> list[tuple[WorkshopInvitation, InvitationForm]]:
    return [(inv, _invitation_form(inv)) for inv in workshop.invitations.all()]


def _changes(form: Any) -> dict[str, Any]:
    """Only the fields the person changed: an edit form comes prefilled."""
    return {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}


@login_required
@require_POST
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    form = _edit_form(workshop, request.POST)
    submit(
        request,
        form,
        lambda **_: services.workshop_update(
            actor=actor(request), workshop=workshop, **_changes(form)
        ),
        "Workshop updated.",
    )
    return redirect("workshop_board", pk=pk)


@login_required
@require_POST
def invitation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.invitations_for(request.user), pk=pk)
    form = _invitation_form(invitation, request.POST)
    submit(
        request,
        form,
        lambda **_: services.invitation_update(
            actor=actor(request), invitation=invitation, **_changes(form)
        ),
        "Invitation link updated.",
    )
    return redirect("workshop_board", pk=invitation.workshop_id)


@login_required
def workshop_board_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every second by the board with the state it shows (``v``): 204 while nothing
    has changed; the changed cards only (HTMX out-of-band swaps) when cards changed; the
    whole board when its round, status or people changed, or the state is unknown."""
    workshop = _get_workshop(request, pk)
    now = selectors.board_state(workshop)
    version = now.token()
    asked = request.GET.get("v")
    if asked == version:
        return HttpResponse(status=204)
    since = selectors.BoardState.parse(asked)
    changes = selectors.board_changes(workshop, since, now) if since else None
    if changes is not None:
        context = _changes_context(request, workshop, now, changes)
        return render(request, "workshops/_board_changes.html", context)
    response = render(request, "workshops/_board.html", _board_context(request, workshop, version))
    # The poll asked from its own small element; the whole board replaces the board.
    response["HX-Retarget"] = "#board"
    response["HX-Reswap"] = "outerHTML"
    return response


def _after_write(
    request: HttpRequest, workshop: Workshop, error: str | None = None, ok: str | None = None
) -> HttpResponse:
    if is_htmx(request):
        workshop.refresh_from_db()
        context = _board_context(request, workshop)
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
def workshop_add_stakeholder(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    submit(
        request,
        StakeholderForm(request.POST),
        lambda **data: services.stakeholder_add(actor=actor(request), workshop=workshop, **data),
        "Stakeholder added.",
    )
    return redirect("workshop_board", pk=pk)


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


@login_required
@require_POST
def workshop_control(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    command = request.POST.get("command", "")
    try:
        if command in {"open", "closed"}:
            services.workshop_set_status(actor=actor(request), workshop=workshop, status=command)
        elif command == "round":
            raw = request.POST.get("round", "")
            if not (raw.isascii() and raw.isdigit() and len(raw) < 4):
                raise ServiceError("Give a round number.", field="round")
            services.workshop_set_round(actor=actor(request), workshop=workshop, number=int(raw))
        elif command == "join":
            services.workshop_join(actor=actor(request), workshop=workshop)
        elif command == "delete":
            services.workshop_delete(actor=actor(request), workshop=workshop)
            messages.success(request, f"Workshop “{workshop.title}” deleted.")
            return redirect("workshop_list")
        else:
            raise ServiceError("Unknown command.")
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    return redirect("workshop_board", pk=pk)


@login_required
@require_POST
def workshop_invite(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    submit(
        request,
        InvitationForm(request.POST),
        lambda **data: services.invitation_create(actor=actor(request), workshop=workshop, **data),
        "Invitation link created.",
    )
    return redirect("workshop_board", pk=pk)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.invitations_for(request.user), pk=pk)
    try:
        services.invitation_revoke(actor=actor(request), invitation=invitation)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, "Invitation revoked; the link no longer works.")
    return redirect("workshop_board", pk=invitation.workshop_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: a clear page for a dead link, never a login loop."""
    invitation = WorkshopInvitation.objects.select_related("workshop").filter(token=token).first()
    problem = services.invitation_problem(invitation)
    if problem or invitation is None:
        return render(request, "workshops/invitation.html", {"problem": problem}, status=410)
    workshop = invitation.workshop
    form = SignupForm(request.POST or None)
    context = {"invitation": invitation, "form": form}
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept(user=actor(request), token=token)
            elif form.is_valid():
                user = services.guest_signup_and_accept(token=token, **form.cleaned_data)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(request, "workshops/invitation.html", context, status=400)
        except ServiceError as exc:
            if exc.field:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                return render(request, "workshops/invitation.html", context, status=400)
            return render(
                request, "workshops/invitation.html", {"problem": exc.message}, status=410
            )
        return redirect("workshop_board", pk=workshop.pk)
    context["login_url"] = f"{reverse('login')}?{urlencode({'next': request.path})}"
    return render(request, "workshops/invitation.html", context)
