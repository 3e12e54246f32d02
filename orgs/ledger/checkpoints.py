"""Signed checkpoints of every chain head, written outside the database.

A checkpoint is a small JSON file in the ``event_checkpoints`` storage (a folder under
``var/`` by default, any Django storage backend, e.g. an object-store prefix, in
production) naming, per organization, the chain's length and last hash, signed with the
chain key. Someone who can rewrite the database but not that storage cannot hide a
truncated or deleted chain: verification checks the chain against the latest checkpoint.
Events written after the latest checkpoint are covered by the chain head only, so the
checkpoint interval (``EVENT_CHECKPOINT_MINUTES``) is the window for silent truncation.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

from .chain import ChainHead, canonical_json, key_id, sign
from .models import EventChain

FORMAT = "forethought.event-checkpoint/1"
PREFIX = "checkpoint-"


def storage() -> Storage:
    return storages["event_checkpoints"]


@dataclass(frozen=True)
class Checkpoint:
    name: str
    written_at: str
    heads: dict[int, ChainHead] = field(default_factory=dict)
    slugs: dict[int, str] = field(default_factory=dict)
    problem: str = ""  # set when the checkpoint cannot be trusted

    @property
    def valid(self) -> bool:
        return not self.problem


def write_checkpoint(now: datetime | None = None) -> str:
    """Write one checkpoint of every chain head; returns its name in the storage."""
    now = now or timezone.now()
    chains = [
        {
            "organization": chain.organization_id,
            "slug": chain.organization.slug,
            "length": chain.length,
            "head_hash": chain.head_hash,
        }
        for chain in EventChain.objects.select_related("organization").order_by("organization_id")
    ]
    body: dict[str, object] = {
        "format": FORMAT,
        "written_at": now.isoformat(),
        "key_id": key_id(),
        "chains": chains,
    }
    body["signature"] = sign(body)
    name = f"{PREFIX}{now:%Y%m%dT%H%M%S%f}Z.json"
    return storage().save(name, ContentFile(canonical_json(body).encode("utf-8")))


def latest_checkpoint() -> Checkpoint | None:
    """The newest checkpoint, with ``problem`` set if its signature does not verify."""
    store = storage()
    try:
        _folders, files = store.listdir("")
    except FileNotFoundError:
        return None
    names = sorted(f for f in files if f.startswith(PREFIX) and f.endswith(".json"))
    if not names:
        return None
    name = names[-1]
    with store.open(name, "rb") as handle:
        raw = handle.read()
    try:
        body = json.loads(raw)
        signature = body.pop("signature")
    except (ValueError, KeyError, AttributeError):
        return Checkpoint(name, "", problem=f"checkpoint {name} cannot be read")
    if body.get("format") != FORMAT:
        return Checkpoint(name, "", problem=f"checkpoint {name} has an unknown format")
    if not isinstance(signature, str) or not hmac.compare_digest(sign(body), signature):
        return Checkpoint(
            name,
            str(body.get("written_at", "")),
            problem=f"checkpoint {name} is not signed with this EVENT_CHAIN_KEY (key id "
            f"{key_id()}; the checkpoint names {body.get('key_id')!r}): it was forged, "
            "altered, or written with another key",
        )
    heads = {
        int(c["organization"]): ChainHead(int(c["length"]), c["head_hash"]) for c in body["chains"]
    }
    slugs = {int(c["organization"]): str(c["slug"]) for c in body["chains"]}
    return Checkpoint(name, str(body["written_at"]), heads, slugs)
