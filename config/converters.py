"""URL converters. ``<id:pk>`` is a database id: at most 18 digits, so a huge number is a
404 like any other unknown id instead of overflowing the database's integer type."""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
