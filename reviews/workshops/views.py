"""Workshop pages: list, live board (HTMX polling), invitations."""

from __future__ import annotations

from typing import Any

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
from orgs.web import actor, current_organization, paginate, submit
from reviews.harms.forms import StakeholderForm
from reviews.selectors import reviews_where

from . import selectors, services
from .forms import (
    InvitationForm,
    WorkshopEditForm,
    WorkshopForm,
)
from .models import Workshop, WorkshopInvitation

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
        {
            "page": paginate(request, workshops),
            "form": form,
            "can_create": can_create,
            # One answer for every row: reading reviews depends on the role alone.
            "may_read_reviews": access.can(request.user, "review.read", organization),
        },
    )


def _get_workshop(request: HttpRequest, pk: int) -> Workshop:
    return get_object_or_404(selectors.workshops_for(request.user), pk=pk)


def edit_form(workshop: Workshop, data: Any = None) -> WorkshopEditForm:
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


def invitation_forms(workshop: Workshop) -> list[tuple[WorkshopInvitation, InvitationForm]]:
    return [(inv, _invitation_form(inv)) for inv in workshop.invitations.all()]


def _changes(form: Any) -> dict[str, Any]:
    """Only the fields the person changed: an edit form comes prefilled."""
    return {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}


@login_required
@require_POST
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _get_workshop(request, pk)
    form = edit_form(workshop, request.POST)
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
    problem = selectors.invitation_problem(invitation)
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
