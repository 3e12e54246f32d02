from typing import Any

from django import template

from ..documents.analysis import fmt, fmt_ci

register = template.Library()


@register.filter
def num(value: Any) -> str:
    return fmt(value) if isinstance(value, int | float) else "—"


@register.filter
def interval(value: Any) -> str:
    return fmt_ci(value) if isinstance(value, list) and len(value) == 2 else ""


@register.filter
def percent(value: Any) -> str:
    return f"{float(value) * 100:g} %" if isinstance(value, int | float) else "95 %"
