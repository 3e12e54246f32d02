"""Control reads, scoped by the access policy, and what implemented controls imply."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from reviews.frameworks import selectors as fw_selectors
from reviews.frameworks.inference import Inference, adjacency, infer

from .models import Control, ControlEvidence, ControlStatus

User = AbstractBaseUser | AnonymousUser


def controls_for(user: User) -> QuerySet[Control]:
    return Control.objects.for_user(user).select_related("owner")


def control_evidence_for(user: User) -> QuerySet[ControlEvidence]:
    return ControlEvidence.objects.for_user(user).select_related("control")


def inferences(organization_id: int) -> dict[str, Inference]:
    """Requirement URN → the best inference from the organization's implemented controls."""
    controls = Control.objects.filter(
        organization_id=organization_id, status=ControlStatus.IMPLEMENTED
    ).order_by("id")
    graph = adjacency(fw_selectors.edges())
    return infer(((c.pk, c.name, c.requirements) for c in controls), graph)
