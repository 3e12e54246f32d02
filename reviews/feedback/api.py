"""REST API of community feedback, for the team (the public form is a page, not an API).
Contact details are never in it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet
from orgs.plumbing.errors import ServiceError
from reviews.harms.models import HarmCategory
from reviews.harms.serializers import HarmSerializer

from . import selectors, services
from .serializers import (
    ChannelSerializer,
    CreateHarmSerializer,
    HideSerializer,
    LinkHarmSerializer,
    ReplySerializer,
    SubmissionSerializer,
    ThemeSerializer,
)


class ChannelViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """A review's public feedback channels: open one, edit its wording, pause or close it
    (PATCH ``status``)."""

    serializer_class = ChannelSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy = {
        "create": "feedback_channel.create",
        "partial_update": "feedback_channel.update",
    }
    filterset_fields = ["review", "status"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.channels_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.channel_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.channel_update(
            actor=self.actor, channel=serializer.instance, **serializer.validated_data
        )


class SubmissionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """What people sent, for triage: PATCH ``themes`` and ``stakeholder``; hide (with a
    reason), mark as spam, restore, link to a harm or create a harm from it."""

    serializer_class = SubmissionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy = {
        "partial_update": "submission.triage",
        "hide": "submission.hide",
        "spam": "submission.hide",
        "restore": "submission.hide",
        "link_harm": "submission.triage",
        "create_harm": "submission.triage",
    }
    filterset_fields = ["review", "channel", "status", "language", "themes", "stakeholder"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            selectors.submissions_for(self.request.user)
            .prefetch_related("themes", "harms")
            .order_by("-created_at", "-id")
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.submission_triage(
            actor=self.actor, submission=serializer.instance, **serializer.validated_data
        )

    def _answer(self, submission: Any) -> Response:
        submission.refresh_from_db()
        return Response(self.get_serializer(submission).data)

    @extend_schema(request=HideSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        data = HideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.submission_hide(
            actor=self.actor, submission=submission, reason=data.validated_data["reason"]
        )
        return self._answer(submission)

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def spam(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        services.submission_mark_spam(actor=self.actor, submission=submission)
        return self._answer(submission)

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        services.submission_restore(actor=self.actor, submission=submission)
        return self._answer(submission)

    @extend_schema(request=LinkHarmSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="link-harm")
    def link_harm(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        data = LinkHarmSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.submission_link_harm(
            actor=self.actor, submission=submission, harm=data.validated_data["harm"]
        )
        return self._answer(submission)

    @extend_schema(request=CreateHarmSerializer, responses={201: HarmSerializer})
    @action(detail=True, methods=["post"], url_path="create-harm")
    def create_harm(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        data = CreateHarmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data.get("category")
        category = None
        if slug:
            category = HarmCategory.objects.filter(slug=slug).first()
            if category is None:
                raise ServiceError(f"No harm category {slug!r}.", field="category")
        harm = services.submission_create_harm(
            actor=self.actor,
            submission=submission,
            title=data.validated_data["title"],
            category=category,
        )
        body = HarmSerializer(harm, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class ThemeViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet
):
    serializer_class = ThemeSerializer
    policy = {"create": "submission.triage"}
    filterset_fields = ["review"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.themes_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.theme_create(actor=self.actor, **serializer.validated_data)


class ReplyViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Published "you said, we did" replies, to one submission or to a theme, optionally
    tied to the mitigation that answers them."""

    serializer_class = ReplySerializer
    policy = {"create": "feedback_reply.create", "destroy": "feedback_reply.delete"}
    filterset_fields = ["review", "submission", "theme", "mitigation"]

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.replies_for(self.request.user).order_by("id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.reply_create(actor=self.actor, **serializer.validated_data)

    def perform_destroy(self, instance: Any) -> None:
        services.reply_delete(actor=self.actor, reply=instance)


__all__ = ["ChannelViewSet", "ReplyViewSet", "SubmissionViewSet", "ThemeViewSet"]
