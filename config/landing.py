"""Where a workshop guest lands after logging in.

``orgs.views.home`` sends a guest here. Their workshops belong to an app above ``orgs``, so
the page that looks them up lives in ``config``, which may ask every app (as ``urls.py``
does).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from orgs.web import actor, current_organization
from reviews.workshops.models import WorkshopStatus
from reviews.workshops.selectors import workshops_for


@login_required
def guest_landing(request: HttpRequest) -> HttpResponse:
    """Straight to the guest's workshop when one of their seats is in an open workshop (or
    they have only one seat); the list of their workshops when there are several; a page
    saying there is none yet otherwise."""
    user = actor(request)
    seated = workshops_for(user).filter(
        organization=current_organization(request), participants__user=user
    )
    open_ones = seated.filter(status=WorkshopStatus.OPEN)
    candidates = list((open_ones if open_ones.exists() else seated)[:2])
    if len(candidates) == 1:
        return redirect("workshop_board", pk=candidates[0].pk)
    if candidates:
        return redirect("workshop_list")
    return render(request, "orgs/no_workshop.html")
