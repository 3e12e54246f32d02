"""``{% idempotency_field %}``: a hidden key that makes a form's submission count once."""

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# After an HTMX form posts and resets itself, it needs a new key for the next entry.
RENEW = (
    "this.elements.idempotency_key.value = "
    "(self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2))"
)


@register.simple_tag
def idempotency_field() -> SafeString:
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)


@register.simple_tag
def renew_idempotency_key() -> str:
    return RENEW
