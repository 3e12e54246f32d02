"""Writes of community feedback. Team writes check the access policy; the public form's
writes (a submission, an erasure) need no account: the channel's token or the receipt code
is the credential, and the view has applied the rate limits.

The event log never holds a submitter's words or contact details (it cannot forget):
their events record ids, statuses and counts only."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from orgs import access
from orgs.ledger.writes import UNSET, Unset, apply_changes, create_logged, given, log_change
from orgs.models import Organization, Role
from orgs.plumbing.errors import Conflict, ServiceError
from reviews.harms import services as harms
from reviews.harms.models import Harm, HarmCategory, HarmSource, Mitigation, Stakeholder
from reviews.models import Review

from . import receipts, selectors
from .models import (
    TEXT_LIMIT,
    ChannelStatus,
    FeedbackChannel,
    FeedbackReply,
    FeedbackSettings,
    FeedbackTheme,
    Submission,
    SubmissionContact,
    SubmissionStatus,
)
from .wording import CONSENT_VERSION, EFFECT_CATEGORY

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DUPLICATE_WINDOW = datetime.timedelta(hours=1)
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _required(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise ServiceError(message, field=field)
    return value


# --- Channels and settings -----------------------------------------------------------------


@transaction.atomic
def channel_create(
    *, actor: User, review: Review, title: str, system_description: str, purpose: str
) -> FeedbackChannel:
    access.require(actor, "feedback_channel.create", review)
    channel = FeedbackChannel.objects.create(
        organization_id=review.organization_id,
        review=review,
        token=receipts.new_token(),
        title=_required(title, "title", "Give the channel a title."),
        system_description=_required(
            system_description, "system_description", "Describe the system in plain words."
        ),
        purpose=_required(purpose, "purpose", "Say what the feedback is for."),
        created_by=actor,
    )
    log_change(actor=actor, verb="create", instance=channel, after=_channel_state(channel))
    return channel


def _channel_state(channel: FeedbackChannel) -> dict[str, Any]:
    # The token is a credential of the public page: never in the event log.
    return {"review_id": channel.review_id, "title": channel.title, "status": channel.status}


@transaction.atomic
def channel_update(
    *,
    actor: User,
    channel: FeedbackChannel,
    title: str | Unset = UNSET,
    system_description: str | Unset = UNSET,
    purpose: str | Unset = UNSET,
    status: str | Unset = UNSET,
) -> FeedbackChannel:
    access.require(actor, "feedback_channel.update", channel)
    if not isinstance(status, Unset) and status not in ChannelStatus.values:
        raise ServiceError(f"Unknown channel status {status!r}.", field="status")
    if channel.status == ChannelStatus.CLOSED and status not in (UNSET, ChannelStatus.CLOSED):
        raise Conflict("A closed channel stays closed; open a new channel instead.")
    for name, value in (("title", title), ("system_description", system_description)):
        if isinstance(value, str) and not value.strip():
            raise ServiceError("This cannot be empty.", field=name)
    if isinstance(purpose, str) and not purpose.strip():
        raise ServiceError("This cannot be empty.", field="purpose")
    apply_changes(
        actor=actor,
        instance=channel,
        changes=given(
            title=title, system_description=system_description, purpose=purpose, status=status
        ),
    )
    return channel


@transaction.atomic
def settings_update(
    *,
    actor: User,
    organization: Organization,
    retention_days: int | Unset = UNSET,
    contact_roles: Sequence[str] | Unset = UNSET,
) -> FeedbackSettings:
    access.require(actor, "feedback_settings.update", organization)
    if not isinstance(retention_days, Unset) and not 1 <= retention_days <= 3650:
        raise ServiceError("Keep contact details 1 to 3650 days.", field="retention_days")
    changes: dict[str, Any] = given(retention_days=retention_days)
    if not isinstance(contact_roles, Unset):
        members = {r.value for r in Role if r != Role.GUEST}
        unknown = sorted(set(contact_roles) - members)
        if unknown:
            raise ServiceError(
                f"Not roles of members: {', '.join(unknown)}.", field="contact_roles"
            )
        changes["feedback_contact_roles"] = sorted(set(contact_roles))
    row, created = FeedbackSettings.objects.get_or_create(organization_id=organization.pk)
    if created:
        log_change(actor=actor, verb="create", instance=row)
    apply_changes(actor=actor, instance=row, changes=changes)
    return row


# --- The public form -------------------------------------------------------------------


def _submission_state(submission: Submission, *, new: bool = False) -> dict[str, Any]:
    """What the event log keeps of a submission: never words or contact details. (A new
    one has no themes or harms yet: no need to ask the database.)"""
    return {
        "channel_id": submission.channel_id,
        "status": submission.status,
        "language": submission.language,
        "consent_version": submission.consent_version,
        "consent_contact": submission.consent_contact,
        "consent_keep_text": submission.consent_keep_text,
        "stakeholder_id": submission.stakeholder_id,
        "hidden_reason": submission.hidden_reason,
        "themes": [] if new else sorted(submission.themes.values_list("pk", flat=True)),
        "harms": [] if new else sorted(submission.harms.values_list("pk", flat=True)),
    }


def _take_turns_on(channel_id: int, fingerprint: str) -> None:
    """Make the duplicate check exact when the same words arrive twice at once: senders
    of one text on one channel take turns (until commit), others don't wait. PostgreSQL:
    a transaction-scoped advisory lock on the channel and text. SQLite: writes take turns
    anyway (IMMEDIATE transactions)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"{channel_id}:{fingerprint}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _sent_lately_query(
    channel_id: int, fingerprint: str, now: datetime.datetime
) -> tuple[str, list[Any]]:
    """The query that finds the same words sent through this channel within the hour
    before ``now``, on the (channel, text_hash, created_at) index; the insert runs unless
    it finds one."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(Submission._meta.db_table)
    return (
        f"SELECT 1 FROM {table} WHERE channel_id = %s AND text_hash = %s "  # noqa: S608 - the model's table name
        "AND created_at >= %s",
        [
            channel_id,
            fingerprint,
            connection.ops.adapt_datetimefield_value(now - DUPLICATE_WINDOW),
        ],
    )


@transaction.atomic
def submission_create(
    *,
    channel: FeedbackChannel,
    text: str,
    language: str,
    about: str = "",
    effects: Sequence[str] = (),
    self_described_group: str = "",
    email: str = "",
    phone: str = "",
    preferred_language: str = "",
    consent_contact: bool = False,
    consent_keep_text: bool = False,
) -> tuple[Submission, str]:
    """Store what someone sent through a channel; return it and its receipt code (shown
    once: only its digest is kept). Contact details are kept only with consent (a)."""
    # The channel as the view just read it: a pause that commits in the same instant may
    # let this one in, as if it had arrived a moment earlier. (Locking the channel row
    # would make every submission to it wait for the one before.)
    if channel.status != ChannelStatus.OPEN:
        raise Conflict("This channel is not accepting feedback.")
    text = text.strip()
    if not text:
        raise ServiceError("Tell us what happened.", field="text")
    if len(text) > TEXT_LIMIT:
        raise ServiceError(f"Keep it under {TEXT_LIMIT} characters.", field="text")
    unknown = sorted(set(effects) - set(EFFECT_CATEGORY))
    if unknown:
        raise ServiceError(f"Unknown choices: {', '.join(unknown)}.", field="effects")
    if language not in LANGUAGES:
        raise ServiceError(f"Unknown language {language!r}.", field="language")
    if preferred_language and preferred_language not in LANGUAGES:
        raise ServiceError("Unknown language.", field="preferred_language")
    fingerprint = receipts.text_fingerprint(text)
    _take_turns_on(channel.pk, fingerprint)
    code = receipts.new_code()
    now = timezone.now()
    submission = Submission(
        organization_id=channel.organization_id,
        channel=channel,
        review_id=channel.review_id,
        about=about.strip()[:300],
        text=text,
        text_hash=fingerprint,
        effects=sorted(set(effects)),
        self_described_group=self_described_group.strip()[:200],
        language=language,
        preferred_language=preferred_language or language,
        consent_contact=consent_contact and bool(email.strip() or phone.strip()),
        consent_keep_text=consent_keep_text,
        consent_version=CONSENT_VERSION,
        consented_at=now,
        receipt_hash=receipts.digest(code),
    )
    # The public form's hot path: one statement built once (not the ORM's) stores the
    # submission, unless the same words came through this channel within the hour, and
    # locks the event chain's head for the event that records it.
    if not create_logged(
        submission,
        actor=None,
        after=lambda saved: _submission_state(saved, new=True),
        unless=_sent_lately_query(channel.pk, fingerprint, now),
    ):
        raise Conflict("We already received this text in the last hour.")
    if submission.consent_contact:
        SubmissionContact.objects.create(
            organization_id=channel.organization_id,
            submission=submission,
            email=email.strip()[:254],
            phone=phone.strip()[:40],
        )
    return submission, code


@transaction.atomic
def submission_erase(*, submission: Submission) -> Submission:
    """The submitter's "erase me": contact details go at once; their words go too unless
    they agreed (b) to keep them anonymised, in which case contact details found in them
    are removed and the rest kept."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    contact = SubmissionContact.objects.filter(submission=submission).first()
    known = [contact.email, contact.phone] if contact else []
    SubmissionContact.objects.filter(submission=submission).delete()
    if submission.consent_keep_text:
        submission.text = receipts.strip_contacts(submission.text, *known)
        submission.about = receipts.strip_contacts(submission.about, *known)
        submission.self_described_group = receipts.strip_contacts(
            submission.self_described_group, *known
        )
    else:
        submission.text = ""
        submission.about = ""
        submission.self_described_group = ""
    submission.text_hash = ""
    submission.consent_contact = False
    submission.erased_at = timezone.now()
    submission.save()
    log_change(
        actor=None,
        verb="erase",
        instance=submission,
        after={
            "kept_anonymised_text": submission.consent_keep_text,
            "contact_removed": bool(known),
        },
    )
    return submission


# --- Triage ------------------------------------------------------------------------------


def _check_review(submission: Submission, review_id: int, field: str, what: str) -> None:
    if review_id != submission.review_id:
        raise ServiceError(f"That {what} belongs to another review.", field=field)


@transaction.atomic
def theme_create(*, actor: User, review: Review, name: str) -> FeedbackTheme:
    access.require(actor, "submission.triage", review)
    name = _required(name, "name", "Name the theme.")[:100]
    if FeedbackTheme.objects.filter(review=review, name__iexact=name).exists():
        raise Conflict(f"The review already has a theme called {name!r}.")
    theme = FeedbackTheme.objects.create(
        organization_id=review.organization_id, review=review, name=name
    )
    log_change(actor=actor, verb="create", instance=theme)
    return theme


@transaction.atomic
def submission_triage(
    *,
    actor: User,
    submission: Submission,
    themes: Sequence[FeedbackTheme] | Unset = UNSET,
    stakeholder: Stakeholder | None | Unset = UNSET,
) -> Submission:
    """Tag themes and map the self-described group to a stakeholder; a new submission
    becomes "triaged"."""
    access.require(actor, "submission.triage", submission)
    before = _submission_state(submission)
    if not isinstance(themes, Unset):
        for theme in themes:
            _check_review(submission, theme.review_id, "themes", "theme")
        submission.themes.set(themes)
    if not isinstance(stakeholder, Unset):
        if stakeholder is not None:
            _check_review(submission, stakeholder.review_id, "stakeholder", "stakeholder")
        submission.stakeholder = stakeholder
    if submission.status == SubmissionStatus.NEW:
        submission.status = SubmissionStatus.TRIAGED
    submission.save()
    log_change(
        actor=actor,
        verb="update",
        instance=submission,
        before=before,
        after=_submission_state(submission),
    )
    return submission


def _set_status(actor: User, submission: Submission, status: str, reason: str = "") -> Submission:
    before = _submission_state(submission)
    submission.status = status
    submission.hidden_reason = reason
    submission.save(update_fields=["status", "hidden_reason", "updated_at"])
    log_change(
        actor=actor,
        verb="update",
        instance=submission,
        before=before,
        after=_submission_state(submission),
    )
    return submission


@transaction.atomic
def submission_hide(*, actor: User, submission: Submission, reason: str) -> Submission:
    """Hide from the queue and the public summary; the words stay for the audit trail."""
    access.require(actor, "submission.hide", submission)
    reason = _required(reason, "reason", "Say why you hide it.")[:1000]
    return _set_status(actor, submission, SubmissionStatus.HIDDEN, reason)


@transaction.atomic
def submission_mark_spam(*, actor: User, submission: Submission) -> Submission:
    access.require(actor, "submission.hide", submission)
    return _set_status(actor, submission, SubmissionStatus.SPAM, "Marked as spam.")


@transaction.atomic
def submission_restore(*, actor: User, submission: Submission) -> Submission:
    """Bring a hidden or spam submission back to the queue."""
    access.require(actor, "submission.hide", submission)
    if submission.status not in (SubmissionStatus.HIDDEN, SubmissionStatus.SPAM):
        raise Conflict("Only hidden or spam feedback can be restored.")
    return _set_status(actor, submission, _status_from_links(submission))


def _status_from_links(submission: Submission) -> str:
    if submission.replies.exists():
        return SubmissionStatus.RESPONDED
    if submission.harms.exists():
        return SubmissionStatus.LINKED
    return SubmissionStatus.TRIAGED


@transaction.atomic
def submission_link_harm(*, actor: User, submission: Submission, harm: Harm) -> Submission:
    access.require(actor, "submission.triage", submission)
    _check_review(submission, harm.review_id, "harm", "harm")
    if submission.status in (SubmissionStatus.HIDDEN, SubmissionStatus.SPAM):
        raise Conflict("Restore this feedback before linking it to a harm.")
    before = _submission_state(submission)
    submission.harms.add(harm)
    if submission.status in (SubmissionStatus.NEW, SubmissionStatus.TRIAGED):
        submission.status = SubmissionStatus.LINKED
        submission.save(update_fields=["status", "updated_at"])
    log_change(
        actor=actor,
        verb="update",
        instance=submission,
        before=before,
        after=_submission_state(submission),
    )
    return submission


@transaction.atomic
def submission_create_harm(
    *,
    actor: User,
    submission: Submission,
    title: str,
    category: HarmCategory | None = None,
    description: str = "",
) -> Harm:
    """A new harm in the review's register (source: community feedback), linked to the
    submission, in one step. The category defaults to the first effect the person chose."""
    access.require(actor, "submission.triage", submission)
    if category is None:
        slugs = [EFFECT_CATEGORY[e] for e in submission.effects if e in EFFECT_CATEGORY]
        category = HarmCategory.objects.filter(slug__in=slugs[:1] or ["opportunity-loss"]).first()
    if category is None:
        raise ServiceError("Choose a harm category.", field="category")
    stakeholders = [submission.stakeholder] if submission.stakeholder else []
    harm = harms.harm_create(
        actor=actor,
        review=submission.review,
        title=title,
        category=category,
        description=description,
        stakeholders=stakeholders,
        source=HarmSource.FEEDBACK,
    )
    submission_link_harm(actor=actor, submission=submission, harm=harm)
    return harm


# --- Replies -----------------------------------------------------------------------------


@transaction.atomic
def reply_create(
    *,
    actor: User,
    review: Review,
    text: str,
    submission: Submission | None = None,
    theme: FeedbackTheme | None = None,
    mitigation: Mitigation | None = None,
) -> FeedbackReply:
    """Publish a "you said, we did" reply to one submission or to a theme; the people it
    answers who left an address and agreed to be contacted get an email."""
    access.require(actor, "feedback_reply.create", review)
    if (submission is None) == (theme is None):
        raise ServiceError("Reply to one submission or to one theme.", field="submission")
    if submission is not None and submission.review_id != review.pk:
        raise ServiceError("That feedback belongs to another review.", field="submission")
    if theme is not None and theme.review_id != review.pk:
        raise ServiceError("That theme belongs to another review.", field="theme")
    if mitigation is not None and mitigation.harm.review_id != review.pk:
        raise ServiceError("That mitigation belongs to another review.", field="mitigation")
    text = _required(text, "text", "Write the reply.")
    if len(text) > TEXT_LIMIT:
        raise ServiceError(f"Keep it under {TEXT_LIMIT} characters.", field="text")
    reply = FeedbackReply.objects.create(
        organization_id=review.organization_id,
        review=review,
        submission=submission,
        theme=theme,
        text=text,
        mitigation=mitigation,
        author=actor,
        published_at=timezone.now(),
    )
    answered = (
        [submission]
        if submission is not None
        else list(Submission.objects.filter(themes=theme).exclude(status__in=selectors.SET_ASIDE))
    )
    for s in answered:
        if s.status in (SubmissionStatus.NEW, SubmissionStatus.TRIAGED, SubmissionStatus.LINKED):
            Submission.objects.filter(pk=s.pk).update(status=SubmissionStatus.RESPONDED)
    log_change(actor=actor, verb="create", instance=reply)
    ids = [s.pk for s in answered if s.consent_contact]
    if ids:
        from . import tasks

        transaction.on_commit(lambda: tasks.notify_reply.delay(reply.pk, ids))
    return reply


@transaction.atomic
def reply_delete(*, actor: User, reply: FeedbackReply) -> None:
    access.require(actor, "feedback_reply.delete", reply)
    log_change(actor=actor, verb="delete", instance=reply, before={"text": reply.text})
    reply.delete()


# --- Retention ---------------------------------------------------------------------------


@transaction.atomic
def purge_expired_contacts(*, now: datetime.datetime | None = None) -> dict[int, int]:
    """Erase contact details kept past each organization's retention period and record,
    per organization, how many (counts, never contents). Idempotent."""
    now = now or timezone.now()
    erased: dict[int, int] = {}
    org_ids = set(SubmissionContact.objects.values_list("organization_id", flat=True))
    for org_id in sorted(org_ids):
        days = selectors.retention_days(org_id)
        expired = selectors.expired_contacts(org_id, days, now)
        ids = list(expired.values_list("submission_id", flat=True))
        if not ids:
            continue
        count, _ = SubmissionContact.objects.filter(submission_id__in=ids).delete()
        Submission.objects.filter(pk__in=ids).update(consent_contact=False)
        organization = Organization.objects.get(pk=org_id)
        log_change(
            actor=None,
            verb="purge_feedback_contacts",
            instance=organization,
            after={"contacts_erased": count, "retention_days": days},
        )
        erased[org_id] = count
    return erased
