from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from .errors import AuditInputError

DEFAULT_POSITIVE = ("1", "1.0", "true", "yes", "y", "t")


@dataclass(frozen=True)
class AuditConfig:
    """What to audit. Column names refer to the input file or frame."""

    y_true: str
    sensitive: tuple[str, ...]
    y_pred: str | None = None
    y_score: str | None = None
    threshold: float | None = None
    positive: str | None = None
    positive_is: Literal["beneficial", "harmful"] = "beneficial"
    reference: dict[str, str] = field(default_factory=dict)
    weight: str | None = None
    bootstrap: int = 1000
    seed: int = 0
    min_group_size: int = 30
    confidence: float = 0.95
    chunk_rows: int = 262_144
    score_bins: int = 4096
    # Limits on what one audit may hold (docs/audits.md, "Limits"); the platform passes its
    # AUDIT_MAX_* settings. They are checked while reading, before any large array exists.
    max_values_per_feature: int = 1000
    max_cells: int = 10_000
    max_label_length: int = 200

    def __post_init__(self) -> None:
        if (self.y_pred is None) == (self.y_score is None):
            raise AuditInputError(
                "Give either a prediction column or a score column (not both).", field="y_pred"
            )
        if self.y_score is not None and self.threshold is None:
            raise AuditInputError(
                "A score column needs a threshold, in the score's own units.", field="threshold"
            )
        if not self.sensitive:
            raise AuditInputError("Name at least one sensitive feature column.", field="sensitive")
        if len(set(self.sensitive)) != len(self.sensitive):
            raise AuditInputError("A sensitive feature is named twice.", field="sensitive")
        self._check_roles()
        if self.positive_is not in ("beneficial", "harmful"):
            raise AuditInputError("positive_is is 'beneficial' or 'harmful'.", field="positive_is")
        unknown = set(self.reference) - set(self.sensitive)
        if unknown:
            raise AuditInputError(
                f"Reference given for {', '.join(sorted(unknown))}, which is not a sensitive "
                "feature.",
                field="reference",
            )
        if not 0 <= self.bootstrap <= 100_000:
            raise AuditInputError(
                "Bootstrap resamples must be between 0 and 100000.", field="bootstrap"
            )
        if not 0.5 < self.confidence < 1:
            raise AuditInputError("Confidence must be between 0.5 and 1.", field="confidence")
        if self.threshold is not None and not math.isfinite(self.threshold):
            raise AuditInputError("The threshold must be a finite number.", field="threshold")
        if self.seed < 0:
            raise AuditInputError("The seed must be a whole number ≥ 0.", field="seed")
        for name in _POSITIVE_INTS:
            if getattr(self, name) < 1:
                raise AuditInputError(f"{name} must be a whole number ≥ 1.", field=name)
        if self.score_bins > MAX_SCORE_BINS:
            raise AuditInputError(
                f"score_bins must be at most {MAX_SCORE_BINS:,}.", field="score_bins"
            )
        long = [s for s in self.sensitive if len(s) > self.max_label_length]
        if long:
            shown = long[0] if len(long[0]) <= 40 else long[0][:40] + "…"
            raise AuditInputError(
                f"The sensitive feature name {shown!r} is {len(long[0]):,} characters long; "
                f"the limit is {self.max_label_length:,} (AUDIT_MAX_LABEL_LENGTH). Rename the "
                "column.",
                field="sensitive",
            )

    def _check_roles(self) -> None:
        """One column, one role: an outcome that is also the prediction, or a sensitive
        feature that is also the weight, cannot give a meaningful audit."""
        roles: list[tuple[str, str, str | None]] = [
            ("y_true", "true outcome", self.y_true),
            ("y_pred", "prediction", self.y_pred),
            ("y_score", "score", self.y_score),
            *(("sensitive", "sensitive feature", s) for s in self.sensitive),
            ("weight", "weight", self.weight),
        ]
        seen: dict[str, str] = {}
        for field_name, role, column in roles:
            if column is None:
                continue
            if column in seen:
                if field_name == "sensitive" and seen[column] in ("true outcome", "prediction"):
                    raise AuditInputError(
                        f"{column!r} is the {seen[column]} and cannot also be a sensitive "
                        "feature: a sensitive feature says who a person is (sex, race, age "
                        "band), not what happened to them or what the model said.",
                        field="sensitive",
                    )
                raise AuditInputError(
                    f"{column!r} is chosen as both the {seen[column]} and the {role} column; "
                    "each role needs its own column.",
                    field=field_name,
                )
            seen[column] = role

    @property
    def columns(self) -> list[str]:
        cols = [self.y_true, self.y_pred or self.y_score, *self.sensitive]
        if self.weight:
            cols.append(self.weight)
        return [c for c in cols if c is not None]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sensitive"] = list(self.sensitive)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditConfig:
        """The inverse of ``as_dict``: the form of a config stored on an audit run or sent
        to the API. Unknown keys and values of the wrong type are refused with a message."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise AuditInputError(f"Unknown setting(s): {', '.join(unknown)}.", field=unknown[0])
        values = {k: v for k, v in data.items() if v is not None or k in _OPTIONAL}
        for name in ("y_true", "y_pred", "y_score", "positive", "weight"):
            value = values.get(name)
            if value is not None and not isinstance(value, str):
                raise AuditInputError(f"{name} is a column name (text).", field=name)
            if value == "":
                values[name] = None if name != "y_true" else value
        sensitive = values.get("sensitive", ())
        if isinstance(sensitive, str) or not isinstance(sensitive, Sequence):
            raise AuditInputError("sensitive is a list of column names.", field="sensitive")
        if not all(isinstance(s, str) for s in sensitive):
            raise AuditInputError("sensitive is a list of column names.", field="sensitive")
        values["sensitive"] = tuple(sensitive)
        reference = values.get("reference") or {}
        if not isinstance(reference, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in reference.items()
        ):
            raise AuditInputError(
                "reference maps a column to one of its values.", field="reference"
            )
        values["reference"] = dict(reference)
        for name in ("bootstrap", "seed", "min_group_size", *_POSITIVE_INTS):
            if name in values and (
                isinstance(values[name], bool) or not isinstance(values[name], int)
            ):
                raise AuditInputError(f"{name} is a whole number.", field=name)
        for name in ("threshold", "confidence"):
            value = values.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise AuditInputError(f"{name} is a number.", field=name)
        if not isinstance(values.get("y_true"), str) or not values["y_true"]:
            raise AuditInputError("Name the true outcome column.", field="y_true")
        return cls(**values)

    def check_columns(self, available: Sequence[str], source: str = "the file") -> None:
        """Every column this config names is in ``available``; otherwise say which is not,
        with the closest name as a hint."""
        for column in self.columns:
            if column not in available:
                close = difflib.get_close_matches(column, list(available), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise AuditInputError(
                    f"Column {column!r} is not in {source}.{hint}", field="columns"
                )


_OPTIONAL = {"y_pred", "y_score", "threshold", "positive", "weight"}
_POSITIVE_INTS = (
    "chunk_rows",
    "score_bins",
    "max_values_per_feature",
    "max_cells",
    "max_label_length",
)
# Score histogram bins at most: a group's dense histogram holds two floats per bin.
MAX_SCORE_BINS = 1 << 20
