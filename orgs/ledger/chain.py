"""The HMAC chain: recording events and verifying an organization's chain.

Each event's ``hash`` is an HMAC-SHA256, under ``EVENT_CHAIN_KEY``, of every field of the
event (the row id aside: ``seq`` is its position) including ``prev_hash``, the previous
event's hash. Editing an event, or removing one from the middle, breaks the chain at that
row; rewriting the chain from there on needs the key, which lives outside the database.
Removing events from the end, or all of them, is caught by the chain head kept on
``EventChain`` and by signed checkpoints of every head written outside the database
(checkpoints.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from . import rows
from .models import Event, EventChain

GENESIS_HASH = "0" * 64


# --- Keys -------------------------------------------------------------------------------


def chain_key() -> bytes:
    key = settings.EVENT_CHAIN_KEY
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def key_id(key: bytes | None = None) -> str:
    """A short public fingerprint of the key, to tell "wrong key" from "tampered"."""
    return hashlib.sha256(b"forethought-event-chain-key:" + (key or chain_key())).hexdigest()[:12]


# --- Canonical form ---------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Turn model field values into JSON that hashes the same way after a round trip."""
    if isinstance(value, datetime | date):
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


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_payload(event: Event) -> dict[str, Any]:
    """Every stored field of the event except its hash (and the row id)."""
    return {
        "organization": event.organization_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "actor": event.actor_username,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "anonymous": event.anonymous,
        "at": event.at.isoformat(),
        "prev_hash": event.prev_hash,
    }


def sign(payload: Any, key: bytes | None = None) -> str:
    message = canonical_json(payload).encode("utf-8")
    return hmac.new(key or chain_key(), message, hashlib.sha256).hexdigest()


def compute_hash(event: Event, key: bytes | None = None) -> str:
    return sign(event_payload(event), key)


# --- Recording --------------------------------------------------------------------------


def record(
    *,
    organization_id: int,
    actor: Any,
    verb: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    anonymous: bool = False,
    head: tuple[int, int, str] | None = None,
) -> Event:
    """Append one event to the organization's chain.

    Must run inside the caller's transaction so the event commits or rolls back with the
    change it describes. The chain head row is locked first, which makes concurrent writers
    in the same organization take turns. ``head``: the head as the caller's own statement
    already locked and read it (``head_query()``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must be called inside transaction.atomic()")
    # One query for the common case (the chain exists); a new organization's first event
    # creates it, then locks it like any other.
    chain_id, length, head_hash = head or _lock_head(organization_id)
    # Round-trip the states through JSON so the stored and the hashed value are identical.
    stored_before = json.loads(canonical_json(to_jsonable(before))) if before is not None else None
    stored_after = json.loads(canonical_json(to_jsonable(after))) if after is not None else None
    authenticated = actor is not None and bool(getattr(actor, "is_authenticated", False))
    event = Event(
        organization_id=organization_id,
        seq=length + 1,
        actor_id=actor.pk if authenticated else None,
        actor_username=(getattr(actor, "username", "") or "") if authenticated else "",
        verb=verb,
        object_type=object_type,
        object_id=str(object_id),
        before=stored_before,
        after=stored_after,
        anonymous=anonymous,
        # Microseconds are dropped: not every database keeps them the same way.
        at=timezone.now().replace(microsecond=0),
        prev_hash=head_hash,
    )
    event.hash = compute_hash(event)
    # The event and the head's new state in one round trip on PostgreSQL: the head stays
    # locked, and every writer of the organization waits, for one round trip less.
    changed = rows.insert_then(
        event,
        f"UPDATE {_head_table()} SET length = %s, head_hash = %s WHERE id = %s",  # noqa: S608 - the model's table name
        [event.seq, event.hash, chain_id],
    )
    if changed != 1:
        raise RuntimeError(f"The event chain head {chain_id} vanished while it was locked.")
    return event


def _head_table() -> str:
    return str(transaction.get_connection().ops.quote_name(EventChain._meta.db_table))


def head_query() -> str:
    """The statement that locks an organization's chain head and reads it (one parameter,
    the organization's id): id, length, head hash."""
    connection = transaction.get_connection()
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT id, length, head_hash FROM {_head_table()} WHERE organization_id = %s{lock}"  # noqa: S608 - the model's table name


def _lock_head(organization_id: int) -> tuple[int, int, str]:
    """Lock the organization's chain head and read it: (id, length, head hash). Every
    write of the application passes here, so it is plain SQL: the ORM took about five
    times its CPU. A new organization's first event creates the head first."""
    connection = transaction.get_connection()
    query = head_query()
    with connection.cursor() as cursor:
        cursor.execute(query, [organization_id])
        row = cursor.fetchone()
        if row is None:
            EventChain.objects.get_or_create(organization_id=organization_id)
            cursor.execute(query, [organization_id])
            row = cursor.fetchone()
    return int(row[0]), int(row[1]), str(row[2])


# --- Verifying --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    length: int
    head_hash: str


@dataclass(frozen=True)
class ChainReport:
    organization: str
    intact: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    message: str = ""


def _walk(organization_id: int) -> Iterator[Event]:
    events = Event.objects.filter(organization_id=organization_id).order_by("seq")
    yield from events.iterator(chunk_size=2000)


def verify_chain(
    organization_id: int,
    label: str,
    checkpoint: ChainHead | None = None,
    checkpoint_name: str = "",
) -> ChainReport:
    """Walk the chain from the start; report the first event that does not verify.

    1. Every event links to its predecessor and its HMAC matches its fields.
    2. The chain head (``EventChain``) agrees with the last event.
    3. The latest signed checkpoint's head, when given, is still in the chain: its length
       is reached and the event at that position carries the hash it recorded.
    """
    key = chain_key()
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    hash_at_checkpoint: str | None = None

    def broken(event: Event | None, seq: int, why: str) -> ChainReport:
        return ChainReport(
            organization=label,
            intact=False,
            checked=checked,
            first_broken_seq=seq,
            first_broken_id=event.pk if event else None,
            message=why,
        )

    for event in _walk(organization_id):
        if event.seq != expected_seq:
            return broken(event, expected_seq, f"event #{expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return broken(
                event,
                event.seq,
                f"event #{event.seq} (id {event.pk}) does not link to its predecessor",
            )
        if not hmac.compare_digest(compute_hash(event, key), event.hash):
            hint = (
                " (or EVENT_CHAIN_KEY is not the key the log was written with)"
                if event.seq == 1
                else ""
            )
            return broken(
                event,
                event.seq,
                f"event #{event.seq} (id {event.pk}) was altered after it was written{hint}",
            )
        if checkpoint is not None and event.seq == checkpoint.length:
            hash_at_checkpoint = event.hash
        prev_hash = event.hash
        expected_seq += 1
        checked += 1

    chain = EventChain.objects.filter(organization_id=organization_id).first()
    length = chain.length if chain else 0
    head = chain.head_hash if chain else GENESIS_HASH
    if length != checked or head != prev_hash:
        return broken(
            None,
            checked + 1,
            f"the chain head records {length} events but {checked} are present: "
            f"event #{checked + 1} onwards was removed",
        )
    if checkpoint is not None and checkpoint.length > 0:
        if checked < checkpoint.length:
            return broken(
                None,
                checked + 1,
                f"checkpoint {checkpoint_name} recorded {checkpoint.length} events but "
                f"{checked} are present: event #{checked + 1} onwards was removed",
            )
        if hash_at_checkpoint != checkpoint.head_hash:
            return broken(
                None,
                checkpoint.length,
                f"event #{checkpoint.length} differs from checkpoint {checkpoint_name}: "
                "the chain was rewritten",
            )
    return ChainReport(organization=label, intact=True, checked=checked, message="intact")
