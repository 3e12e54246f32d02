"""Participatory workshops: the room (seats, invitation links, rounds), the harm cards
placed on its board, and consequence-scanning cards."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from orgs.tenancy import TenantModel
from reviews.harms.models import Disposition, Harm
from reviews.models import Review


class WorkshopFormat(models.TextChoices):
    HARMS_MODELING = "harms_modeling", "Harms modeling"
    CONSEQUENCE_SCANNING = "consequence_scanning", "Consequence scanning"


class WorkshopStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Workshop(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="workshops")
    title = models.CharField(max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_workshops"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    format = models.CharField(
        max_length=30, choices=WorkshopFormat.choices, default=WorkshopFormat.HARMS_MODELING
    )
    current_round = models.PositiveSmallIntegerField(default=1)
    anonymous = models.BooleanField(
        default=False, help_text="Hide who wrote each card from other participants."
    )
    votes_per_participant = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(50)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The live board's change counter: every write through the board adds one and stamps
    # the cards it touched with the new value, so a poll asks "what changed after N?".
    board_seq = models.PositiveBigIntegerField(default=0, editable=False)

    read_action = "workshop.read"
    access_paths = {"seated": "participants__user", "facilitates": "facilitator"}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class WorkshopInvitation(TenantModel):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=200, blank=True, help_text="Who the link is for.")
    represents_community = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(default=50)
    uses = models.PositiveIntegerField(default=0)

    read_action = "workshop_invitation.read"
    access_paths = {"facilitates": "workshop__facilitator"}

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation to {self.workshop}"


class WorkshopParticipant(TenantModel):
    """A seat in a workshop. It grants nothing by itself: the access policy asks for a
    standing in the organization too, so a seat ends with its holder's membership."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_seats"
    )
    represents_community = models.CharField(
        max_length=200,
        blank=True,
        help_text="The impacted community this person speaks for, if any.",
    )
    invitation = models.ForeignKey(
        WorkshopInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    read_action = "participant.read"
    access_paths = {"seated": "workshop__participants__user", "own": "user"}

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="one_seat_per_workshop")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workshop}"


class BoardCard(TenantModel):
    """A harm raised on a workshop's board: the harm lives in the register, this row says
    which workshop it came from (guests read it through the workshop)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="cards")
    harm = models.OneToOneField(Harm, on_delete=models.CASCADE, related_name="board_card")
    created_at = models.DateTimeField(auto_now_add=True)
    # The workshop's ``board_seq`` when the card was added and when it last changed.
    added_seq = models.PositiveBigIntegerField(default=0, editable=False)
    seq = models.PositiveBigIntegerField(default=0, editable=False)

    read_action = "workshop.read"
    access_paths = {"seated": "workshop__participants__user"}

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.harm} on {self.workshop}"


class Consequence(TenantModel):
    """A card of a consequence-scanning workshop."""

    class Intent(models.TextChoices):
        INTENDED = "intended", "Intended"
        UNINTENDED = "unintended", "Unintended"

    class Valence(models.TextChoices):
        POSITIVE = "positive", "Positive (focus on)"
        NEGATIVE = "negative", "Negative (mitigate)"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="consequences")
    text = models.TextField(max_length=2000)
    intent = models.CharField(max_length=12, choices=Intent.choices)
    valence = models.CharField(max_length=10, choices=Valence.choices)
    disposition = models.CharField(max_length=10, choices=Disposition.choices, blank=True)
    harm = models.ForeignKey(
        Harm, on_delete=models.SET_NULL, null=True, blank=True, related_name="consequences"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    added_seq = models.PositiveBigIntegerField(default=0, editable=False)
    seq = models.PositiveBigIntegerField(default=0, editable=False)

    read_action = "consequence.read"
    access_paths = {"seated": "workshop__participants__user"}

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
