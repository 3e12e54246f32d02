"""Query-string filters that never reach the database with a value it cannot hold.

django-filter turns ``?stakeholders=1795249874191059576160256`` into a lookup that
overflows SQLite's and PostgreSQL's integer types (a 500). Here an id is at most 18 ASCII
digits and an integer filter a bounded whole number; anything else is a 400 naming the
parameter, like any other invalid choice.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.reverse_related import ManyToManyRel, ManyToOneRel, OneToOneRel
from django_filters import fields as filter_fields
from django_filters import rest_framework as drf_filters
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

BIGINT_MAX = 2**63 - 1


def is_id(value: Any) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 18


class IdChoiceField(filter_fields.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and value != self.null_value and not is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value: Any) -> Any:
        for item in value:
            if item != self.null_value and not is_id(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class IdFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class IdMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdMultipleChoiceField


class BoundedIntegerField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -BIGINT_MAX)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    field_class = BoundedIntegerField


def _swap(entry: dict[str, Any], filter_class: type) -> dict[str, Any]:
    return {**entry, "filter_class": filter_class}


FILTER_DEFAULTS: dict[Any, dict[str, Any]] = dict(FILTER_FOR_DBFIELD_DEFAULTS)
single: tuple[Any, ...] = (models.ForeignKey, models.OneToOneField, OneToOneRel)
multiple: tuple[Any, ...] = (models.ManyToManyField, ManyToOneRel, ManyToManyRel)
integers: tuple[Any, ...] = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)
for _field in single:
    FILTER_DEFAULTS[_field] = _swap(FILTER_DEFAULTS[_field], IdFilter)
for _field in multiple:
    FILTER_DEFAULTS[_field] = _swap(FILTER_DEFAULTS[_field], IdMultipleFilter)
for _field in integers:
    FILTER_DEFAULTS[_field] = {"filter_class": IntegerFilter}


class SafeFilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = FILTER_DEFAULTS


class SafeFilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = SafeFilterSet
