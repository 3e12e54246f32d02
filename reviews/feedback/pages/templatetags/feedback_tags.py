"""What other pages show of community feedback: the review page's coverage section
(which stakeholder groups have sent feedback, which impacted groups have not) and the
public pages' translated mitigation statuses."""

from __future__ import annotations

from typing import Any

from django import template

from orgs import access
from reviews.feedback import selectors
from reviews.feedback.wording import MITIGATION_STATUS

register = template.Library()


@register.inclusion_tag("feedback/_review_section.html", takes_context=True)
def feedback_section(context: dict[str, Any], review: Any) -> dict[str, Any]:
    user = context["request"].user
    if not access.can(user, "submission.read", review):
        return {"show": False}
    return {
        "show": True,
        "review": review,
        "coverage": selectors.coverage(review),
        "channels": selectors.channels_of(review),
        "may_open": access.can(user, "feedback_channel.create", review),
    }


@register.filter
def mitigation_status(value: str) -> str:
    return str(MITIGATION_STATUS.get(value, value))
