"""Writes about people joining and leaving an organization: invitations they accept,
sign-up through a link, role changes and removals. Each checks the access policy, writes,
and records an event in the organization's chain."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from orgs import access
from orgs.ledger.writes import apply_changes, log_change, snapshot
from orgs.models import Membership, Organization, Role
from orgs.plumbing.errors import Conflict, ServiceError
from orgs.site import site_url

from .models import MemberInvitation
from .usernames import skeletons

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MEMBER_INVITATION_DAYS = 7
# Roles an owner may give through an invitation (guests arrive through workshop links).
INVITABLE_ROLES = sorted(access.MEMBERS)


def _user_model() -> Any:
    return get_user_model()


# --- Members -----------------------------------------------------------------------------


def _check_last_owner(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = Membership.objects.filter(organization=membership.organization, role=Role.OWNER)
    if owners.count() <= 1:
        raise Conflict("An organization must keep at least one owner.")


@transaction.atomic
def membership_add(*, actor: User, organization: Organization, user: User, role: str) -> Membership:
    """Add an existing account directly (the demo seed and operators' scripts). People
    reach an organization through an invitation they accept (``member_invitation_*``)."""
    access.require(actor, "member_invitation.create", organization)
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.", field="role")
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise ServiceError(f"{user} is already a member of {organization.name}.", field="user")
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    log_change(actor=actor, verb="create", instance=membership)
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    access.require(actor, "membership.update", membership)
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.", field="role")
    _check_last_owner(membership, role)
    apply_changes(actor=actor, instance=membership, changes={"role": role})
    return membership


@transaction.atomic
def membership_delete(*, actor: User, membership: Membership) -> None:
    """Remove a person: their seats, facilitator rights and links end with it, because
    every grant of the access policy starts from a membership."""
    access.require(actor, "membership.delete", membership)
    _check_last_owner(membership, None)
    log_change(actor=actor, verb="delete", instance=membership, before=snapshot(membership))
    membership.delete()


@transaction.atomic
def guest_membership_ensure(*, user: User, organization_id: int) -> Membership:
    """The membership of someone arriving through a valid workshop invitation: a guest,
    unless they already belong to the organization. The caller checked the link."""
    membership = Membership.objects.filter(user=user, organization_id=organization_id).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user, organization_id=organization_id, role=Role.GUEST
        )
        log_change(actor=user, verb="create", instance=membership)
    return membership


# --- Invitations to join -----------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def member_invitation_url(token: str) -> str:
    return f"{site_url()}{reverse('member_invitation_accept', args=[token])}"


@transaction.atomic
def member_invitation_create(
    *,
    actor: User,
    organization: Organization,
    role: str,
    email: str = "",
    days: int = MEMBER_INVITATION_DAYS,
) -> tuple[MemberInvitation, str]:
    """An invitation link to join with ``role``; returns it with its token, which is not
    stored (only its hash is) and so is shown once. Mailed when ``email`` is given."""
    access.require(actor, "member_invitation.create", organization)
    if role not in INVITABLE_ROLES:
        raise ServiceError(
            "Invite as " + ", ".join(INVITABLE_ROLES) + "; workshop guests join through a "
            "workshop's invitation link.",
            field="role",
        )
    if not 1 <= days <= 30:
        raise ServiceError("An invitation lasts 1 to 30 days.", field="days")
    token = secrets.token_urlsafe(32)
    invitation = MemberInvitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    log_change(actor=actor, verb="create", instance=invitation)
    if email:
        url = member_invitation_url(token)
        inviter = getattr(actor, "username", "")
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[Forethought] You are invited to {organization.name}",
                message=f"{inviter} invites you to join {organization.name} on Forethought as "
                f"{Role(role).label.lower()}.\n\nAccept: {url}\n\nThe link works until "
                f"{invitation.expires_at:%Y-%m-%d}.",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
                fail_silently=True,
            )
        )
    return invitation, token


@transaction.atomic
def member_invitation_revoke(*, actor: User, invitation: MemberInvitation) -> MemberInvitation:
    access.require(actor, "member_invitation.revoke", invitation.organization)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was already accepted.")
    if invitation.revoked_at is None:
        apply_changes(actor=actor, instance=invitation, changes={"revoked_at": timezone.now()})
    return invitation


def member_invitation_find(token: str) -> MemberInvitation | None:
    return (
        MemberInvitation.objects.select_related("organization")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def member_invitation_problem(invitation: MemberInvitation | None) -> str | None:
    """Why a link cannot be used, in words for the person holding it."""
    if invitation is None:
        return "This invitation link is not valid. Ask the organization's owner for a new one."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn. Ask the organization's owner for a new one."
    if invitation.accepted_at is not None:
        return "This invitation has already been used."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the organization's owner for a new one."
    return None


@transaction.atomic
def member_invitation_accept(*, user: User, token: str) -> Membership:
    """Join the organization with the invitation's role. A workshop guest becomes a full
    member; someone who already is one is told so."""
    invitation = (
        MemberInvitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
    )
    problem = member_invitation_problem(invitation)
    if problem or invitation is None:
        raise Conflict(problem or "This invitation link is not valid.")
    access.require(user, "member_invitation.accept", invitation.organization)
    membership = Membership.objects.filter(
        user=user, organization_id=invitation.organization_id
    ).first()
    if membership is not None and membership.role != Role.GUEST:
        raise Conflict(
            f"You are already a member of {invitation.organization.name} "
            f"(as {membership.get_role_display().lower()})."
        )
    if membership is None:
        membership = Membership.objects.create(
            user=user, organization_id=invitation.organization_id, role=invitation.role
        )
        log_change(actor=user, verb="create", instance=membership)
    else:
        apply_changes(actor=user, instance=membership, changes={"role": invitation.role})
    apply_changes(
        actor=user,
        instance=invitation,
        changes={"accepted_at": timezone.now(), "accepted_by_id": user.pk},
    )
    return membership


# --- Accounts ----------------------------------------------------------------------------


UNAVAILABLE = "That username is not available. Pick another."


def username_taken(username: str) -> bool:
    """Whether an account's name looks like ``username`` (equal skeletons). The same
    answer for an existing name and a look-alike, so it does not confirm who has an
    account. Scans every username: fine for thousands of accounts."""
    wanted = skeletons(username)
    names = _user_model().objects.values_list("username", flat=True).iterator(chunk_size=2000)
    return any(skeletons(name) & wanted for name in names)


@transaction.atomic
def user_signup(*, username: str, password: str, name: str = "", email: str = "") -> Any:
    """Create an account for someone arriving through an invitation link. The password
    must pass Django's validators; a name taken or confusable with a taken one gets one
    message that does not say which."""
    User = _user_model()
    username = User.normalize_username(username)
    candidate = User(username=username, first_name=name, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc
    if username_taken(username):
        raise ServiceError(UNAVAILABLE, field="username")
    return User.objects.create_user(
        username=username, password=password, first_name=name, email=email
    )
