"""How the event log names organizations, memberships and invitations to join
(orgs/ledger/names.py). Registered here, beside the members page they link to, which also
keeps the lowest apps small."""

from typing import Any

from django.urls import reverse

from orgs.ledger.names import register
from orgs.models import Membership, Organization

from .models import MemberInvitation


def _members(row: Any) -> str:
    return reverse("members")


register(Organization, "Organization", field="name")
register(
    Membership,
    "Membership",
    related=("user",),
    name=lambda m: f"Membership of {m.user.username}",
    url=_members,
    read="membership.read",
)
register(
    MemberInvitation,
    "Invitation to join",
    name=lambda i: f"Invitation to join as {i.get_role_display().lower()}",
    url=_members,
    read="member_invitation.read",
)
