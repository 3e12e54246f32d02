"""Pages about the organization: the event log, notices, the organization switcher."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import access, selectors, services
from .ledger.reading import EventQuery
from .middleware import SESSION_KEY
from .plumbing.errors import PermissionDenied, ServiceError, refusal_message
from .web import actor, current_organization


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: an explicit ``?next=`` (on this site), a workshop guest's own
    workshop, the AI systems for members."""
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    organization = getattr(request, "organization", None)
    if organization is None:
        return render(request, "orgs/no_organization.html")
    if access.standing(request.user, organization) == access.GUEST:
        return redirect("guest_landing")
    return redirect("system_list")


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    organization = get_object_or_404(
        selectors.organizations_for(request.user), pk=request.POST.get("organization") or 0
    )
    request.session[SESSION_KEY] = organization.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return HttpResponseRedirect(target)


# --- Event log and notices ---------------------------------------------------------------


@login_required
def event_log(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if request.method == "POST":
        try:
            verification = services.event_log_verify(
                actor=actor(request), organization=organization
            )
        except (ServiceError, PermissionDenied) as exc:
            messages.error(request, refusal_message(exc))
        else:
            # Without a broker (eager mode) the check has run on commit: say how it went.
            verification.refresh_from_db()
            ok, outcome = verification.outcome()
            (messages.success if ok else messages.error)(request, outcome)
        return redirect("event_log")
    query = EventQuery(request.GET)
    events = selectors.events_for(request.user).filter(organization=organization)
    page = query.page(query.filter(events, request.user.pk))
    return render(
        request,
        "orgs/event_log.html",
        {
            "may_read": access.can(request.user, "event.read", organization),
            "query": query,
            "page": page,
            "events": selectors.events_named(page.events, request.user),
            "verifications": selectors.chain_verifications_for(request.user).filter(
                organization=organization
            )[:5],
            "can_verify": access.can(request.user, "event.verify", organization),
        },
    )


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notices_mark_read(user=actor(request))
        messages.success(request, "All notices marked read.")
        return redirect("notices")
    items = selectors.notices_for(request.user)[:100]
    return render(request, "orgs/notices.html", {"notices": items})


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer: 429 with how long to wait, as a page or as JSON for
    the API's token endpoint."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME * 60))
    message = (
        f"Too many failed logins for this account or from this address. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
