"""Summary metric names shared by the audit engine and launch gates.

One list, imported by ``reviews`` (LaunchGate.metric choices) and by the audit engine, so a
gate can only name a metric an audit produces. ``parity`` is the value of perfect parity:
0 for differences, 1 for ratios.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SummaryMetric:
    name: str
    label: str
    parity: float
    source: str


SUMMARY_METRICS: tuple[SummaryMetric, ...] = (
    # Fairlearn's between-groups definitions (fairlearn.metrics).
    SummaryMetric(
        "demographic_parity_difference", "Demographic parity difference", 0.0, "fairlearn"
    ),
    SummaryMetric("demographic_parity_ratio", "Demographic parity ratio", 1.0, "fairlearn"),
    SummaryMetric("equalized_odds_difference", "Equalized odds difference", 0.0, "fairlearn"),
    SummaryMetric("equalized_odds_ratio", "Equalized odds ratio", 1.0, "fairlearn"),
    SummaryMetric("equal_opportunity_difference", "Equal opportunity difference", 0.0, "fairlearn"),
    SummaryMetric("equal_opportunity_ratio", "Equal opportunity ratio", 1.0, "fairlearn"),
    # AIF360's reference-group definitions (value furthest from parity over groups).
    SummaryMetric("statistical_parity_difference", "Statistical parity difference", 0.0, "aif360"),
    SummaryMetric("disparate_impact_ratio", "Disparate impact ratio", 1.0, "aif360"),
    SummaryMetric("average_odds_difference", "Average odds difference", 0.0, "aif360"),
    SummaryMetric("predictive_parity_difference", "Predictive parity difference", 0.0, "aif360"),
    # NYC Local Law 144: lowest impact ratio over categories.
    SummaryMetric("min_impact_ratio", "Lowest impact ratio (NYC LL144)", 1.0, "nyc_ll144"),
)

SUMMARY_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in SUMMARY_METRICS)
SUMMARY_METRIC_CHOICES: list[tuple[str, str]] = [(m.name, m.label) for m in SUMMARY_METRICS]
