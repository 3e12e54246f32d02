"""What other pages show of monitoring without importing it: the review page's banner of
open incidents and the feedback submission page's "escalate into an incident" form."""

from __future__ import annotations

from typing import Any

from django import template

from orgs import access

from .. import selectors

register = template.Library()


@register.inclusion_tag("monitoring/_incident_banner.html", takes_context=True)
def incident_banner(context: dict[str, Any], review: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"incidents": list(selectors.unresolved_incidents_of_system(user, review)[:10])}


@register.inclusion_tag("monitoring/_escalate.html", takes_context=True)
def incident_escalate(context: dict[str, Any], submission: Any) -> dict[str, Any]:
    user = context["request"].user
    linked = list(selectors.incidents_for(user).filter(feedback=submission))
    if not access.can(user, "incident.create", submission.review):
        return {"show": False, "linked": linked}
    candidates = (
        selectors.incidents_for(user)
        .filter(review__system_id=submission.review.system_id)
        .exclude(status="resolved")
        .exclude(pk__in=[i.pk for i in linked])
    )
    return {
        "show": True,
        "linked": linked,
        "submission": submission,
        "candidates": list(candidates[:20]),
        "csrf_token": context.get("csrf_token"),
    }
