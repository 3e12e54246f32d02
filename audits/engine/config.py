from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

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

    @property
    def columns(self) -> list[str]:
        cols = [self.y_true, self.y_pred or self.y_score, *self.sensitive]
        if self.weight:
            cols.append(self.weight)
        return [c for c in cols if c is not None]

    def as_dict(self) -> dict:
        data = asdict(self)
        data["sensitive"] = list(self.sensitive)
        return data
