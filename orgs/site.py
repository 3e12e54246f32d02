"""The site's own address, for absolute links: invitation links, emails, the demo's login.

``settings.SITE_URL`` wins when it is set. Otherwise a link made while a request is being
served points where that request came in (RequestAddressMiddleware remembers it), and one
made outside any request points at the address ``make run`` serves (``FORETHOUGHT_HOST``
and ``FORETHOUGHT_PORT``), so a demo on another port never mails links to port 8000.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def site_url(request: HttpRequest | None = None) -> str:
    """``scheme://host[:port]`` with no trailing slash."""
    if settings.SITE_URL:
        return str(settings.SITE_URL).rstrip("/")
    request = request or _current_request.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    # 0.0.0.0 is where runserver listens on every interface, not an address to visit.
    host = "127.0.0.1" if settings.RUN_HOST == "0.0.0.0" else settings.RUN_HOST  # noqa: S104
    return f"http://{host}:{settings.RUN_PORT}"


class RequestAddressMiddleware:
    """Remember the request being served, for ``site_url()`` called deeper down (a
    service that mails a link). Placed after CommonMiddleware, which has checked the
    Host header against ALLOWED_HOSTS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
