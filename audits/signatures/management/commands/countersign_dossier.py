"""``manage.py countersign_dossier FILE --key KEY.pem --cert CERT.pem --out OUT`` (or
``--pkcs12 BUNDLE.p12``): an external auditor adds their signature to a dossier as an
incremental update, on their own machine; the organization's signature stays valid. Needs
no database. Exit 2 on bad input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.signatures import signing


def _read(path: str | None, what: str) -> bytes:
    if not path:
        return b""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"{what} {path} cannot be read: {exc}", returncode=2) from exc


class Command(BaseCommand):
    help = "Counter-sign a dossier PDF with an auditor's key (an incremental PAdES signature)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--out", required=True)
        parser.add_argument("--key", help="PEM private key")
        parser.add_argument("--cert", help="PEM certificate")
        parser.add_argument("--chain", help="PEM chain up to the auditor's root")
        parser.add_argument("--pkcs12", help="a PKCS#12 bundle instead of --key/--cert")
        parser.add_argument(
            "--passphrase-env",
            default="DOSSIER_COUNTERSIGN_PASSPHRASE",
            help="environment variable holding the key's passphrase",
        )
        parser.add_argument("--field", default="Auditor signature")
        parser.add_argument("--reason", default="Reviewed by an external auditor")

    def handle(self, *args: Any, **opts: Any) -> None:
        pdf = _read(opts["file"], "The dossier")
        if not pdf.startswith(b"%PDF-"):
            raise CommandError(f"{opts['file']} is not a PDF file.", returncode=2)
        passphrase = os.environ.get(opts["passphrase_env"], "").encode() or None
        try:
            if opts["pkcs12"]:
                signer, _ = signing.load_pkcs12_signer(
                    _read(opts["pkcs12"], "The bundle"), passphrase
                )
            elif opts["key"] and opts["cert"]:
                signer, _ = signing.load_pem_signer(
                    _read(opts["key"], "The key"),
                    _read(opts["cert"], "The certificate"),
                    _read(opts["chain"], "The chain"),
                    passphrase,
                )
            else:
                raise CommandError("Give --key and --cert, or --pkcs12.", returncode=2)
            signed = signing.sign(
                pdf,
                signer,
                field_name=opts["field"],
                certify=False,
                tsa=signing.timestamper(settings.DOSSIER_TSA_URL),
                reason=opts["reason"],
            )
        except signing.SigningError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except Exception as exc:  # pyHanko refuses a file it cannot extend
            raise CommandError(
                f"The dossier cannot be counter-signed: {exc}", returncode=2
            ) from exc
        Path(opts["out"]).write_bytes(signed)
        self.stdout.write(f"Counter-signed as \u201c{opts['field']}\u201d: {opts['out']}")
