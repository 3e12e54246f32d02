"""``{% can "harm.update" harm as may_edit %}``: ask the access policy in a template."""

from typing import Any

from django import template

from orgs import access as policy

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], action: str, obj: Any) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return obj is not None and policy.can(user, action, obj)
