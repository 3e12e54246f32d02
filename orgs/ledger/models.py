"""The event ledger: one append-only, HMAC-chained log of changes per organization.

The ledger is the lowest layer: it names organizations and users only by their keys, so
every other app can record into it and it imports none of them.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet["Event"]):
    """Events are evidence: no code path may change or remove one."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Events are append-only and cannot be updated.")

    def delete(self) -> NoReturn:
        raise TypeError("Events are append-only and cannot be deleted.")


class EventChain(models.Model):
    """The head of one organization's chain.

    Writers lock this row (SELECT ... FOR UPDATE) before appending, so concurrent writers in
    one organization queue up instead of forking the chain. ``length`` and ``head_hash``
    also let verification notice events removed from the end; checkpoints written outside
    the database catch a head that was reset with them (see chain.py).
    """

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.PROTECT, related_name="event_chain"
    )
    length = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain of organization {self.organization_id}: {self.length} events"


class Event(models.Model):
    # Every write of the application inserts one: indexes are few on purpose. The
    # organization's own index would repeat the first column of (organization, seq).
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveBigIntegerField(help_text="Position in the organization's chain, from 1.")
    # The actor's id and username are hashed into the chain. No database constraint and no
    # cascade: deleting a user must not rewrite evidence (the row could not change anyway).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Written under a promise of anonymity (an anonymous workshop): readers other than the
    # actor see neither the actor nor the author/user fields of the states.
    anonymous = models.BooleanField(default=False)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique: Meta (no LIKE-ready copy of the index)

    objects = AppendOnlyQuerySet.as_manager()

    read_action = "event.read"

    class Meta:
        ordering = ["organization_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="one_event_per_seq"),
            models.UniqueConstraint(fields=["hash"], name="one_event_per_hash"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Events are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("Events are append-only and cannot be deleted.")


class ChainVerification(models.Model):
    """The outcome of checking one organization's chain (run by a Celery task)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="chain_verifications"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    intact = models.BooleanField(null=True)
    checked = models.PositiveBigIntegerField(default=0)
    first_broken_seq = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    read_action = "event.read"

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"verification of organization {self.organization_id}: {self.status}"

    def outcome(self) -> tuple[bool, str]:
        """(not broken, in words): the result once it ran, else that it is queued."""
        if self.status == self.Status.DONE and self.intact:
            return True, f"Verified: intact, {self.checked} events."
        if self.status == self.Status.DONE:
            return False, f"Verified: broken at #{self.first_broken_seq}: {self.message}"
        if self.status == self.Status.FAILED:
            return False, f"The verification failed: {self.message or 'see the worker log'}"
        return True, "Verification queued."
