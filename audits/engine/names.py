"""The glossary: every metric, impact-ratio term and warning code the engine produces, with
the label a person reads and a one-line definition. A metric is "Equalized odds difference"
on a page and ``equalized_odds_difference`` in JSON; this module holds both.

``SUMMARY_METRICS`` is the one list of summary metrics, imported by ``audits`` (LaunchGate
metric choices) and iterated by the engine, so a gate can only name a metric an audit
produces. ``parity`` is the value of perfect parity (0 for differences, 1 for ratios);
``bounds`` is the metric's range, which its bootstrap interval is clamped to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SummaryMetric:
    name: str
    label: str
    parity: float
    source: str
    definition: str
    bounds: tuple[float, float]


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    definition: str
    section: str


UNIT = (0.0, 1.0)  # max − min of rates, min / max of rates
SIGNED = (-1.0, 1.0)  # a group's rate minus the reference group's

SUMMARY_METRICS: tuple[SummaryMetric, ...] = (
    # Fairlearn's between-groups definitions (fairlearn.metrics).
    SummaryMetric(
        "demographic_parity_difference",
        "Demographic parity difference",
        0.0,
        "fairlearn",
        "Highest minus lowest selection rate over all groups (Fairlearn); 0 is parity.",
        UNIT,
    ),
    SummaryMetric(
        "demographic_parity_ratio",
        "Demographic parity ratio",
        1.0,
        "fairlearn",
        "Lowest over highest selection rate over all groups (Fairlearn); 1 is parity.",
        UNIT,
    ),
    SummaryMetric(
        "equalized_odds_difference",
        "Equalized odds difference",
        0.0,
        "fairlearn",
        "The larger of the true positive rate gap and the false positive rate gap between "
        "groups (Fairlearn); 0 is parity.",
        UNIT,
    ),
    SummaryMetric(
        "equalized_odds_ratio",
        "Equalized odds ratio",
        1.0,
        "fairlearn",
        "The smaller of the lowest-over-highest ratios of true and of false positive rates "
        "(Fairlearn); 1 is parity.",
        UNIT,
    ),
    SummaryMetric(
        "equal_opportunity_difference",
        "Equal opportunity difference",
        0.0,
        "fairlearn",
        "Highest minus lowest true positive rate over all groups (Fairlearn); 0 is parity.",
        UNIT,
    ),
    SummaryMetric(
        "equal_opportunity_ratio",
        "Equal opportunity ratio",
        1.0,
        "fairlearn",
        "Lowest over highest true positive rate over all groups (Fairlearn); 1 is parity.",
        UNIT,
    ),
    # AIF360's reference-group definitions (value furthest from parity over groups).
    SummaryMetric(
        "statistical_parity_difference",
        "Statistical parity difference",
        0.0,
        "aif360",
        "A group's selection rate minus the reference group's (AIF360); the group furthest "
        "from 0 is shown.",
        SIGNED,
    ),
    SummaryMetric(
        "disparate_impact_ratio",
        "Disparate impact ratio",
        1.0,
        "aif360",
        "A group's selection rate divided by the reference group's (AIF360); the group "
        "furthest from 1 is shown.",
        (0.0, math.inf),
    ),
    SummaryMetric(
        "average_odds_difference",
        "Average odds difference",
        0.0,
        "aif360",
        "The mean of a group's false and true positive rate gaps to the reference group "
        "(AIF360); the group furthest from 0 is shown.",
        SIGNED,
    ),
    SummaryMetric(
        "predictive_parity_difference",
        "Predictive parity difference",
        0.0,
        "aif360",
        "A group's precision (PPV) minus the reference group's (AIF360); the group furthest "
        "from 0 is shown.",
        SIGNED,
    ),
    # NYC Local Law 144: lowest impact ratio over categories.
    SummaryMetric(
        "min_impact_ratio",
        "Lowest impact ratio (NYC LL144)",
        1.0,
        "nyc_ll144",
        "The lowest impact ratio: a category's selection (or scoring) rate over the highest "
        "category's, leaving out categories under 2% of rows (NYC Local Law 144).",
        UNIT,
    ),
)

SUMMARY_METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in SUMMARY_METRICS)
SUMMARY_METRIC_CHOICES: list[tuple[str, str]] = [(m.name, m.label) for m in SUMMARY_METRICS]

GROUP_METRIC_TERMS: tuple[Term, ...] = tuple(
    Term(key, label, definition, "group")
    for key, label, definition in (
        ("n", "Rows", "Rows in the group (with weights, the sum of their weights)."),
        ("share", "Share", "The group's share of all rows (weighted)."),
        ("base_rate", "Base rate", "Share of the group whose true outcome is positive."),
        ("selection_rate", "Selection rate", "Share of the group predicted positive."),
        (
            "tpr",
            "True positive rate",
            "Of those whose outcome is positive, the share predicted positive (recall).",
        ),
        (
            "fpr",
            "False positive rate",
            "Of those whose outcome is negative, the share predicted positive.",
        ),
        (
            "tnr",
            "True negative rate",
            "Of those whose outcome is negative, the share predicted negative (specificity).",
        ),
        (
            "fnr",
            "False negative rate",
            "Of those whose outcome is positive, the share predicted negative.",
        ),
        (
            "ppv",
            "Precision (PPV)",
            "Of those predicted positive, the share whose outcome is positive.",
        ),
        (
            "npv",
            "Negative predictive value",
            "Of those predicted negative, the share whose outcome is negative.",
        ),
        (
            "fdr",
            "False discovery rate",
            "Of those predicted positive, the share whose outcome is negative.",
        ),
        (
            "for",
            "False omission rate",
            "Of those predicted negative, the share whose outcome is positive.",
        ),
        ("accuracy", "Accuracy", "Share of the group whose prediction matches the outcome."),
        ("f1", "F1 score", "The harmonic mean of precision and true positive rate."),
        (
            "auc",
            "AUC",
            "Area under the ROC curve: the chance that a random positive scores above a "
            "random negative (scores only).",
        ),
        (
            "brier",
            "Brier score",
            "The mean squared difference between score and outcome; lower is better (scores "
            "within [0, 1] only).",
        ),
    )
)

IMPACT_TERMS: tuple[Term, ...] = tuple(
    Term(key, label, definition, "impact")
    for key, label, definition in (
        (
            "impact_ratio",
            "Impact ratio",
            "A category's selection (or scoring) rate divided by the highest category's "
            "rate (NYC Local Law 144).",
        ),
        (
            "scoring_rate",
            "Scoring rate",
            "With scores, the share of a category scoring above the median score of all "
            "rows (NYC Local Law 144).",
        ),
        ("median_score", "Median score", "The median score over all rows."),
        (
            "four_fifths",
            "Four-fifths rule",
            "Passes when every counted category's impact ratio is at least 0.8.",
        ),
        (
            "small",
            "Under 2% of rows",
            "A category under 2% of rows: shown, but left out of the four-fifths verdict and "
            "the lowest impact ratio, as the LL144 rules allow.",
        ),
        (
            "missing_rows",
            "Rows without a value",
            "Rows with no value for a sensitive feature; they form the category '(missing)'.",
        ),
    )
)

WARNING_TERMS: tuple[Term, ...] = tuple(
    Term(key, label, definition, "warning")
    for key, label, definition in (
        (
            "small_group",
            "Small group",
            "A group with fewer rows than the minimum (default 30): its rates are unreliable, "
            "and gates on its dimension say 'insufficient'.",
        ),
        (
            "underpowered",
            "Underpowered",
            "A group too small to detect its selection-rate gap to the reference group with "
            "80% power at α = 0.05.",
        ),
        (
            "missing_values",
            "Missing values",
            "Rows with no value for a sensitive feature; they form the group '(missing)' "
            "rather than being dropped.",
        ),
        (
            "undefined_metric",
            "Undefined metric",
            "A rate whose denominator is zero for a group (e.g. a true positive rate with no "
            "positive outcomes); reported as null.",
        ),
        (
            "scores_not_probabilities",
            "Scores not probabilities",
            "Scores outside [0, 1]: the Brier score and calibration are not reported.",
        ),
        (
            "auc_binned",
            "AUC from binned scores",
            "AUC and the median score use equal-width score bins (or the score bins of a "
            "counts batch); two scores in one bin count as a tie.",
        ),
    )
)

INTERVAL_TERMS: tuple[Term, ...] = (
    Term(
        "reference",
        "Reference group",
        "The group others are compared with: given per feature, else the largest group.",
        "interval",
    ),
    Term(
        "wilson",
        "Wilson interval",
        "The 95% interval of a group's rate (Wilson score interval, with weights on the "
        "effective sample size).",
        "interval",
    ),
    Term(
        "basic_bootstrap",
        "Basic bootstrap interval",
        "The 95% interval of a summary metric: the estimate minus the spread of resampled "
        "values around it, which corrects the upward bias of a max − min over small groups.",
        "interval",
    ),
)

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary metrics"),
    ("group", "Group metrics"),
    ("impact", "NYC Local Law 144 impact ratios"),
    ("warning", "Warnings"),
    ("interval", "Groups and intervals"),
)

GLOSSARY: dict[str, Term] = {
    term.key: term
    for term in (
        *(Term(m.name, m.label, m.definition, "summary") for m in SUMMARY_METRICS),
        *GROUP_METRIC_TERMS,
        *IMPACT_TERMS,
        *WARNING_TERMS,
        *INTERVAL_TERMS,
    )
}


def label(key: str) -> str:
    """The label of a glossary key; an unknown key reads as words ("rows_read" → "Rows
    read") rather than as code."""
    term = GLOSSARY.get(key)
    return term.label if term else key.replace("_", " ").capitalize()
