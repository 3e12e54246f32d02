"""Small signed PDFs and an external auditor's keys for the dossier tests (and the access
table): no network, keys made with the signing module's own certificate helper."""

from __future__ import annotations

import datetime
import hashlib
from functools import lru_cache

from django.conf import settings

from audits.signatures import signing


def tiny_pdf(text: str = "A tiny dossier", data: bytes = b'{"schema": "tiny"}\n') -> bytes:
    """A one-page PDF/A-3b with a dossier.json attachment, as the renderer writes them."""
    import weasyprint

    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    attachment = weasyprint.Attachment(
        string=data, name="dossier.json", relationship="Data", created=when, modified=when
    )
    html = weasyprint.HTML(string=f"<h1>{text}</h1>")
    return html.write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=[attachment],
        pdf_identifier=hashlib.sha256(data).hexdigest()[:32].encode(),
    )


@lru_cache(maxsize=1)
def tiny_signed() -> bytes:
    """A tiny PDF certified with the organization's (development) key."""
    return signing.sign(tiny_pdf(), signing.credentials(settings).signer)


@lru_cache(maxsize=1)
def auditor() -> tuple[bytes, bytes, bytes]:
    """(key PEM, certificate PEM, CA certificate PEM) of an external auditor."""
    ca = signing.make_certificate("Auditors Ltd CA", ca=True, organization="Auditors Ltd")
    key, cert = signing.make_certificate("Ada Auditor", issuer=ca, organization="Auditors Ltd")
    return signing.pem_key(key), signing.pem_cert(cert), signing.pem_cert(ca[1])


def countersign(pdf: bytes) -> bytes:
    key, cert, ca = auditor()
    signer, _ = signing.load_pem_signer(key, cert, ca)
    return signing.sign(pdf, signer, field_name="Auditor signature", certify=False)


@lru_cache(maxsize=1)
def tiny_countersigned() -> bytes:
    return countersign(tiny_signed())
