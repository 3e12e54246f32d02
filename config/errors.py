"""Error answers: JSON under /api/, the app's own pages (templates/403.html, 404.html,
500.html) elsewhere."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.defaults import page_not_found
from django.views.defaults import permission_denied as django_permission_denied

logger = logging.getLogger(__name__)

# The last resort when even the 500 page cannot be rendered (a broken template or
# static manifest): plain HTML that needs nothing.
BARE_500 = (
    "<!doctype html><title>Server error · Forethought</title>"
    "<h1>Something went wrong on our side</h1>"
    '<p>The error has been logged. <a href="/">Back to the start</a>.</p>'
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403; the page shows the refusal's reason (``access.require`` gives one)."""
    if _is_api(request):
        detail = str(exception) or "You do not have permission to perform this action."
        return JsonResponse({"detail": detail}, status=403)
    return django_permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500. The page is rendered without the request (no context processors, no database):
    whatever broke the request may break them too."""
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    try:
        body = loader.get_template("500.html").render()
    except Exception:
        logger.exception("The 500 page itself failed to render")
        body = BARE_500
    return HttpResponseServerError(body)
