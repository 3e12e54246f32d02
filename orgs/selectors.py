"""Reads about organizations and people, each scoped by the access policy."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from . import access
from .ledger.models import ChainVerification, Event
from .ledger.reading import EventRow, event_rows
from .ledger.selectors import event_view
from .models import Notice, Organization

User = AbstractBaseUser | AnonymousUser


def organizations_for(user: User) -> QuerySet[Organization]:
    return access.scope(Organization.objects.all(), user).order_by("name")


def notices_for(user: User) -> QuerySet[Notice]:
    return access.scope(Notice.objects.all(), user)


def unread_notices(user: User) -> int:
    return notices_for(user).filter(read_at=None).count()


def events_for(user: User) -> QuerySet[Event]:
    """Participants and guests do not read the log; every other member does."""
    return access.scope(Event.objects.all(), user, "event.read")


def events_named(events: Iterable[Event], viewer: User) -> list[EventRow]:
    """Events as this viewer may see them (anonymous contributions stay anonymous), each
    with its object named, linked only where the viewer may open it, and what it changed."""
    viewer_id = viewer.pk if viewer.is_authenticated else None
    may = functools.cache(lambda org_id, action: access.can(viewer, action, org_id))
    return event_rows([event_view(event, viewer_id) for event in events], may)


def chain_verifications_for(user: User) -> QuerySet[ChainVerification]:
    return access.scope(ChainVerification.objects.all(), user, "event.read").select_related(
        "organization"
    )
