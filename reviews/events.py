"""The tamper-evident event log.

Each organization has one hash chain: ``hash = sha256(prev_hash + canonical JSON)`` where
the canonical JSON covers every stored field of the event (organization, sequence number,
actor, verb, object, before/after state, timestamp). Editing, inserting or deleting a row
in the database breaks the chain at that row; removing rows from the end is caught by the
length and head hash kept on ``EventChain``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .models import Event, EventChain, Organization

GENESIS_HASH = "0" * 64


def to_jsonable(value: Any) -> Any:
    """Turn model field values into JSON that hashes the same way after a round trip."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete fields as JSON (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        data[field.attname] = to_jsonable(getattr(instance, field.attname))
    return data


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "organization": event.organization_id,
        "seq": event.seq,
        "actor": event.actor_username,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "at": event.at.isoformat(),
    }


def compute_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


def event_record(
    *,
    organization: Organization,
    actor,
    verb: str,
    instance: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Append one event to the organization's chain.

    Must run inside the caller's transaction so the event commits or rolls back with the
    change it describes. The chain head row is locked first, which makes concurrent writers
    in the same organization take turns.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must be called inside transaction.atomic()")
    chain, _ = EventChain.objects.get_or_create(organization=organization)
    chain = EventChain.objects.select_for_update().get(pk=chain.pk)
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = instance.pk
    # Round-trip the states through JSON so the stored and the hashed value are identical.
    before = json.loads(canonical_json(to_jsonable(before))) if before is not None else None
    after = json.loads(canonical_json(to_jsonable(after))) if after is not None else None
    # Microseconds are dropped: not every database keeps them the same way.
    now = timezone.now().replace(microsecond=0)
    event = Event(
        organization=organization,
        seq=chain.length + 1,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=getattr(actor, "username", "") or "",
        verb=verb,
        object_type=object_type or "",
        object_id=str(object_id if object_id is not None else ""),
        before=before,
        after=after,
        at=now,
        prev_hash=chain.head_hash,
    )
    event.hash = compute_hash(chain.head_hash, event_payload(event))
    event.save()
    EventChain.objects.filter(pk=chain.pk).update(length=event.seq, head_hash=event.hash)
    return event


def log_change(
    *, organization: Organization, actor, verb: str, instance: models.Model, before=None
) -> Event:
    """Record a write of ``instance``: its state after the write (none for a delete) and,
    when given, before it."""
    after = None if verb == "delete" else snapshot(instance)
    return event_record(
        organization=organization,
        actor=actor,
        verb=verb,
        instance=instance,
        before=before,
        after=after,
    )


@dataclass(frozen=True)
class ChainReport:
    organization: str
    intact: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    message: str = ""


def verify_chain(organization: Organization) -> ChainReport:
    """Walk the chain from the start; report the first event that does not hash correctly."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    label = organization.slug

    def broken(event: Event | None, seq: int, why: str) -> ChainReport:
        return ChainReport(
            organization=label,
            intact=False,
            checked=checked,
            first_broken_seq=seq,
            first_broken_id=event.pk if event else None,
            message=why,
        )

    events = Event.objects.filter(organization=organization).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return broken(event, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return broken(
                event,
                event.seq,
                f"event #{event.seq} (id {event.pk}) does not link to its predecessor",
            )
        if compute_hash(prev_hash, event_payload(event)) != event.hash:
            return broken(
                event,
                event.seq,
                f"event #{event.seq} (id {event.pk}) was altered after it was written",
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1

    chain = EventChain.objects.filter(organization=organization).first()
    length = chain.length if chain else 0
    head = chain.head_hash if chain else GENESIS_HASH
    if length != checked or head != prev_hash:
        return broken(
            None,
            checked + 1,
            f"the chain head records {length} events but {checked} are present: "
            f"event #{checked + 1} onwards was removed",
        )
    return ChainReport(organization=label, intact=True, checked=checked, message="intact")
