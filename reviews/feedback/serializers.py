"""The team's API of community feedback. Submitters' contact details are never in it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from orgs.api_support import ScopedPK, StrictInput
from orgs.site import site_url
from reviews.harms import selectors as harm_selectors
from reviews.selectors import reviews_where

from . import selectors
from .models import FeedbackChannel, FeedbackReply, FeedbackTheme, Submission


def _one(serializer: serializers.Serializer) -> bool:
    return serializer.instance is not None and not isinstance(serializer.instance, list | tuple)


class ChannelSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_where(u, "feedback_channel.create"))
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackChannel
        fields = [
            "id",
            "review",
            "title",
            "system_description",
            "purpose",
            "status",
            "public_url",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _one(self):
            self.fields["review"].read_only = True
        else:
            self.fields["status"].read_only = True

    def get_public_url(self, obj: FeedbackChannel) -> str:
        return site_url() + reverse("feedback_channel", args=[obj.token])


class SubmissionSerializer(StrictInput, serializers.ModelSerializer):
    """A submission for triage: words, choices and links; no contact details."""

    themes = ScopedPK(lambda u: selectors.themes_for(u), many=True, required=False)
    stakeholder = ScopedPK(
        lambda u: harm_selectors.stakeholders_for(u), required=False, allow_null=True
    )
    has_contact = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "review",
            "channel",
            "status",
            "about",
            "text",
            "effects",
            "self_described_group",
            "stakeholder",
            "themes",
            "harms",
            "language",
            "preferred_language",
            "consent_version",
            "consented_at",
            "consent_contact",
            "consent_keep_text",
            "has_contact",
            "hidden_reason",
            "erased_at",
            "created_at",
        ]
        read_only_fields = [f for f in fields if f not in ("themes", "stakeholder")]

    def get_has_contact(self, obj: Submission) -> bool:
        return bool(obj.consent_contact)


class HideSerializer(StrictInput, serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class LinkHarmSerializer(StrictInput, serializers.Serializer):
    harm = ScopedPK(lambda u: harm_selectors.harms_for(u))


class CreateHarmSerializer(StrictInput, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    category = serializers.SlugField(max_length=60, required=False)


class ThemeSerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_where(u, "submission.triage"))

    class Meta:
        model = FeedbackTheme
        fields = ["id", "review", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


class ReplySerializer(StrictInput, serializers.ModelSerializer):
    review = ScopedPK(lambda u: reviews_where(u, "feedback_reply.create"))
    submission = ScopedPK(lambda u: selectors.submissions_for(u), required=False, allow_null=True)
    theme = ScopedPK(lambda u: selectors.themes_for(u), required=False, allow_null=True)
    mitigation = ScopedPK(
        lambda u: harm_selectors.mitigations_for(u), required=False, allow_null=True
    )

    class Meta:
        model = FeedbackReply
        fields = [
            "id",
            "review",
            "submission",
            "theme",
            "text",
            "mitigation",
            "published_at",
            "created_at",
        ]
        read_only_fields = ["id", "published_at", "created_at"]
