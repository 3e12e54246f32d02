"""Model cards' part of the query-ceiling walk: a card on the world's system with ``n``
published versions and a draft, made through the services (numbering, publishing)."""

from __future__ import annotations

from reviews.modelcards import services
from reviews.modelcards.models import ModelCard
from tests.perf.registry import World, filler


@filler
def model_card(world: World, n: int) -> None:
    card = ModelCard.objects.filter(system=world.system).first() or services.modelcard_create(
        actor=world.owner, system=world.system
    )
    for i in range(n):
        version = card.versions.order_by("-number").first()
        if version is None or version.status != "draft":
            version = services.version_new_draft(actor=world.owner, card=card)
        services.version_update(
            actor=world.owner,
            version=version,
            sections={"intended_use": f"Scoring loans, revision {i}."},
        )
        services.version_publish(actor=world.owner, version=version)
    services.version_new_draft(actor=world.owner, card=card)
