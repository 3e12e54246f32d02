"""Receipt codes, text fingerprints and contact stripping. Pure Python, no Django.

A receipt code is 120 random bits in base32 (24 letters and digits, shown in groups of
four: ``ABCD-EFGH-…``), readable aloud and copied without ambiguity; only its SHA-256 is
stored, so the database alone cannot open anyone's status page."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import unicodedata

CODE_BYTES = 15  # 120 bits: 24 base32 characters, no padding


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str:
    """What a person may type for a code: any case, with or without dashes and spaces."""
    return re.sub(r"[\s\-]", "", code or "").upper()[:64]


def looks_like_code(code: str) -> bool:
    return re.fullmatch(r"[A-Z2-7]{24}", normalise(code)) is not None


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "ignore")).hexdigest()


def text_fingerprint(text: str) -> str:
    """Equal for texts that differ only in case, spacing or Unicode form."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Seven or more digits, optionally with +, spaces, dots, dashes and brackets between them.
PHONE = re.compile(r"\+?\(?\d[\d\s().\-]{5,}\d")
REMOVED = "[removed]"


def strip_contacts(text: str, *extra: str) -> str:
    """The text without email addresses, phone numbers and the given values (the
    submitter's own contact details, wherever they appear)."""
    for value in extra:
        if value:
            text = re.sub(re.escape(value), REMOVED, text, flags=re.IGNORECASE)
    return PHONE.sub(REMOVED, EMAIL.sub(REMOVED, text))


def new_token() -> str:
    """A channel's public address: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)
