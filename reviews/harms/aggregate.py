"""Harm rating aggregates. Pure Python: no Django, testable by hand.

Definitions (docs/workshops.md):
* median: the ordinary median (mean of the two middle values for an even count).
* quartiles: linear interpolation between order statistics, the "inclusive" method
  (Hyndman & Fan type 7, numpy's and Excel's QUARTILE.INC default). For ratings 1, 2, 4, 5:
  Q1 = 1.75, Q3 = 4.25, IQR = 2.5.
* risk score = median severity × median likelihood (1..25).
* contested: IQR of severity or of likelihood ≥ 2 (the raters disagree by at least two
  points across the middle half), so the facilitator discusses the harm.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CONTESTED_IQR = 2.0


def iqr(values: Sequence[int | float]) -> float:
    if len(values) < 2:
        return 0.0
    q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return float(q3 - q1)


@dataclass(frozen=True)
class HarmAggregate:
    raters: int
    severity: float | None
    likelihood: float | None
    scale: float | None
    risk: float | None
    severity_iqr: float
    likelihood_iqr: float
    contested: bool
    votes: int

    @property
    def cell(self) -> tuple[int, int] | None:
        """The 5×5 matrix cell: medians rounded half up (2.5 → 3)."""
        if self.severity is None or self.likelihood is None:
            return None
        return (int(self.severity + 0.5), int(self.likelihood + 0.5))


def aggregate(
    ratings: Iterable[tuple[int, int, int]], votes: int = 0, contested_iqr: float = CONTESTED_IQR
) -> HarmAggregate:
    """Aggregate (severity, likelihood, scale) triples of one harm."""
    rows = list(ratings)
    for row in rows:
        if any(not isinstance(v, int) or not 1 <= v <= 5 for v in row):
            raise ValueError(f"ratings are integers from 1 to 5, got {row!r}")
    if not rows:
        return HarmAggregate(0, None, None, None, None, 0.0, 0.0, False, votes)
    severities = [r[0] for r in rows]
    likelihoods = [r[1] for r in rows]
    scales = [r[2] for r in rows]
    severity = float(statistics.median(severities))
    likelihood = float(statistics.median(likelihoods))
    s_iqr, l_iqr = iqr(severities), iqr(likelihoods)
    return HarmAggregate(
        raters=len(rows),
        severity=severity,
        likelihood=likelihood,
        scale=float(statistics.median(scales)),
        risk=severity * likelihood,
        severity_iqr=s_iqr,
        likelihood_iqr=l_iqr,
        contested=s_iqr >= contested_iqr or l_iqr >= contested_iqr,
        votes=votes,
    )
