"""``manage.py export_dossier REVIEW_ID --out FILE``: export, sign and record a dossier
here and now (no worker needed); exit 2 on bad input, 1 when the export fails."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audits.dossiers import services
from audits.dossiers.models import DossierStatus
from reviews.models import Review


class Command(BaseCommand):
    help = "Export a review as a signed PDF/A-3b dossier with its data attached."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("review_id", type=int)
        parser.add_argument("--out", required=True, help="where to write the PDF")

    def handle(self, *args: Any, **opts: Any) -> None:
        review = Review.objects.filter(pk=opts["review_id"]).first()
        if review is None:
            raise CommandError(f"No review with id {opts['review_id']}.", returncode=2)
        out = Path(opts["out"])
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.", returncode=2)
        dossier = services.dossier_export_now(review=review)
        if dossier.status != DossierStatus.READY:
            raise CommandError(f"The export failed: {dossier.error}", returncode=1)
        with dossier.file.open("rb") as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        self.stdout.write(
            f"Dossier {dossier.number} of review {review.pk}: {out} ({dossier.pages} pages, "
            f"SHA-256 {dossier.sha256}, signed by {dossier.signer_subject}"
            f"{', a development key' if dossier.development_key else ''})"
        )
