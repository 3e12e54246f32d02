"""Names of the objects events are about, for people: "Harm ‘Thin-file applicants
declined’", linking to the register, rather than ``harms.harm:12``.

The ledger knows no app above it, so each app registers its object types here, from its
``AppConfig.ready()`` (the app's ``event_names`` module). Naming a page of events reads each
object type on the page once (one query per type, whatever the page's length), within the
event's organization only.

1. A name comes from a title-like field of the object (or of its parent), never from its
   author or user, so it cannot undo the anonymity of a contribution.
2. A link is given only when the reader may open the page it leads to: ``may`` is the
   caller's access check, asked with the kind's ``read`` action.
3. An object no longer in its organization was deleted: it is named from the event's own
   state (``before``, else ``after``), marked "(deleted)", without a link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from .selectors import EventView

# (organization id, policy action) → may the reader do it there.
May = Callable[[int, str], bool]


@dataclass(frozen=True)
class ObjectName:
    text: str
    url: str = ""


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    noun: str
    field: str  # the title-like field, also read from a deleted object's state
    name: Callable[[Any], str] | None
    url: Callable[[Any], str] | None
    read: str  # the policy action that opens ``url``
    related: tuple[str, ...]

    def label(self, row: Any) -> str:
        if self.name is not None:
            return self.name(row)
        return (
            f"{self.noun} {quote(getattr(row, self.field))}" if self.field else self.number(row.pk)
        )

    def number(self, pk: object) -> str:
        return f"{self.noun} #{pk}"


KINDS: dict[str, Kind] = {}


def quote(text: object, limit: int = 60) -> str:
    value = " ".join(str(text).split())
    return f"‘{value[: limit - 1] + '…' if len(value) > limit else value}’"


def register(
    model: type[Model],
    noun: str,
    *,
    field: str = "",
    name: Callable[[Any], str] | None = None,
    url: Callable[[Any], str] | None = None,
    read: str = "",
    related: tuple[str, ...] = (),
) -> None:
    """Name the model's events: "<noun> ‘<field>’" (or ``name(row)``), linking to
    ``url(row)`` for readers who may ``read``. ``related`` is select_related for both."""
    if url is not None and not read:
        raise ValueError(f"Say which action opens the page of {model._meta.label_lower}.")
    KINDS[model._meta.label_lower] = Kind(model, noun, field, name, url, read, related)


def object_types() -> list[tuple[str, str]]:
    """(object type, noun) of every registered kind, by noun: a filter's choices."""
    kinds = sorted(((key, kind.noun) for key, kind in KINDS.items()), key=lambda c: c[1])
    return [("", "Any"), *kinds]


def _rows(kind: Kind, organization_id: int, ids: set[str]) -> list[Any]:
    rows = kind.model._default_manager.filter(pk__in=sorted(ids)).select_related(*kind.related)
    # A row of the organization, or the organization itself.
    fields = {f.name for f in kind.model._meta.get_fields()}
    if "organization" in fields:
        return list(rows.filter(organization_id=organization_id))
    return list(rows.filter(pk=organization_id))


def _deleted(view: EventView) -> ObjectName:
    kind = KINDS.get(view.object_type)
    if kind is None:
        return ObjectName(f"{view.object_type} #{view.object_id}")
    value = (view.before or view.after or {}).get(kind.field) if kind.field else None
    text = f"{kind.noun} {quote(value)}" if value else kind.number(view.object_id)
    return ObjectName(f"{text} (deleted)")


def name_objects(views: Sequence[EventView], may: May) -> list[ObjectName]:
    """The name (and link, if any) of each event's object, in the order of ``views``."""
    wanted: dict[tuple[int, str], set[str]] = defaultdict(set)
    for view in views:
        if view.object_type in KINDS and view.object_id.isdigit() and len(view.object_id) <= 18:
            wanted[(view.organization, view.object_type)].add(view.object_id)
    found: dict[tuple[int, str, str], ObjectName] = {}
    for (organization_id, object_type), ids in wanted.items():
        kind = KINDS[object_type]
        linked = kind.url is not None and may(organization_id, kind.read)
        for row in _rows(kind, organization_id, ids):
            url = kind.url(row) if linked and kind.url is not None else ""
            found[(organization_id, object_type, str(row.pk))] = ObjectName(kind.label(row), url)
    return [
        found.get((view.organization, view.object_type, view.object_id)) or _deleted(view)
        for view in views
    ]
