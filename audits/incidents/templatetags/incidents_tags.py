"""What other pages show of incidents and webhooks without importing this app: the review
page's banner of open incidents, the feedback submission page's "escalate into an
incident" form, and the monitoring pages' incidents and webhook delivery log."""

from __future__ import annotations

from typing import Any

from django import template

from orgs import access
from orgs.web import current_organization

from .. import selectors

register = template.Library()


@register.inclusion_tag("incidents/_incident_banner.html", takes_context=True)
def incident_banner(context: dict[str, Any], review: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"incidents": list(selectors.unresolved_incidents_of_system(user, review)[:10])}


@register.inclusion_tag("incidents/_escalate.html", takes_context=True)
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


@register.inclusion_tag("incidents/_open_incidents.html", takes_context=True)
def open_incidents(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    mine = selectors.incidents_for(request.user).filter(organization=current_organization(request))
    return {"incidents": list(mine.exclude(status="resolved"))}


@register.inclusion_tag("incidents/_monitor_section.html", takes_context=True)
def monitor_incidents(context: dict[str, Any], monitor: Any) -> dict[str, Any]:
    user = context["request"].user
    may_see_hooks = access.can(user, "webhook.read", monitor)
    hooks = []
    if may_see_hooks:
        hooks = selectors.webhooks_with_recent_deliveries(monitor)
    return {
        "incidents": list(selectors.incidents_for(user).filter(monitor=monitor)),
        "hooks": hooks,
        "may_see_hooks": may_see_hooks,
        "may_add_hook": access.can(user, "webhook.create", monitor),
        "may_change_hooks": access.can(user, "webhook.update", monitor),
        "monitor": monitor,
    }
