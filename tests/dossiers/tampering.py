"""Ways to change a signed dossier: the three a verifier must catch."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from audits.signatures import signing


def flip_one_byte(pdf: bytes, at: int = 11) -> bytes:
    """One bit of one byte: by default in the binary comment of the header line, which
    every reader skips and the signature covers."""
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def in_first_page_stream(pdf: bytes) -> int:
    """An offset inside the first page's (compressed) content stream."""
    return pdf.index(b"stream\n", pdf.index(b"/Type /Page")) + len(b"stream\n") + 10


def append_page_change(pdf: bytes) -> bytes:
    """An incremental update that draws over the first page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    stream = generic.StreamObject(stream_data=b"0 0 1 rg 50 50 200 200 re f")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def append_attachment_change(pdf: bytes, data: bytes = b'{"forged": true}\n') -> bytes:
    """An incremental update that swaps dossier.json for other data."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec_ref = names.raw_get(1)
    spec = spec_ref.get_object()
    forged = generic.StreamObject(
        {generic.NameObject("/Type"): generic.NameObject("/EmbeddedFile")}, stream_data=data
    )
    ef = spec["/EF"]
    ef[generic.NameObject("/F")] = writer.add_object(forged)
    writer.mark_update(spec_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def resign_with_unknown_key(unsigned: bytes) -> bytes:
    """The same content certified by a key nobody configured."""
    ca = signing.make_certificate("Mallory CA", ca=True, organization="Mallory")
    key, cert = signing.make_certificate("Mallory", issuer=ca, organization="Mallory")
    signer, _ = signing.load_pem_signer(
        signing.pem_key(key), signing.pem_cert(cert), signing.pem_cert(ca[1])
    )
    return signing.sign(unsigned, signer)
