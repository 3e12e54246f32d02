"""The members page (roles, removals, invitations) and the page an invitation link opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from orgs import access
from orgs.middleware import SESSION_KEY
from orgs.plumbing.errors import PermissionDenied, ServiceError, refusal_message
from orgs.web import actor, current_organization

from . import selectors, services
from .forms import MemberInvitationForm, RoleForm, SignupForm

# --- Members -----------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    may_invite = access.can(request.user, "member_invitation.create", organization)
    form = MemberInvitationForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, "member_invitation.create", organization)
        if form.is_valid():
            try:
                _invitation, token = services.member_invitation_create(
                    actor=actor(request), organization=organization, **form.cleaned_data
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                request.session["new_invitation_url"] = services.member_invitation_url(token)
                messages.success(
                    request, "Invitation created. Copy the link now: it is shown once."
                )
                return redirect("members")
    may_read = access.can(request.user, "member_invitation.read", organization)
    return render(
        request,
        "members/members.html",
        {
            "organization": organization,
            "members": selectors.members_of(request.user, organization),
            "invitations": selectors.member_invitations_for(request.user).filter(
                organization=organization, accepted_at=None, revoked_at=None
            )
            if may_read
            else [],
            "new_url": request.session.pop("new_invitation_url", None),
            "form": form,
            "may_invite": may_invite,
            "may_manage": access.can(request.user, "membership.update", organization),
            "role_form": RoleForm(),
        },
    )


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(selectors.memberships_for(request.user), pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return redirect("members")
    try:
        services.membership_change_role(
            actor=actor(request), membership=membership, role=form.cleaned_data["role"]
        )
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, f"{membership.user} is now {membership.get_role_display()}.")
    return redirect("members")


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(selectors.memberships_for(request.user), pk=pk)
    try:
        services.membership_delete(actor=actor(request), membership=membership)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, f"{membership.user} no longer has access to anything here.")
    return redirect("members")


@login_required
@require_POST
def member_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(selectors.member_invitations_for(request.user), pk=pk)
    try:
        services.member_invitation_revoke(actor=actor(request), invitation=invitation)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, "Invitation withdrawn; the link no longer works.")
    return redirect("members")


def member_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: a clear page for a dead link, never a login loop."""
    invitation = services.member_invitation_find(token)
    problem = services.member_invitation_problem(invitation)
    if problem or invitation is None:
        return render(request, "members/join.html", {"problem": problem}, status=410)
    form = SignupForm(request.POST or None)
    context = {
        "invitation": invitation,
        "form": form,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.member_invitation_accept(user=actor(request), token=token)
            elif form.is_valid():
                user = services.user_signup(**form.cleaned_data)
                services.member_invitation_accept(user=user, token=token)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return render(request, "members/join.html", context, status=400)
        except ServiceError as exc:
            if exc.field:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                return render(request, "members/join.html", context, status=400)
            return render(request, "members/join.html", {"problem": exc.message}, status=409)
        request.session[SESSION_KEY] = invitation.organization_id
        messages.success(request, f"Welcome to {invitation.organization.name}.")
        return redirect("home")
    return render(request, "members/join.html", context)
