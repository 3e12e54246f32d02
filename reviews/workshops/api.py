"""Workshop API. Everything a participant or guest does in a workshop (cards, ratings,
votes, stakeholders) goes through the workshop's own routes, which check the seat and that
the workshop is open."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from orgs.api_support import ScopedViewSet
from reviews.harms import selectors as harm_selectors
from reviews.harms.serializers import RatingSerializer, StakeholderSerializer

from . import selectors, services
from .models import Workshop, WorkshopStatus
from .serializers import (
    CardRatingSerializer,
    CardSerializer,
    CardVoteSerializer,
    CategorySerializer,
    ConsequenceSerializer,
    InvitationSerializer,
    WorkshopJoinSerializer,
    WorkshopRoundSerializer,
    WorkshopSerializer,
    WorkshopStakeholderSerializer,
)

CONTRIBUTE = "workshop.contribute"
VOTE_ANSWER = inline_serializer(
    name="VoteAnswer",
    fields={
        "id": serializers.IntegerField(required=False),
        "harm": serializers.IntegerField(),
        "votes_left": serializers.IntegerField(),
    },
)


class WorkshopViewSet(viewsets.ModelViewSet, ScopedViewSet):
    """Workshops. The facilitator edits (PATCH), opens, closes and moves rounds, and
    deletes a workshop nobody has used (else 409: close it); members join; people with a
    seat add cards, rate, vote and name stakeholders while it is open."""

    serializer_class = WorkshopSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy = {
        "create": "workshop.create",
        "partial_update": "workshop.update",
        "destroy": "workshop.delete",
        "open": "workshop.run",
        "close": "workshop.run",
        "set_round": "workshop.run",
        "join": "workshop.join",
        "cards": CONTRIBUTE,
        "card": CONTRIBUTE,
        "ratings": CONTRIBUTE,
        "vote": CONTRIBUTE,
        "unvote": CONTRIBUTE,
        "stakeholders": CONTRIBUTE,
    }
    filterset_fields = ["review", "status", "format"]

    def get_queryset(self) -> Any:
        return selectors.workshops_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.workshop_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.workshop_update(
            actor=self.actor, workshop=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.workshop_delete(actor=self.actor, workshop=instance)

    def _status(self, request: Request, to: str) -> Response:
        workshop = services.workshop_set_status(
            actor=self.actor, workshop=self.get_object(), status=to
        )
        return Response(self.get_serializer(workshop).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        return self._status(request, WorkshopStatus.OPEN)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._status(request, WorkshopStatus.CLOSED)

    @extend_schema(request=WorkshopRoundSerializer)
    @action(detail=True, methods=["post"], url_path="round")
    def set_round(self, request: Request, pk: str | None = None) -> Response:
        workshop = self.get_object()
        data = WorkshopRoundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workshop = services.workshop_set_round(
            actor=self.actor, workshop=workshop, number=data.validated_data["round"]
        )
        return Response(self.get_serializer(workshop).data)

    @extend_schema(request=WorkshopJoinSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str | None = None) -> Response:
        workshop = self.get_object()
        data = WorkshopJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.workshop_join(actor=self.actor, workshop=workshop, **data.validated_data)
        return Response(self.get_serializer(workshop).data)

    # --- The board ------------------------------------------------------------------------

    def _card_context(self, workshop: Workshop, harms: list[Any]) -> dict[str, Any]:
        return {
            **self.get_serializer_context(),
            "workshop": workshop,
            "aggregates": harm_selectors.harm_aggregates(harms),
        }

    @extend_schema(methods=["GET"], responses=CardSerializer(many=True))
    @extend_schema(methods=["POST"], request=CardSerializer, responses={201: CardSerializer})
    @action(detail=True, methods=["get", "post"])
    def cards(self, request: Request, pk: str | None = None) -> Response:
        """GET: the harm cards of the board with their aggregates, a page at a time.
        POST: add a card."""
        workshop = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(
                selectors.cards_of(workshop).prefetch_related("stakeholders")
            )
            harms = list(page or [])
            context = self._card_context(workshop, harms)
            return self.get_paginated_response(
                CardSerializer(harms, many=True, context=context).data
            )
        payload = CardSerializer(data=request.data, context=self._card_context(workshop, []))
        payload.is_valid(raise_exception=True)
        harm = services.card_add(actor=self.actor, workshop=workshop, **payload.validated_data)
        context = self._card_context(workshop, [harm])
        return Response(CardSerializer(harm, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CardSerializer, responses=CardSerializer)
    @action(detail=True, methods=["patch"], url_path=r"cards/(?P<harm_id>[0-9]{1,18})")
    def card(self, request: Request, pk: str | None = None, harm_id: str = "") -> Response:
        """Fix the wording of your own card while the workshop is open."""
        workshop = self.get_object()
        harm = get_object_or_404(selectors.cards_of(workshop), pk=harm_id)
        payload = CardSerializer(
            harm, data=request.data, partial=True, context=self._card_context(workshop, [])
        )
        payload.is_valid(raise_exception=True)
        harm = services.card_update(
            actor=self.actor, workshop=workshop, harm=harm, **payload.validated_data
        )
        return Response(CardSerializer(harm, context=self._card_context(workshop, [harm])).data)

    def _card_of(self, workshop: Workshop, harm_id: int) -> Any:
        return get_object_or_404(selectors.cards_of(workshop), pk=harm_id)

    @extend_schema(
        request=CardRatingSerializer, responses={201: RatingSerializer, 200: RatingSerializer}
    )
    @action(detail=True, methods=["post"])
    def ratings(self, request: Request, pk: str | None = None) -> Response:
        """Rate a card (POST again to change your rating): 201 when new, 200 when changed."""
        workshop = self.get_object()
        payload = CardRatingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        harm = self._card_of(workshop, data.pop("harm"))
        rating, created = services.card_rate(actor=self.actor, workshop=workshop, harm=harm, **data)
        return Response(
            RatingSerializer(rating, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=CardVoteSerializer, responses={201: VOTE_ANSWER})
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        """Place one of your dots on a card."""
        workshop = self.get_object()
        payload = CardVoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        harm = self._card_of(workshop, payload.validated_data["harm"])
        vote = services.card_vote(actor=self.actor, workshop=workshop, harm=harm)
        return Response(
            {
                "id": vote.pk,
                "harm": harm.pk,
                "votes_left": services.votes_left(self.actor, workshop),
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=CardVoteSerializer, responses={200: VOTE_ANSWER})
    @action(detail=True, methods=["post"])
    def unvote(self, request: Request, pk: str | None = None) -> Response:
        """Take one of your dots back from a card."""
        workshop = self.get_object()
        payload = CardVoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        harm = self._card_of(workshop, payload.validated_data["harm"])
        services.card_unvote(actor=self.actor, workshop=workshop, harm=harm)
        return Response({"harm": harm.pk, "votes_left": services.votes_left(self.actor, workshop)})

    @extend_schema(request=WorkshopStakeholderSerializer, responses={201: StakeholderSerializer})
    @action(detail=True, methods=["post"])
    def stakeholders(self, request: Request, pk: str | None = None) -> Response:
        """Name a stakeholder of the review from the workshop."""
        workshop = self.get_object()
        payload = WorkshopStakeholderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        stakeholder = services.stakeholder_add(
            actor=self.actor, workshop=workshop, **payload.validated_data
        )
        return Response(
            StakeholderSerializer(stakeholder, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class InvitationViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Invitation links (unguessable, expiring, revocable) for the people who run
    workshops. PATCH edits a live link (``days``: from now until it expires)."""

    serializer_class = InvitationSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy = {
        "create": "workshop_invitation.create",
        "partial_update": "workshop_invitation.update",
        "revoke": "workshop_invitation.revoke",
    }
    filterset_fields = ["workshop"]

    def get_queryset(self) -> Any:
        return selectors.invitations_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.invitation_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.invitation_update(
            actor=self.actor, invitation=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        invitation = services.invitation_revoke(actor=self.actor, invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


class ConsequenceViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ScopedViewSet,
):
    """Consequence-scanning cards; PATCH ``disposition`` sorts a card into act, influence
    or monitor (in the round that works on its valence); POST ``harm/`` makes a negative
    consequence a harm card (201; 200 with the same harm when it already is one)."""

    serializer_class = ConsequenceSerializer
    policy = {
        "create": CONTRIBUTE,
        "update": CONTRIBUTE,
        "partial_update": CONTRIBUTE,
        "harm": CONTRIBUTE,
    }
    filterset_fields = ["workshop", "intent", "valence", "disposition"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.consequences_for(self.request.user)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.consequence_create(
            actor=self.actor, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.consequence_sort(
            actor=self.actor,
            consequence=serializer.instance,
            disposition=serializer.validated_data.get("disposition", ""),
        )

    @extend_schema(request=CategorySerializer, responses={201: CardSerializer, 200: CardSerializer})
    @action(detail=True, methods=["post"])
    def harm(self, request: Request, pk: str | None = None) -> Response:
        consequence = self.get_object()
        payload = CategorySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        harm, created = services.consequence_to_harm(
            actor=self.actor, consequence=consequence, **payload.validated_data
        )
        context = {**self.get_serializer_context(), "workshop": consequence.workshop}
        return Response(
            CardSerializer(harm, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
