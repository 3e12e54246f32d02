"""Is a signed PDF (a dossier) what the organization signed? Every signature checked with pyHanko
against the configured trust roots only (never the operating system's store, never the
network), and what changed after each signature judged by pyHanko's difference analysis.

A file passes only when every signature is intact, valid and trusted, nothing after a
signature goes beyond adding signatures, validation data or form fields
(``ModificationLevel.FORM_FILLING``) and the last signature covers the whole file."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import SignatureCoverageLevel

from .signing import validation_context

ATTACHMENT = "dossier.json"
COVERAGE_LABELS = {
    "ENTIRE_FILE": "the whole file",
    "ENTIRE_REVISION": "its revision (the file goes on after it)",
    "CONTIGUOUS_BLOCK_FROM_START": "only part of the file",
    "UNCLEAR": "unclear",
}
MODIFICATION_LABELS = {
    "NONE": "none",
    "LTA_UPDATES": "validation data or timestamps added",
    "FORM_FILLING": "signatures or form fields added",
    "ANNOTATIONS": "annotations added",
    "OTHER": "content changed",
}


class NotAPdf(Exception):
    """The input cannot be read as a PDF at all (exit code 2, HTTP 400)."""


@dataclass
class SignatureReport:
    field_name: str
    signer: str
    certification: bool
    signing_time: str | None
    timestamp: str | None
    timestamp_trusted: bool | None
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str | None
    docmdp_ok: bool | None
    problems: list[str] = field(default_factory=list)

    @property
    def coverage_label(self) -> str:
        return COVERAGE_LABELS.get(self.coverage, self.coverage)

    @property
    def modification_label(self) -> str:
        return MODIFICATION_LABELS.get(self.modification_level or "", "unknown")


@dataclass
class Report:
    sha256: str
    size: int
    signatures: list[SignatureReport]
    problems: list[str]
    # The file as the first signature signed it (what an export wrote) and its JSON.
    signed_sha256: str | None = None
    data: bytes | None = None

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.problems

    @property
    def data_sha256(self) -> str | None:
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else None


def embedded_file(pdf: bytes, name: str = ATTACHMENT) -> bytes | None:
    """The bytes of the attachment called ``name`` in (the last revision of) ``pdf``."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = reader.root.get("/Names")
        files = names.get_object().get("/EmbeddedFiles") if names is not None else None
        if files is None:
            return None
        entries = files.get_object().get("/Names", [])
        for i in range(0, len(entries) - 1, 2):
            if str(entries[i]) == name:
                spec = entries[i + 1].get_object()
                return bytes(spec["/EF"]["/F"].get_object().data)
    except (PdfError, KeyError, AttributeError, TypeError, ValueError):
        return None
    return None


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _check(sig: Any, roots: list[asn1_x509.Certificate], last: bool) -> SignatureReport:
    name = sig.field_name or "(unnamed)"
    try:
        status = validate_pdf_signature(sig, validation_context(roots))
    except Exception as exc:  # a malformed signature is a failed one, with pyHanko's reason
        return SignatureReport(
            name,
            "unknown",
            False,
            None,
            None,
            None,
            False,
            False,
            False,
            "unknown",
            None,
            None,
            [f"Signature \u201c{name}\u201d cannot be validated: {exc}"],
        )
    ts = status.timestamp_validity
    level = status.modification_level
    report = SignatureReport(
        field_name=name,
        signer=str(status.signing_cert.subject.human_friendly),
        certification=sig.docmdp_level is not None,
        signing_time=_when(status.signer_reported_dt),
        timestamp=_when(ts.timestamp) if ts is not None else None,
        timestamp_trusted=(ts.intact and ts.valid and ts.trusted) if ts is not None else None,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=status.coverage.name if status.coverage else "unknown",
        modification_level=level.name if level is not None else None,
        docmdp_ok=status.docmdp_ok,
    )
    who = f"Signature \u201c{name}\u201d ({report.signer})"
    if not status.intact:
        report.problems.append(f"{who} is broken: the bytes it signed were changed after signing.")
    elif not status.valid:
        report.problems.append(f"{who} is not cryptographically valid.")
    if status.intact and status.valid and not status.trusted:
        report.problems.append(
            f"{who} is not trusted: its certificate does not lead to a configured trust root "
            "(the organization's CA or DOSSIER_TRUST_ROOTS)."
        )
    if level is not None and level > ModificationLevel.FORM_FILLING:
        report.problems.append(
            f"After {who}, the document's content was changed (modification level "
            f"{level.name}): more than signatures or form fields were added."
        )
    elif status.docmdp_ok is False:
        report.problems.append(f"After {who}, changes were made that its permissions forbid.")
    if ts is not None and not report.timestamp_trusted:
        report.problems.append(f"The timestamp of {who} is not valid and trusted.")
    if last and status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        report.problems.append(
            f"{who} does not cover the whole file: something was appended after the last signature."
        )
    return report


def verify(pdf: bytes, roots: list[asn1_x509.Certificate]) -> Report:
    """The report on ``pdf``; raises ``NotAPdf`` for input that is no PDF."""
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise NotAPdf("This is not a PDF file (it does not start with %PDF-).")
    report = Report(
        sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), signatures=[], problems=[]
    )
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = list(reader.embedded_signatures)
    except Exception as exc:  # pyHanko raises many kinds on a mangled file
        # It says it is a PDF but cannot be read: a damaged (or tampered) dossier fails.
        report.problems.append(f"The file is damaged and cannot be read as a PDF: {exc}")
        return report
    if not sigs:
        report.problems.append("The file carries no signature.")
        report.data = embedded_file(pdf)
        return report
    for i, sig in enumerate(sigs):
        checked = _check(sig, roots, last=i == len(sigs) - 1)
        report.signatures.append(checked)
        report.problems.extend(checked.problems)
    first = sigs[0]
    try:
        _, _, start, length = (int(x) for x in first.byte_range)
        signed = pdf[: start + length]
    except (TypeError, ValueError):
        signed = b""
    if signed:
        report.signed_sha256 = hashlib.sha256(signed).hexdigest()
        report.data = embedded_file(signed)
    if report.data is None:
        report.problems.append("The signed file carries no dossier.json attachment.")
    return report
