"""Glossary keys as people read them: ``{% term "tpr" %}`` is "True positive rate", linked
to its definition on the glossary page (and with it as a tooltip); ``{{ key|term_label }}``
is the label alone."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from audits.engine.names import GLOSSARY, label

register = template.Library()


@register.simple_tag
def term(key: str) -> str:
    entry = GLOSSARY.get(key)
    if entry is None:
        return label(key)  # escaped by the template
    url = f"{reverse('audit_glossary')}#{key}"
    return format_html('<a href="{}" title="{}">{}</a>', url, entry.definition, entry.label)


@register.filter
def term_label(key: str) -> str:
    return label(key)
