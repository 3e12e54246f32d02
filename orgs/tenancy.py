"""Rows that belong to one organization.

Every tenant row carries its own ``organization`` key, set by the service that creates it,
so scoping a read is one filter on the row itself. ``Model.objects.for_user(user)`` keeps
the rows the access policy lets the user read (the model's ``read_action``).
"""

from __future__ import annotations

from typing import ClassVar, Self, TypeVar

from django.db import models

from . import access
from .models import Organization

_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M]):
    def for_user(self, user: access.Actor, action: str | None = None) -> Self:
        """Rows the user may read (or, given ``action``, may do that to)."""
        return access.scope(self, user, action)

    def in_organization(self, organization: Organization | int) -> Self:
        return self.filter(organization=organization)


class TenantModel(models.Model):
    """A row owned by one organization. Subclasses set ``read_action`` (the policy action
    that reads them) and, when a relation can grant access, ``access_paths``."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", editable=False
    )

    read_action: ClassVar[str] = ""
    access_paths: ClassVar[dict[str, str]] = {}

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
