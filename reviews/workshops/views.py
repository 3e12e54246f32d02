"""Workshop pages: list, live board (HTMX polling), invitations."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from orgs import access
from orgs.members.forms import SignupForm
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
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


def _board_context(
    request: HttpRequest, workshop: Workshop, version: str | None = None
) -> dict[str, Any]:
    user = actor(request)
    rows = harm_selectors.register_rows(selectors.cards_of(workshop))
    mine = harm_selectors.own_ratings(user, (r.harm for r in rows))
    my_votes: dict[int, list[int]] = {}
    for vote in Vote.objects.filter(harm__board_card__workshop=workshop, user_id=user.pk):
        my_votes.setdefault(vote.harm_id, []).append(vote.pk)
    cards = [
        {
            "row": row,
            "author": harm_selectors.author_name(row.harm, user),
            "mine": mine.get(row.harm.pk),
            "my_votes": my_votes.get(row.harm.pk, []),
        }
        for row in rows
    ]
    consequences = [
        {"card": c, "author": harm_selectors.author_name(c, user)}
        for c in selectors.consequences_in_round(workshop)
    ]
    seat = selectors.has_seat(user, workshop)
    frozen = freeze.is_frozen(workshop.review)
    can_run = selectors.can_run(user, workshop)
    return {
        "workshop": workshop,
        "round": current_round(workshop),
        "rounds": rounds_for(workshop.format),
        "cards": cards,
        "consequences": consequences,
        "matrix": matrix_svg(
            workshop.review, rows, linked=access.can(user, "harm.read", workshop.review)
        ),
        "version": version or selectors.board_version(workshop),
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
        "may_read_harms": access.can(user, "harm.read", workshop.review),
    }


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
    """Polled every second by the board; 204 (no swap) while nothing has changed."""
    workshop = _get_workshop(request, pk)
    version = selectors.board_version(workshop)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, "workshops/_board.html", _board_context(request, workshop, version))


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
