"""Recording a service's write: the state before and after, in one event."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from django.db import models

from .chain import record, to_jsonable
from .models import Event


class Unset(enum.Enum):
    """The value of an update argument that was not given."""

    UNSET = "unset"


UNSET = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments that were given (not ``UNSET``)."""
    return {name: value for name, value in values.items() if value is not UNSET}


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete fields as JSON (foreign keys as ids)."""
    return {
        field.attname: to_jsonable(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def _organization_id(instance: models.Model) -> int:
    org_id = getattr(instance, "organization_id", None)
    if org_id is None:  # an Organization itself
        return int(instance.pk)
    return int(org_id)


def log_change(
    *,
    actor: Any,
    verb: str,
    instance: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    anonymous: bool = False,
) -> Event:
    """Record a write of ``instance``: its state after the write (none for a delete, the
    snapshot unless given) and, when given, before it."""
    if after is None and verb != "delete":
        after = snapshot(instance)
    return record(
        organization_id=_organization_id(instance),
        actor=actor,
        verb=verb,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        anonymous=anonymous,
    )


def apply_changes(
    *,
    actor: Any,
    instance: models.Model,
    changes: Mapping[str, Any],
    anonymous: bool = False,
) -> Event | None:
    """Set the given fields, save them and record one ``update`` event with the state
    before and after. Nothing is written, and no event recorded, when nothing changes."""
    changed = {name: value for name, value in changes.items() if getattr(instance, name) != value}
    if not changed:
        return None
    before = snapshot(instance)
    for name, value in changed.items():
        setattr(instance, name, value)
    instance.save()
    return log_change(
        actor=actor, verb="update", instance=instance, before=before, anonymous=anonymous
    )
