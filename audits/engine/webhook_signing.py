"""Signed webhook bodies and their verification (docs/monitoring.md, "Webhooks"). Standard
library only: a receiver may copy ``verify`` as it is.

Header scheme (after Stripe's and GitHub's): ``Forethought-Signature: t=<unix seconds>,
v1=<hex HMAC-SHA256 of "<t>.<body>" under the webhook's secret>``; ``Forethought-Delivery``
is the delivery's id, unique per delivery (a retry reuses it) and ``Forethought-Event`` the
event name. A receiver refuses a signature that does not match, a timestamp older than its
tolerance (a replay of an old request) and a delivery id it has already accepted (a replay
within the tolerance).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import MutableSet

HEADER = "Forethought-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class SignatureError(ValueError):
    pass


def verify(
    secret: str,
    header: str,
    body: bytes,
    delivery_id: str,
    seen: MutableSet[str],
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Accept the request or raise ``SignatureError``; remembers ``delivery_id`` in
    ``seen`` (keep it for at least ``tolerance`` seconds)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        raise SignatureError("No timestamp in the signature header.") from None
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, parts.get("v1", "")):
        raise SignatureError("The signature does not match the body.")
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureError("The timestamp is outside the tolerance (a replay?).")
    if delivery_id in seen:
        raise SignatureError("This delivery was already accepted (a replay).")
    seen.add(delivery_id)
