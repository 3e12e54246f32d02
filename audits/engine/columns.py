"""Turn the columns of one record batch into numbers: sensitive features into stable integer
codes, labels and predictions into 0/1, scores and weights into finite floats. Each refuses
what cannot be audited or stored with a message that says what to do."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .config import DEFAULT_POSITIVE
from .errors import AuditInputError
from .limits import label_too_long, too_many_values

MISSING = "(missing)"
DEFAULT_NEGATIVE = ("0", "0.0", "false", "no", "n", "f")


def _combined(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _dictionary(column: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The column as (distinct values, index of each row's value; -1 for null)."""
    if pa.types.is_dictionary(column.type):
        dictionary = column.dictionary  # a pandas Categorical: its values as they are
    else:
        column = pc.dictionary_encode(column)
        dictionary = column.dictionary
        if not pa.types.is_string(dictionary.type) and not pa.types.is_large_string(
            dictionary.type
        ):
            # Numbers and booleans as text, converting each distinct value once.
            dictionary = pc.cast(dictionary, pa.string())
    indices = column.indices
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    return dictionary, indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _used(dictionary: pa.Array, indices: np.ndarray) -> np.ndarray:
    """Positions of the dictionary values some row has (a pandas Categorical or a Parquet
    row group may carry values no row of this batch uses)."""
    present = np.bincount(indices[indices >= 0], minlength=len(dictionary)) > 0
    return np.flatnonzero(present)


def _longest(values: pa.Array) -> tuple[int, int]:
    """(position, length in characters) of the longest value."""
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    lengths = pc.fill_null(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False)
    if len(lengths) == 0:
        return 0, 0
    at = int(np.argmax(lengths))
    return at, int(lengths[at])


def shorten(text: str, limit: int = 40) -> str:
    """A value as it may appear in a message."""
    return text if len(text) <= limit else text[:limit] + "…"


class FeatureEncoder:
    """Maps a sensitive feature's values to stable integer codes across chunks, refusing a
    feature with more distinct values, or a longer value, than the limits allow."""

    def __init__(self, name: str, max_values: int, max_length: int):
        self.name = name
        self.max_values = max_values
        self.max_length = max_length
        self.labels: list[str] = []
        self._index: dict[str, int] = {}

    def code_of(self, label: str) -> int:
        code = self._index.get(label)
        if code is None:
            code = self._index[label] = len(self.labels)
            self.labels.append(label)
        return code

    def encode(self, column: pa.Array | pa.ChunkedArray, rows_read: int) -> np.ndarray:
        """Codes of one batch's values; ``rows_read`` counts the rows up to the end of this
        batch (for the message when a limit is crossed)."""
        dictionary, indices = _dictionary(_combined(column))
        used = _used(dictionary, indices)
        # The limits are checked on the distinct values alone, before any Python string of
        # them exists: a 5 MB value is refused, not copied into every group of the result.
        if len(used) > self.max_values:
            raise too_many_values(self.name, len(used), rows_read, self.max_values)
        values = dictionary.take(pa.array(used, type=pa.int64()))
        at, longest = _longest(values)
        if longest > self.max_length:
            sample = values[at].as_py()
            raise label_too_long(self.name, shorten(str(sample)), longest, self.max_length)
        lookup = np.zeros(max(1, len(dictionary)), dtype=np.int64)
        for position, value in zip(used.tolist(), values.to_pylist(), strict=True):
            lookup[position] = self.code_of(_label(value))
        if len(self.labels) > self.max_values:
            raise too_many_values(self.name, len(self.labels), rows_read, self.max_values)
        if (indices < 0).any():
            missing = self.code_of(MISSING)
            codes: np.ndarray = np.where(indices < 0, missing, lookup[np.maximum(indices, 0)])
            if len(self.labels) > self.max_values:
                raise too_many_values(self.name, len(self.labels), rows_read, self.max_values)
            return codes
        coded: np.ndarray = lookup[indices]
        return coded


def _label(value: object) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text if text else MISSING


class BinaryColumn:
    """Turns a label or prediction column into 0/1, agreeing on one positive value."""

    def __init__(self, name: str, positive: str | None, role: str):
        self.name = name
        self.positive = positive
        self.role = role
        self.seen: set[str] = set()

    def convert(self, column: pa.Array | pa.ChunkedArray) -> np.ndarray:
        column = _combined(column)
        if column.null_count:
            raise AuditInputError(
                f"{column.null_count} row(s) have an empty or NaN {self.role} in {self.name!r}; "
                "remove them or fill them in before auditing.",
                field=self.name,
            )
        if pa.types.is_boolean(column.type):
            # Binary by construction: True is positive unless --positive names False.
            arr: np.ndarray = column.to_numpy(zero_copy_only=False).astype(np.int8)
            if self.positive is not None and str(self.positive).strip().lower() in {
                "false",
                "0",
                "no",
                "f",
                "n",
            }:
                return 1 - arr
            return arr
        dictionary, indices = _dictionary(column)
        used = _used(dictionary, indices)
        if len(used) > 2:
            # Do not turn thousands of distinct (possibly huge) values into Python strings.
            used = used[:3]
        values = [_label(v) for v in dictionary.take(pa.array(used, type=pa.int64())).to_pylist()]
        self.seen.update(values)
        if len(self.seen) > 2:
            shown = ", ".join(shorten(v) for v in sorted(self.seen)[:6])
            raise AuditInputError(
                f"{self.role.capitalize()} column {self.name!r} is not binary: it has the values "
                f"{shown}{'…' if len(self.seen) > 6 else ''}.",
                field=self.name,
            )
        self._check_one_spelling_per_class()
        lookup = np.zeros(max(1, len(dictionary)), dtype=np.int8)
        for position, value in zip(used.tolist(), values, strict=True):
            lookup[position] = self._is_positive(value)
        positives: np.ndarray = lookup[indices]
        return positives

    def _check_one_spelling_per_class(self) -> None:
        """Under the default positives, two different values may not mean the same class
        ("1" and "yes" would both count as positive and the column would hold no negative):
        the column is not what it seems, so the user says which value is positive."""
        if self.positive is not None or len(self.seen) < 2:
            return
        classes = {value: self._is_positive(value) for value in self.seen}
        if len(set(classes.values())) == 1:
            a, b = sorted(self.seen)
            kind = "positive" if next(iter(classes.values())) else "negative"
            raise AuditInputError(
                f"{self.role.capitalize()} column {self.name!r} has the values {shorten(a)!r} "
                f"and {shorten(b)!r}, which would both count as {kind}; say which value is the "
                "positive class with positive (--positive).",
                field="positive",
            )

    def _is_positive(self, value: str) -> int:
        if self.positive is not None:
            return int(value == str(self.positive).strip() or _same_number(value, self.positive))
        if value.lower() in DEFAULT_POSITIVE:
            return 1
        if value.lower() in DEFAULT_NEGATIVE:
            return 0
        raise AuditInputError(
            f"{self.role.capitalize()} column {self.name!r} has the value {shorten(value)!r}; "
            "say which value is the positive class with --positive (default positives: 1, "
            "true, yes).",
            field="positive",
        )


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def finite_floats(
    column: pa.Array | pa.ChunkedArray, name: str, role: str, first_row: int
) -> np.ndarray:
    """A numeric column as floats, refusing ±infinity (a score or weight that cannot be
    stored or compared); NaN stays NaN for the caller to judge. ``first_row`` is the
    1-based row number of this batch's first row, for the message."""
    values = floats(column, name, role)
    infinite = np.isinf(values)
    if infinite.any():
        row = first_row + int(np.argmax(infinite))
        raise AuditInputError(
            f"The {role} column {name!r} has infinite values (row {row:,}); give finite numbers.",
            field=name,
        )
    return values


def floats(column: pa.Array | pa.ChunkedArray, name: str, role: str) -> np.ndarray:
    column = _combined(column)
    if not (
        pa.types.is_floating(column.type)
        or pa.types.is_integer(column.type)
        or pa.types.is_decimal(column.type)
    ):
        try:
            column = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise AuditInputError(
                f"The {role} column {name!r} must be numeric.", field=name
            ) from exc
    values: np.ndarray = pc.fill_null(pc.cast(column, pa.float64()), float("nan")).to_numpy(
        zero_copy_only=False
    )
    return values


def first_nan_row(values: np.ndarray, first_row: int) -> int:
    return first_row + int(np.argmax(np.isnan(values)))
