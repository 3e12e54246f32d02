"""Recording a service's write: the state before and after, in one event."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

from django.db import models, transaction

from . import rows
from .chain import head_query, record, to_jsonable
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
    head: tuple[int, int, str] | None = None,
) -> Event:
    """Record a write of ``instance``: its state after the write (none for a delete, the
    snapshot unless given) and, when given, before it. ``head``: see ``record()``."""
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
        head=head,
    )


def create_logged(
    instance: models.Model,
    *,
    actor: Any,
    after: Callable[[Any], Mapping[str, Any]] | None = None,
    unless: tuple[str, list[Any]] | None = None,
    anonymous: bool = False,
) -> bool:
    """Insert a new instance and record its creation, as ``rows.insert()`` followed by
    ``log_change(verb="create")`` would, with one round trip fewer on PostgreSQL: the
    insert's own statement locks and reads the organization's chain head. ``after``
    makes the recorded state from the saved instance (the snapshot otherwise). With
    ``unless`` (a query and its parameters; see ``rows.insert_with``) nothing is written,
    and False returned, when that query finds a row."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_logged() must be called inside transaction.atomic()")
    organization_id = _organization_id(instance)
    row = rows.insert_with(instance, head_query(), [organization_id], unless=unless)
    if row is None:
        return False
    # A new organization's first event finds no head yet: record() creates it.
    head = (int(row[1]), int(row[2]), str(row[3])) if row[1] is not None else None
    log_change(
        actor=actor,
        verb="create",
        instance=instance,
        after=after(instance) if after is not None else None,
        anonymous=anonymous,
        head=head,
    )
    return True


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
