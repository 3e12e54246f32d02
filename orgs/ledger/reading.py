"""Reading the log as pages: filters, a cursor by ``seq`` (newest first), each event's
object named (names.py) and what it changed.

All of it needs only the ledger's own fields. The caller hands in events already scoped to
what the reader may read (``orgs.selectors.events_for``) and of one organization, and says
what the reader may open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet

from .models import Event
from .names import May, ObjectName, name_objects, object_types
from .selectors import EventView

PAGE_SIZE = 50
MAX_ID = 2**63 - 1
FILTERS = ("actor", "verb", "object_type", "since", "until", "review")
# A verb as a word of the sentence "olivia created Harm ‘…’"; others read as they are.
VERBS = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "transition": "moved",
    "sign_off": "signed off",
    "accept_risk": "recorded",
    "revoke": "revoked",
    "reopen": "reopened",
    "succeeded": "succeeded",
    "failed": "failed",
}
# Bookkeeping that every write changes or that the event says itself.
UNSHOWN = frozenset({"id", "organization_id", "updated_at"})


def about_review(review_id: int) -> Q:
    """A review's own events and its sign-offs', the set ``reviews.selectors.events_about``
    reads, found from the ledger's fields alone: a sign-off's state names its review."""
    return Q(object_type="reviews.review", object_id=str(review_id)) | Q(
        object_type="reviews.signoff", after__review_id=review_id
    )


def _date(label: str) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(required=False, label=label, widget=widget)


def _id() -> forms.IntegerField:
    return forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )


@dataclass(frozen=True)
class Page:
    events: list[Event]
    older: str  # the link to the page before this one's last event, if there are more
    newer: str
    newest: str  # the link back to the first page, when this is not it


class EventQuery(forms.Form):
    """The log's filters and cursor, from a query string. A value that does not parse is
    named in ``problems()`` and left out of the filter; nothing reaches the database that
    it cannot hold."""

    actor = forms.CharField(required=False, max_length=150)
    verb = forms.CharField(required=False, max_length=40, widget=forms.TextInput({"list": "verbs"}))
    verbs = sorted(VERBS)
    object_type = forms.ChoiceField(required=False, label="Object", choices=object_types)
    since = _date("From")
    until = _date("To")
    review = _id()
    before = _id()
    after = _id()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The “to” date is before the “from” date.")
        return data

    def problems(self) -> list[str]:
        self.is_valid()
        return [
            f"{self[name].label}: {' '.join(map(str, errs))}" for name, errs in self.errors.items()
        ]

    def filter(self, events: QuerySet[Event], viewer_id: int | None) -> QuerySet[Event]:
        """``events`` narrowed by every filter that parsed."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("actor"):
            # Never someone else's anonymous contribution: that would name its author.
            mine = Q(anonymous=False) | Q(actor_id=viewer_id) if viewer_id else Q(anonymous=False)
            events = events.filter(mine, actor_username=data["actor"])
        for name in ("verb", "object_type"):
            if data.get(name):
                events = events.filter(**{name: data[name]})
        if data.get("since"):
            events = events.filter(at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(at__date__lte=data["until"])
        if data.get("review"):
            events = events.filter(about_review(data["review"]))
        return events

    def link(self, **cursor: int) -> str:
        """This query string with the valid filters kept and the cursor replaced."""
        kept = {n: self.data[n] for n in FILTERS if self.data.get(n) and n not in self.errors}
        return "?" + urlencode({**kept, **cursor})

    def page(self, events: QuerySet[Event], size: int = PAGE_SIZE) -> Page:
        """One page, newest first, older than ``before`` or newer than ``after`` (else the
        newest): one query, and one more to know whether the other side has events."""
        self.is_valid()
        before, after = self.cleaned_data.get("before"), self.cleaned_data.get("after")
        if after is not None:
            rows = list(events.filter(seq__gt=after).order_by("seq")[: size + 1])
            more_newer = len(rows) > size
            rows = rows[:size][::-1]
            more_older = bool(rows) and events.filter(seq__lt=rows[-1].seq).exists()
        else:
            older = events if before is None else events.filter(seq__lt=before)
            rows = list(older.order_by("-seq")[: size + 1])
            more_older = len(rows) > size
            rows = rows[:size]
            more_newer = before is not None and bool(rows)
            more_newer = more_newer and events.filter(seq__gt=rows[0].seq).exists()
        return Page(
            events=rows,
            older=self.link(before=rows[-1].seq) if more_older else "",
            newer=self.link(after=rows[0].seq) if more_newer else "",
            newest=self.link() if before is not None or after is not None else "",
        )


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class EventRow:
    event: EventView
    verb: str
    name: ObjectName
    changes: list[Change]


def _shown(value: Any, limit: int = 300) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(view: EventView) -> list[Change]:
    """The fields the event changed, old → new, in the states as the reader may see them
    (an anonymous event's author and user fields stay "(hidden)")."""
    before, after = view.before or {}, view.after or {}
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = _shown(before.get(key)), _shown(after.get(key))
        if key not in UNSHOWN and old != new:
            field = key.removesuffix("_id").replace("_", " ").capitalize()
            out.append(Change(field, old, new))
    return out


def event_rows(views: list[EventView], may: May) -> list[EventRow]:
    names = name_objects(views, may)
    return [
        EventRow(view, VERBS.get(view.verb, view.verb.replace("_", " ")), name, changes(view))
        for view, name in zip(views, names, strict=True)
    ]
