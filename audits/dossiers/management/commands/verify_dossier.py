"""``manage.py verify_dossier FILE``: exit 0 when every signature is intact and trusted
and nothing after the last one changes content; 1 otherwise, naming why; 2 for input that
is not a readable PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audits.dossiers import services
from audits.signatures import verify


class Command(BaseCommand):
    help = "Verify a dossier PDF: signatures, trust, integrity and the recorded export."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        try:
            result = services.verification(path.read_bytes())
        except verify.NotAPdf as exc:
            raise CommandError(str(exc), returncode=2) from exc
        report = result.report
        for i, s in enumerate(report.signatures, start=1):
            kind = "certification" if s.certification else "approval"
            ts_trust = {None: "", True: " (trusted)", False: " (NOT trusted)"}[s.timestamp_trusted]
            self.stdout.write(
                f"Signature {i} ({kind}) \u201c{s.field_name}\u201d by {s.signer}\n"
                f"  signing time {s.signing_time or '-'}; timestamp {s.timestamp or 'none'}"
                f"{ts_trust}\n"
                f"  intact {s.intact}, valid {s.valid}, trusted {s.trusted}; coverage "
                f"{s.coverage}; changes after it {s.modification_level or '-'}"
            )
        if result.export is not None:
            how = "is" if result.exact else "is built on"
            self.stdout.write(
                f"Recorded: {how} dossier {result.export.number} of review "
                f"{result.export.review_id}; data "
                f"{'matches' if result.data_recorded else 'does NOT match'} the record"
            )
        else:
            self.stdout.write("Recorded: not an export recorded by this installation")
        if not report.ok:
            raise CommandError("NOT VALID: " + " ".join(report.problems), returncode=1)
        self.stdout.write(self.style.SUCCESS("VALID: intact, trusted and unchanged since signing"))
