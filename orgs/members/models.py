"""Invitations to join an organization (the people themselves are orgs.Membership)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.models import Organization, Role


class MemberInvitation(models.Model):
    """An owner's invitation to join with a role. Only a hash of the link's token is kept:
    the link is shown once to the owner (and mailed when an address is given)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField(blank=True, help_text="Where the link is sent (optional).")
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    read_action = "member_invitation.read"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation to {self.organization} as {self.role}"
