"""Writes about organizations and people. Each checks the access policy, writes, and
records an event in the organization's chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from . import access
from .ledger import services as ledger
from .ledger.models import ChainVerification
from .ledger.writes import UNSET, Unset, apply_changes, given, log_change
from .models import Membership, Notice, Organization, Role
from .plumbing.errors import PermissionDenied, ServiceError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Roles a sign-off can be required from: those who may sign off.
SIGNING_ROLES = sorted(access.roles_allowed("signoff.create"))


# --- Organizations -----------------------------------------------------------------------


@transaction.atomic
def organization_create(*, actor: User, name: str, slug: str) -> Organization:
    """Create an organization with ``actor`` as its first owner."""
    if not actor.is_authenticated:
        raise PermissionDenied("Log in to create an organization.")
    if not name.strip():
        raise ServiceError("Give the organization a name.", field="name")
    if Organization.objects.filter(slug=slug).exists():
        raise ServiceError("An organization with this slug already exists.", field="slug")
    organization = Organization.objects.create(name=name.strip(), slug=slug)
    log_change(actor=actor, verb="create", instance=organization)
    membership = Membership.objects.create(user=actor, organization=organization, role=Role.OWNER)
    log_change(actor=actor, verb="create", instance=membership)
    return organization


@transaction.atomic
def organization_update(
    *,
    actor: User,
    organization: Organization,
    name: str | Unset = UNSET,
    required_signoff_roles: list[str] | Unset = UNSET,
    risk_acceptance_roles: list[str] | Unset = UNSET,
    mitigation_risk_threshold: float | Unset = UNSET,
) -> Organization:
    access.require(actor, "organization.update", organization)
    if not isinstance(name, Unset) and not name.strip():
        raise ServiceError("Give the organization a name.", field="name")
    if not isinstance(required_signoff_roles, Unset):
        if (
            not isinstance(required_signoff_roles, list)
            or not required_signoff_roles
            or any(r not in SIGNING_ROLES for r in required_signoff_roles)
        ):
            raise ServiceError(
                "Required sign-off roles must be a non-empty list of "
                + ", ".join(SIGNING_ROLES)
                + ".",
                field="required_signoff_roles",
            )
        required_signoff_roles = list(required_signoff_roles)
    if not isinstance(risk_acceptance_roles, Unset):
        members = sorted(access.MEMBERS)
        if (
            not isinstance(risk_acceptance_roles, list)
            or not risk_acceptance_roles
            or any(r not in members for r in risk_acceptance_roles)
        ):
            raise ServiceError(
                "Roles that accept risks: a non-empty list of " + ", ".join(members) + ".",
                field="risk_acceptance_roles",
            )
        risk_acceptance_roles = list(risk_acceptance_roles)
    if not isinstance(mitigation_risk_threshold, Unset) and not (
        1 <= mitigation_risk_threshold <= 25
    ):
        raise ServiceError(
            "The risk threshold is between 1 and 25.", field="mitigation_risk_threshold"
        )
    apply_changes(
        actor=actor,
        instance=organization,
        changes=given(
            name=name,
            required_signoff_roles=required_signoff_roles,
            risk_acceptance_roles=risk_acceptance_roles,
            mitigation_risk_threshold=mitigation_risk_threshold,
        ),
    )
    return organization


# --- Notices -----------------------------------------------------------------------------


def notice_send(*, user: User, organization_id: int, message: str, url: str) -> Notice:
    """An in-app notice for one person (a failed launch gate on their review, ...)."""
    return Notice.objects.create(
        user=user, organization_id=organization_id, message=message, url=url
    )


def notices_mark_read(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


# --- The event log -----------------------------------------------------------------------


def event_log_verify(*, actor: User, organization: Organization) -> ChainVerification:
    """Queue a check of the organization's chain on a Celery worker."""
    access.require(actor, "event.verify", organization)
    return ledger.verification_enqueue(organization_id=organization.pk, requested_by=actor)
