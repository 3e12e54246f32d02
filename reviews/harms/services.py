"""Writes of the harm register. Each checks the access policy (or a permit from the
workshop a contribution was made in), writes, and records an event; contributions made
under a promise of anonymity are recorded as anonymous."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from orgs import access
from orgs.access import Permit
from orgs.ledger.writes import UNSET, Unset, apply_changes, given, log_change, snapshot
from orgs.plumbing.errors import Conflict, PermissionDenied, ServiceError
from reviews import selectors as review_selectors
from reviews.freeze import require_editable
from reviews.models import Review

from . import selectors
from .models import (
    Disposition,
    Harm,
    HarmCategory,
    HarmSource,
    HarmStatus,
    Mitigation,
    MitigationStatus,
    Rating,
    Stakeholder,
    StakeholderKind,
    Vote,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- Stakeholders ------------------------------------------------------------------------


@transaction.atomic
def stakeholder_create(
    *,
    actor: User,
    review: Review,
    name: str,
    kind: str,
    description: str = "",
    vulnerable: bool = False,
    permit: Permit | None = None,
) -> Stakeholder:
    granted = access.require(actor, "stakeholder.create", review, permit=permit)
    require_editable(review)
    if kind not in StakeholderKind.values:
        raise ServiceError(f"Unknown stakeholder kind {kind!r}.", field="kind")
    if not name.strip():
        raise ServiceError("Name the stakeholder.", field="name")
    stakeholder = Stakeholder.objects.create(
        organization_id=review.organization_id,
        review=review,
        name=name.strip(),
        kind=kind,
        description=description,
        vulnerable=vulnerable,
    )
    log_change(actor=actor, verb="create", instance=stakeholder, anonymous=granted.anonymous)
    return stakeholder


@transaction.atomic
def stakeholder_update(
    *,
    actor: User,
    stakeholder: Stakeholder,
    name: str | Unset = UNSET,
    kind: str | Unset = UNSET,
    description: str | Unset = UNSET,
    vulnerable: bool | Unset = UNSET,
) -> Stakeholder:
    access.require(actor, "stakeholder.update", stakeholder)
    require_editable(stakeholder.review)
    if not isinstance(kind, Unset) and kind not in StakeholderKind.values:
        raise ServiceError(f"Unknown stakeholder kind {kind!r}.", field="kind")
    apply_changes(
        actor=actor,
        instance=stakeholder,
        changes=given(name=name, kind=kind, description=description, vulnerable=vulnerable),
    )
    return stakeholder


@transaction.atomic
def stakeholder_delete(*, actor: User, stakeholder: Stakeholder) -> None:
    access.require(actor, "stakeholder.delete", stakeholder)
    require_editable(stakeholder.review)
    log_change(actor=actor, verb="delete", instance=stakeholder, before=snapshot(stakeholder))
    stakeholder.delete()


# --- Harms -------------------------------------------------------------------------------


def _harm_snapshot(harm: Harm) -> dict[str, object]:
    return {
        **snapshot(harm),
        "stakeholders": sorted(harm.stakeholders.values_list("pk", flat=True)),
    }


def _check_stakeholders(review: Review, stakeholders: Sequence[Stakeholder]) -> None:
    foreign = [s.name for s in stakeholders if s.review_id != review.pk]
    if foreign:
        raise ServiceError(
            f"Not stakeholders of this review: {', '.join(foreign)}.", field="stakeholders"
        )


@transaction.atomic
def harm_create(
    *,
    actor: User,
    review: Review,
    title: str,
    category: HarmCategory,
    description: str = "",
    stakeholders: Sequence[Stakeholder] = (),
    source: str = HarmSource.INCIDENT,
    permit: Permit | None = None,
) -> Harm:
    """A harm in the register. With a workshop's permit it is that workshop's card: its
    source is "workshop" and its author is hidden when the workshop is anonymous."""
    granted = access.require(actor, "harm.create", review, permit=permit)
    require_editable(review)
    if permit is not None:
        source = HarmSource.WORKSHOP
    if source not in HarmSource.values:
        raise ServiceError(f"Unknown source {source!r}.", field="source")
    if not title.strip():
        raise ServiceError("Give the harm a title.", field="title")
    _check_stakeholders(review, stakeholders)
    harm = Harm.objects.create(
        organization_id=review.organization_id,
        review=review,
        title=title.strip(),
        description=description,
        category=category,
        author=actor,
        author_hidden=granted.anonymous,
        source=source,
    )
    harm.stakeholders.set(stakeholders)
    log_change(
        actor=actor,
        verb="create",
        instance=harm,
        after=_harm_snapshot(harm),
        anonymous=harm.author_hidden,
    )
    return harm


@transaction.atomic
def harm_update(
    *,
    actor: User,
    harm: Harm,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    category: HarmCategory | Unset = UNSET,
    stakeholders: Sequence[Stakeholder] | Unset = UNSET,
    status: str | Unset = UNSET,
    status_note: str | Unset = UNSET,
    source: str | Unset = UNSET,
    permit: Permit | None = None,
) -> Harm:
    """Editors change any field. With a workshop's permit, the author fixes the wording of
    their own card (title, description, category, stakeholders) while it is open.

    A status says something true: "mitigated" needs a mitigation that is done, "accepted"
    (for a harm that blocks the review) a risk acceptance in force, "closed" a reason."""
    access.require(actor, "harm.update", harm, permit=permit)
    require_editable(harm.review)
    if permit is not None:
        if harm.author_id != actor.pk:
            raise PermissionDenied("You can only edit your own cards.")
        if not (isinstance(status, Unset) and isinstance(source, Unset)):
            raise PermissionDenied("Only editors change a harm's status or source.")
    if not isinstance(status, Unset) and status != harm.status:
        _check_status(
            harm, status, harm.status_note if isinstance(status_note, Unset) else status_note
        )
    if not isinstance(source, Unset) and source not in HarmSource.values:
        raise ServiceError(f"Unknown source {source!r}.", field="source")
    if not isinstance(title, Unset) and not title.strip():
        raise ServiceError("Give the harm a title.", field="title")
    if not isinstance(stakeholders, Unset):
        _check_stakeholders(harm.review, stakeholders)
    before = _harm_snapshot(harm)
    for name, value in given(
        title=title,
        description=description,
        category=category,
        status=status,
        status_note=status_note,
        source=source,
    ).items():
        setattr(harm, name, value)
    harm.save()
    if not isinstance(stakeholders, Unset):
        harm.stakeholders.set(stakeholders)
    after = _harm_snapshot(harm)
    if after != before:
        log_change(
            actor=actor,
            verb="update",
            instance=harm,
            before=before,
            after=after,
            anonymous=harm.author_hidden,
        )
    return harm


def _check_status(harm: Harm, status: str, note: str) -> None:
    if status not in HarmStatus.values:
        raise ServiceError("Unknown status.", field="status")
    if (
        status == HarmStatus.MITIGATED
        and not harm.mitigations.filter(status=MitigationStatus.DONE).exists()
    ):
        raise ServiceError(
            "A harm is mitigated once one of its mitigations is done: mark it done first.",
            field="status",
        )
    if status == HarmStatus.ACCEPTED:
        blocking = {h.pk for h, _risk in selectors.uncovered_harms(harm.review)}
        if harm.pk in blocking and harm.pk not in review_selectors.harm_acceptances_in_force(
            harm.review
        ):
            raise ServiceError(
                "This harm blocks the review: record a risk acceptance for it on the review "
                "page (who, why, until when) before marking it accepted.",
                field="status",
            )
    if status == HarmStatus.CLOSED and not note.strip():
        raise ServiceError(
            "Say why the harm is closed (e.g. the feature that caused it was removed).",
            field="status_note",
        )


@transaction.atomic
def harm_delete(*, actor: User, harm: Harm, confirmed: bool = False) -> None:
    """Delete a harm with its ratings, votes and mitigations. A harm people have rated
    goes only when the deletion is ``confirmed``."""
    access.require(actor, "harm.delete", harm)
    require_editable(harm.review)
    ratings = harm.ratings.count()
    if ratings and not confirmed:
        raise Conflict(
            f"\u201c{harm.title}\u201d has {ratings} rating{'s' if ratings != 1 else ''}; "
            "deleting the harm deletes them too. Confirm to go ahead."
        )
    log_change(
        actor=actor,
        verb="delete",
        instance=harm,
        before=_harm_snapshot(harm),
        anonymous=harm.author_hidden,
    )
    harm.delete()


# --- Ratings and votes -------------------------------------------------------------------


def _check_rating(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ServiceError(f"{name.capitalize()} must be a whole number from 1 to 5.", field=name)
    return value


@transaction.atomic
def rating_set(
    *,
    actor: User,
    harm: Harm,
    severity: int,
    likelihood: int,
    scale: int,
    permit: Permit | None = None,
) -> tuple[Rating, bool]:
    """Create or replace the actor's rating of a harm; returns it and whether it is new.
    A workshop card is rated in its workshop (with that workshop's permit)."""
    values = {
        "severity": _check_rating("severity", severity),
        "likelihood": _check_rating("likelihood", likelihood),
        "scale": _check_rating("scale", scale),
    }
    granted = access.require(actor, "rating.set", harm, permit=permit)
    require_editable(harm.review)
    if permit is None and harm.source == HarmSource.WORKSHOP:
        raise Conflict("This harm is a workshop card: rate it on its workshop's board.")
    # Lock the harm: two ratings sent at once take turns, so the second finds the first
    # and reports an update instead of failing on the one-rating-per-person constraint.
    Harm.objects.select_for_update().filter(pk=harm.pk).first()
    rating = Rating.objects.filter(harm=harm, user=actor).first()
    if rating is None:
        rating = Rating.objects.create(
            organization_id=harm.organization_id, harm=harm, user=actor, **values
        )
        log_change(actor=actor, verb="create", instance=rating, anonymous=granted.anonymous)
        return rating, True
    apply_changes(actor=actor, instance=rating, changes=values, anonymous=granted.anonymous)
    return rating, False


@transaction.atomic
def vote_add(*, actor: User, harm: Harm, permit: Permit | None = None) -> Vote:
    """One dot on a harm. Dots are placed in a workshop, which checks the budget."""
    granted = access.require(actor, "vote.create", harm, permit=permit)
    require_editable(harm.review)
    vote = Vote.objects.create(organization_id=harm.organization_id, harm=harm, user=actor)
    log_change(actor=actor, verb="create", instance=vote, anonymous=granted.anonymous)
    return vote


@transaction.atomic
def vote_remove(*, actor: User, vote: Vote, permit: Permit | None = None) -> None:
    granted = access.require(actor, "vote.delete", vote, permit=permit)
    require_editable(vote.harm.review)
    if vote.user_id != actor.pk:
        raise PermissionDenied("You can only take back your own votes.")
    log_change(
        actor=actor,
        verb="delete",
        instance=vote,
        before=snapshot(vote),
        anonymous=granted.anonymous,
    )
    vote.delete()


# --- Mitigations -------------------------------------------------------------------------


def _check_mitigation(
    harm: Harm, owner: User, status: str, justification: str, disposition: str
) -> None:
    if not access.can(owner, "mitigation.own", harm.organization_id):
        raise ServiceError(
            f"{owner} cannot own a mitigation here: owners are members of this organization.",
            field="owner",
        )
    if status not in MitigationStatus.values:
        raise ServiceError("Unknown status.", field="status")
    if disposition not in Disposition.values:
        raise ServiceError("Sort into act, influence or monitor.", field="disposition")
    if status == MitigationStatus.WONT_DO and not justification.strip():
        raise ServiceError("Say why this mitigation will not be done.", field="justification")


def _check_url(url: str) -> str:
    """An evidence link is shown as a link and never fetched; only web addresses, so that
    no ``javascript:`` or ``data:`` link reaches a page."""
    url = url.strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ServiceError(
            "Give a web address starting with https:// or http://.", field="evidence_url"
        ) from None
    if len(url) > 500:
        raise ServiceError("Keep the link under 500 characters.", field="evidence_url")
    return url


@transaction.atomic
def mitigation_create(
    *,
    actor: User,
    harm: Harm,
    action: str,
    owner: User,
    due_date: datetime.date | None = None,
    status: str = MitigationStatus.PLANNED,
    justification: str = "",
    disposition: str = Disposition.ACT,
    evidence_url: str = "",
) -> Mitigation:
    access.require(actor, "mitigation.create", harm)
    require_editable(harm.review)
    _check_mitigation(harm, owner, status, justification, disposition)
    if not action.strip():
        raise ServiceError("Say what will be done.", field="action")
    mitigation = Mitigation.objects.create(
        organization_id=harm.organization_id,
        harm=harm,
        action=action,
        owner=owner,
        due_date=due_date,
        status=status,
        justification=justification,
        disposition=disposition,
        evidence_url=_check_url(evidence_url),
    )
    log_change(actor=actor, verb="create", instance=mitigation)
    return mitigation


@transaction.atomic
def mitigation_update(
    *,
    actor: User,
    mitigation: Mitigation,
    action: str | Unset = UNSET,
    owner: User | Unset = UNSET,
    due_date: datetime.date | None | Unset = UNSET,
    status: str | Unset = UNSET,
    justification: str | Unset = UNSET,
    disposition: str | Unset = UNSET,
    evidence_url: str | Unset = UNSET,
) -> Mitigation:
    access.require(actor, "mitigation.update", mitigation)
    require_editable(mitigation.harm.review)
    _check_mitigation(
        mitigation.harm,
        mitigation.owner if isinstance(owner, Unset) else owner,
        mitigation.status if isinstance(status, Unset) else status,
        mitigation.justification if isinstance(justification, Unset) else justification,
        mitigation.disposition if isinstance(disposition, Unset) else disposition,
    )
    apply_changes(
        actor=actor,
        instance=mitigation,
        changes=given(
            action=action,
            owner=owner,
            due_date=due_date,
            status=status,
            justification=justification,
            disposition=disposition,
            evidence_url=evidence_url
            if isinstance(evidence_url, Unset)
            else _check_url(evidence_url),
        ),
    )
    return mitigation


@transaction.atomic
def mitigation_delete(*, actor: User, mitigation: Mitigation) -> None:
    access.require(actor, "mitigation.delete", mitigation)
    require_editable(mitigation.harm.review)
    log_change(actor=actor, verb="delete", instance=mitigation, before=snapshot(mitigation))
    mitigation.delete()
