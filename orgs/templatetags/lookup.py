"""``{{ mapping|get_item:key }}``: look a key up in a dict (e.g. your rating of a harm)."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None
