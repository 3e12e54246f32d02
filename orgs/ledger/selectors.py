"""Reading events as a given person may see them.

An event written under a promise of anonymity (``Event.anonymous``) shows its actor, and
the author and user fields of its states, only to the actor: everyone else reads
"anonymous participant". The stored row is unchanged, so verification still covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import Event

ANONYMOUS_ACTOR = "anonymous participant"
# State fields that name the person behind a contribution.
IDENTIFYING_FIELDS = frozenset({"author_id", "user_id", "author", "user", "actor"})


@dataclass(frozen=True)
class EventView:
    id: int
    organization: int
    seq: int
    actor: str
    verb: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    anonymous: bool
    at: datetime
    prev_hash: str
    hash: str


def _redact(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: ("(hidden)" if k in IDENTIFYING_FIELDS else v) for k, v in state.items()}


def event_view(event: Event, viewer_id: int | None) -> EventView:
    hidden = event.anonymous and (viewer_id is None or event.actor_id != viewer_id)
    return EventView(
        id=event.pk,
        organization=event.organization_id,
        seq=event.seq,
        actor=ANONYMOUS_ACTOR if hidden else (event.actor_username or "system"),
        verb=event.verb,
        object_type=event.object_type,
        object_id=event.object_id,
        before=_redact(event.before) if hidden else event.before,
        after=_redact(event.after) if hidden else event.after,
        anonymous=event.anonymous,
        at=event.at,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )
