"""The demo's signed dossier: one export of the demo review, built when the demo's
transaction commits, after the demo audit and the model card's publication (eager mode runs
them in the order they were queued; this is queued in ``finish``, after every app's seed and
after reviews/modelcards' own ``finish``, which comes earlier in INSTALLED_APPS)."""

from __future__ import annotations

from typing import Any


def finish(demo: Any) -> None:
    from . import services
    from .models import Dossier

    review = demo.made["review"]
    if Dossier.objects.filter(review=review).exists():
        demo.summary.append("dossier already exported")
        return
    dossier = services.dossier_export(actor=demo.owner, review=review)
    demo.summary.append(
        f"signed dossier {dossier.number} of the review (reviews/{review.pk}/dossiers/)"
    )
