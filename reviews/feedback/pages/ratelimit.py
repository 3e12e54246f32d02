"""Counting public form posts per client address and per channel in a fixed window, in the
``ratelimit`` cache (Redis when REDIS_URL is set, so every web process shares the count;
else this process's memory). Addresses are hashed before they become cache keys."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind PROXY_COUNT proxies the address the nearest one saw."""
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one more post under ``key``; False once the count passes ``limit``."""
    cache = caches["ratelimit"]
    # add() starts the window only if the key is new; incr() is atomic in Redis and locmem.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return bool(count <= limit)


def allow_post(request: HttpRequest, channel_token: str) -> bool:
    """Whether this post is within both limits (each post counts against both)."""
    window = settings.FEEDBACK_RATE_WINDOW_SECONDS
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    by_address = _hit(f"fb:ip:{address}", settings.FEEDBACK_RATE_PER_IP, window)
    by_channel = _hit(f"fb:ch:{channel_token}", settings.FEEDBACK_RATE_PER_CHANNEL, window)
    return by_address and by_channel
