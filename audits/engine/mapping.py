"""Column mapping before an audit runs: the checks that refuse a mapping which cannot give a
meaningful audit, and the defaults guessed from a file's column names.

At upload the first ``SAMPLE_ROWS`` rows are summed up in a small ``profile`` kept with the
dataset (so a run never reopens a file, perhaps on S3, to check its mapping). The checks
refuse only what those rows prove: a file with no rows, an outcome or prediction column
with more than two values, with values the engine cannot read as positive or negative, or
with empty values, a positive value that is neither of a column's two values, a score or
weight that is not a number. The engine checks the whole file when the audit runs. A
missing column and one column in two roles are refused from the header alone (by
``AuditConfig``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .columns import DEFAULT_NEGATIVE, _same_number, shorten
from .config import DEFAULT_POSITIVE, AuditConfig
from .errors import AuditInputError

SAMPLE_ROWS = 1000
PREVIEW_ROWS = 10
KEPT_VALUES = 7  # distinct values kept per column: enough to show six and say "…"
KEPT_LENGTH = 200  # characters kept of a value

# Column names that usually hold each role, most likely first (compared case-insensitively,
# with spaces and dashes read as underscores).
OUTCOME_NAMES = ("y_true", "label", "outcome", "target")
PREDICTION_NAMES = ("y_pred", "prediction", "pred")
SCORE_NAMES = ("score", "proba", "probability")


def profile(header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> dict[str, Any]:
    """What the checks and the preview need of a file's first rows (``read_sample``): how
    many were read, the first ``PREVIEW_ROWS``, and per column its first distinct values,
    how many are empty and the first value that is not a number (its row, from 1)."""
    columns: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(header):
        values: dict[str, None] = {}
        empty, text = 0, None
        for number, row in enumerate(rows, start=1):
            value = (row[i] or "").strip()
            if not value:
                empty += 1
                continue
            if len(values) < KEPT_VALUES:
                values.setdefault(value[:KEPT_LENGTH])
            if text is None and not _numbers([value]):
                text = [number, value[:KEPT_LENGTH]]
        columns[name] = {"values": list(values), "empty": empty, "text": text}
    preview = [[None if v is None else v[:KEPT_LENGTH] for v in row] for row in rows[:PREVIEW_ROWS]]
    return {"rows": len(rows), "preview": preview, "columns": columns}


def check_mapping(
    config: AuditConfig, header: Sequence[str], first_rows: Mapping[str, Any], source: str
) -> None:
    """Refuse (``AuditInputError`` naming the form field) a mapping that the file's header
    and the ``profile`` of its first rows show cannot be right. Without a profile (a file
    kept before profiles were), only the header is checked."""
    config.check_columns(header, source=source)
    if not first_rows:
        return
    rows = first_rows["rows"]
    if not rows:
        raise AuditInputError(
            f"{source} has a header but no rows: there is nothing to audit.", field="file"
        )
    columns = first_rows["columns"]
    binary = [("y_true", "true outcome", config.y_true), ("y_pred", "prediction", config.y_pred)]
    for field, role, column in binary:
        if column is not None:
            _check_binary(field, role, column, columns[column], config.positive, rows)
    for field, role, column in (
        ("y_score", "score", config.y_score),
        ("weight", "weight", config.weight),
    ):
        if column is not None and columns[column]["text"] is not None:
            row, value = columns[column]["text"]
            raise AuditInputError(
                f"The {role} column {column!r} has the value {shorten(value)!r} in row {row}, "
                "not a number.",
                field=field,
            )


def _check_binary(
    field: str, role: str, column: str, seen: Mapping[str, Any], positive: str | None, rows: int
) -> None:
    if seen["empty"]:
        raise AuditInputError(
            f"{seen['empty']} of the first {rows:,} rows have an empty {role} in {column!r}; "
            "every row needs one. Fill them in or remove them.",
            field=field,
        )
    distinct = sorted(seen["values"])
    shown = ", ".join(repr(shorten(v)) for v in distinct[:6]) + ("…" if len(distinct) > 6 else "")
    where = f" in its first {rows:,} rows" if rows >= SAMPLE_ROWS else ""
    if len(distinct) > 2:
        scores = (
            " If they are scores, choose scores with a threshold." if _numbers(distinct) else ""
        )
        raise AuditInputError(
            f"{column} has the values {shown}{where}: a {role} needs exactly two. Recode it to "
            "two values, then say which is the positive class in Positive value (e.g. "
            f"{shorten(distinct[0])!r}).{scores}",
            field=field,
        )
    if positive is None:
        known = [v for v in distinct if v.lower() in (*DEFAULT_POSITIVE, *DEFAULT_NEGATIVE)]
        if len(known) < len(distinct):
            suggestion = next((v for v in distinct if v not in known), distinct[0])
            raise AuditInputError(
                f"{column} has the values {shown}: say which is the positive class in "
                f"Positive value (e.g. {shorten(suggestion)!r}).",
                field="positive",
            )
        classes = {v.lower() in DEFAULT_POSITIVE for v in distinct}
        if len(distinct) == 2 and len(classes) == 1:
            kind = "positive" if classes.pop() else "negative"
            raise AuditInputError(
                f"{column} has the values {shown}, which would both count as {kind}: say which "
                "is the positive class in Positive value.",
                field="positive",
            )
    elif len(distinct) == 2 and not any(_matches(v, positive) for v in distinct):
        raise AuditInputError(
            f"The positive value {shorten(positive)!r} is neither of {column}'s values "
            f"({shown}), so no row would count as positive. The positive value applies to the "
            "outcome and the prediction column alike.",
            field="positive",
        )


def _matches(value: str, positive: str) -> bool:
    # A Parquet boolean column counts True as positive unless the positive value names
    # false; its text cannot tell it from a CSV column of the words, so it is not judged.
    if value.lower() in ("true", "false"):
        return True
    return value == positive.strip() or _same_number(value, positive)


def _numbers(values: Sequence[str]) -> bool:
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return True


def _normal(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _find(columns: Sequence[str], wanted: Sequence[str]) -> str | None:
    by_name = {_normal(c): c for c in reversed(columns)}
    return next((by_name[w] for w in wanted if w in by_name), None)


def guess_mapping(columns: Sequence[str]) -> dict[str, Any]:
    """Form defaults from the column names: the outcome, the prediction or score column,
    and "scores with a threshold" when only a score column is found."""
    guess: dict[str, Any] = {}
    outcome = _find(columns, OUTCOME_NAMES)
    prediction = _find(columns, PREDICTION_NAMES)
    score = _find(columns, SCORE_NAMES)
    if outcome:
        guess["y_true"] = outcome
    if prediction:
        guess["y_pred"] = prediction
    if score:
        guess["y_score"] = score
    if score and not prediction:
        guess["prediction_kind"] = "score"
    elif prediction:
        guess["prediction_kind"] = "pred"
    return guess
