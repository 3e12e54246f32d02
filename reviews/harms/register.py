"""The harm register as rows for CSV. Pure Python."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# OWASP CSV injection: a cell starting with one of these is read as a formula by
# spreadsheets. Tab and carriage return are included because some importers strip them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
