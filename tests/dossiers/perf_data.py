"""Dossiers' part of the query-ceiling walk: ``n`` numbered dossiers of the world's review
(rows only; building a PDF is measured by tests/dossiers)."""

from __future__ import annotations

from django.utils import timezone

from audits.dossiers.models import Dossier, DossierStatus
from tests.perf.registry import SKIP, World, filler

SKIP.update(
    {
        "dossier_download": "a download of one PDF, not a page",
        "dossier_status": "the export page's poll (tests/dossiers/test_pages_and_api.py)",
    }
)


@filler
def dossiers(world: World, n: int) -> None:
    now = timezone.now()
    Dossier.objects.bulk_create(
        Dossier(
            organization=world.organization,
            review=world.review,
            number=i + 1,
            status=DossierStatus.READY,
            sha256="0" * 64,
            data_sha256="1" * 64,
            size_bytes=1,
            pages=3,
            exported_by=world.owner,
            finished_at=now,
            progress=100,
        )
        for i in range(n)
    )
