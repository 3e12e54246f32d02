from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput, UserField
from reviews.harms import selectors as harm_selectors
from reviews.harms.models import HarmCategory, StakeholderKind
from reviews.harms.serializers import HarmSerializer, WholeNumber
from reviews.selectors import reviews_where

from . import selectors
from .models import Consequence, Workshop, WorkshopInvitation
from .rounds import current_round


def _fixed_once_made(serializer: serializers.Serializer, *names: str) -> None:
    """On an edit (PATCH) these fields cannot change: sending them is a 400."""
    if serializer.instance is not None and not isinstance(serializer.instance, list | tuple):
        for name in names:
            serializer.fields[name].read_only = True


class RoundSerializer(StrictInput, serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    prompt = serializers.CharField()
    activity = serializers.CharField()


class WorkshopSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_where(u, "workshop.create"))
    facilitator = UserField(required=False)
    round = serializers.SerializerMethodField()
    coverage_warnings = serializers.SerializerMethodField()

    class Meta:
        model = Workshop
        fields = [
            "id",
            "review",
            "title",
            "facilitator",
            "scheduled_at",
            "status",
            "format",
            "current_round",
            "round",
            "anonymous",
            "votes_per_participant",
            "coverage_warnings",
            "created_at",
        ]
        read_only_fields = ["id", "status", "current_round", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fixed_once_made(self, "review", "format")

    @extend_schema_field(RoundSerializer)
    def get_round(self, obj: Workshop) -> dict[str, Any]:
        r = current_round(obj)
        return {"number": r.number, "title": r.title, "prompt": r.prompt, "activity": r.activity}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_coverage_warnings(self, obj: Workshop) -> list[str]:
        return selectors.coverage_warnings(obj)


class WorkshopRoundSerializer(StrictInput, serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=20)


class WorkshopJoinSerializer(StrictInput, serializers.Serializer):
    represents_community = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )


class CardSerializer(HarmSerializer):
    """A harm card of a workshop's board (a harm of the review's register)."""

    # The workshop's review. Setting an inherited field to None is how DRF drops it, which the
    # stubs cannot express.
    review = None  # type: ignore[assignment]

    class Meta(HarmSerializer.Meta):
        fields = [
            "id",
            "title",
            "description",
            "category",
            "stakeholders",
            "author",
            "status",
            "aggregate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "status", "aggregate", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(HarmSerializer, self).__init__(*args, **kwargs)
        workshop = self.context.get("workshop")
        if workshop is not None:
            self.fields["stakeholders"] = serializers.PrimaryKeyRelatedField(
                many=True,
                required=False,
                queryset=harm_selectors.stakeholders_of(workshop.review),
            )


class CardRatingSerializer(StrictInput, serializers.Serializer):
    harm = serializers.IntegerField()
    severity = WholeNumber()
    likelihood = WholeNumber()
    scale = WholeNumber()


class CardVoteSerializer(StrictInput, serializers.Serializer):
    harm = serializers.IntegerField()


class WorkshopStakeholderSerializer(StrictInput, serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=StakeholderKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    vulnerable = serializers.BooleanField(required=False, default=False)


class InvitationSerializer(StrictInput, serializers.ModelSerializer):
    workshop = ScopedPK(selectors.workshops_for)
    days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=90)
    max_uses = serializers.IntegerField(required=False, min_value=1, max_value=500)
    url = serializers.SerializerMethodField()

    class Meta:
        model = WorkshopInvitation
        fields = [
            "id",
            "workshop",
            "label",
            "represents_community",
            "days",
            "max_uses",
            "url",
            "expires_at",
            "revoked_at",
            "uses",
            "created_at",
        ]
        read_only_fields = ["id", "url", "expires_at", "revoked_at", "uses", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fixed_once_made(self, "workshop")

    def get_url(self, obj: WorkshopInvitation) -> str:
        return str(
            self.context["request"].build_absolute_uri(
                reverse("invitation_accept", args=[obj.token])
            )
        )


class ConsequenceSerializer(StrictInput, serializers.ModelSerializer):
    workshop = ScopedPK(selectors.workshops_for)
    author = serializers.SerializerMethodField()

    class Meta:
        model = Consequence
        fields = [
            "id",
            "workshop",
            "text",
            "intent",
            "valence",
            "disposition",
            "harm",
            "author",
            "created_at",
        ]
        read_only_fields = ["id", "harm", "author", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fixed_once_made(self, "workshop", "text", "intent", "valence")

    def get_author(self, obj: Consequence) -> str | None:
        return harm_selectors.author_name(obj, self.context["request"].user)


class CategorySerializer(StrictInput, serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="slug", queryset=HarmCategory.objects.all())
