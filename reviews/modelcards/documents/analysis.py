"""The quantitative analysis of a card from an audit result (docs/audit-json.md). Pure.

A result is one number: a per-group rate (``group`` set) or a dimension's summary metric
(``group`` None), with its interval when the audit gave one. Undefined metrics (null in the
audit JSON) are left out rather than filled.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

# Per-group metrics a card shows (each a Wilson interval in the audit), with their labels.
GROUP_METRICS: dict[str, str] = {
    "n": "Rows",
    "selection_rate": "Selection rate",
    "tpr": "True positive rate",
    "fpr": "False positive rate",
    "ppv": "Precision",
    "accuracy": "Accuracy",
}
SUMMARY_LABELS: dict[str, str] = {
    "demographic_parity_difference": "Demographic parity difference",
    "demographic_parity_ratio": "Demographic parity ratio",
    "equalized_odds_difference": "Equalized odds difference",
    "equalized_odds_ratio": "Equalized odds ratio",
    "equal_opportunity_difference": "Equal opportunity difference",
    "equal_opportunity_ratio": "Equal opportunity ratio",
    "statistical_parity_difference": "Statistical parity difference",
    "disparate_impact_ratio": "Disparate impact ratio",
    "average_odds_difference": "Average odds difference",
    "predictive_parity_difference": "Predictive parity difference",
    "min_impact_ratio": "Lowest impact ratio (NYC LL144)",
}
SUMMARY_ORDER = {name: i for i, name in enumerate(SUMMARY_LABELS)}
MAX_RESULTS = 5000


def label(metric: str) -> str:
    return GROUP_METRICS.get(metric) or SUMMARY_LABELS.get(metric) or metric


def _result(
    dimension: str, group: str | None, metric: str, value: Any, ci: Any
) -> dict[str, Any] | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    interval = (
        [float(ci[0]), float(ci[1])] if isinstance(ci, list | tuple) and None not in ci else None
    )
    return {
        "dimension": dimension,
        "group": group,
        "metric": metric,
        "value": float(value),
        "ci": interval,
    }


def results_from_audit(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every per-group metric of GROUP_METRICS and every summary, dimension by dimension."""
    out: list[dict[str, Any]] = []
    for dim in result.get("dimensions", []):
        name = dim["name"]
        summaries = dim.get("summary", {})
        # In the glossary's order, whatever order the stored JSON kept (PostgreSQL's jsonb
        # reorders keys), so the same run always gives the same list.
        for summary in sorted(summaries, key=lambda k: (SUMMARY_ORDER.get(k, 99), k)):
            entry = summaries[summary]
            row = _result(name, None, summary, entry.get("value"), entry.get("ci"))
            if row:
                out.append(row)
        for group in dim.get("groups", []):
            for metric in GROUP_METRICS:
                raw = group["metrics"].get(metric)
                value, ci = (
                    (raw.get("value"), raw.get("ci")) if isinstance(raw, dict) else (raw, None)
                )
                row = _result(name, group["group"], metric, value, ci)
                if row:
                    out.append(row)
    return out


def from_audit(run_id: int, result: dict[str, Any], dataset: str = "") -> dict[str, Any]:
    """The card's analysis, marked as computed by Forethought from this run (``dataset``:
    the name people gave the audited file, when known)."""
    source = result.get("input") or {}
    return {
        "source": "audit",
        "run_id": run_id,
        "input_sha256": source.get("sha256") or "",
        "dataset": dataset or source.get("name") or "",
        "confidence": (result.get("config") or {}).get("confidence", 0.95),
        "results": results_from_audit(result),
    }


def tables(analysis: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per dimension: its summaries, and a table of groups × GROUP_METRICS, for pages."""
    if not analysis:
        return []
    dims: dict[str, dict[str, Any]] = {}
    for r in analysis.get("results", []):
        dim = dims.setdefault(r["dimension"], {"name": r["dimension"], "summary": [], "groups": {}})
        if r["group"] is None:
            dim["summary"].append({**r, "label": r.get("name") or label(r["metric"])})
        else:
            dim["groups"].setdefault(r["group"], {})[r["metric"]] = r
    metrics_seen: defaultdict[str, set[str]] = defaultdict(set)
    for dim in dims.values():
        for cells in dim["groups"].values():
            metrics_seen[dim["name"]].update(cells)
    out = []
    for dim in dims.values():
        columns = [m for m in GROUP_METRICS if m in metrics_seen[dim["name"]]]
        columns += sorted(metrics_seen[dim["name"]] - set(GROUP_METRICS))
        out.append(
            {
                "name": dim["name"],
                "summary": dim["summary"],
                "columns": [(m, label(m)) for m in columns],
                "rows": [
                    {"group": g, "cells": [cells.get(m) for m in columns]}
                    for g, cells in dim["groups"].items()
                ],
            }
        )
    return out


def markdown_table(analysis: dict[str, Any] | None) -> str:
    """The analysis as Markdown tables (for the Markdown and Hugging Face exports)."""
    if not analysis or not analysis.get("results"):
        return ""
    parts = []
    if analysis.get("run_id"):
        parts.append(
            f"From Forethought audit run #{analysis['run_id']} "
            f"(input SHA-256 `{analysis.get('input_sha256') or 'n/a'}`)."
        )
    for dim in tables(analysis):
        parts.append(f"**{_cell(dim['name'])}**")
        if dim["summary"]:
            lines = ["| Summary | Value | Interval |", "| --- | --- | --- |"]
            lines += [
                f"| {_cell(s['label'])} | {fmt(s['value'])} | {fmt_ci(s['ci'])} |"
                for s in dim["summary"]
            ]
            parts.append("\n".join(lines))
        if dim["rows"]:
            head = "| Group | " + " | ".join(_cell(lbl) for _m, lbl in dim["columns"]) + " |"
            lines = [head, "|" + " --- |" * (len(dim["columns"]) + 1)]
            for row in dim["rows"]:
                cells = [
                    f"{fmt(c['value'])} {fmt_ci(c['ci'])}".strip() if c else "—"
                    for c in row["cells"]
                ]
                lines.append(f"| {_cell(row['group'])} | " + " | ".join(cells) + " |")
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1 else f"{value:.3f}"


def fmt_ci(ci: list[float] | None) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""


_RUN_LINE = re.compile(r"audit run #(\d+) \(input SHA-256 `([0-9a-fA-F]*|n/a)`\)")
_DIMENSION = re.compile(r"^\*\*(.+)\*\*$")
_CELL = re.compile(r"^(-?[\d,]*\.?\d+)(?: \[(-?[\d.]+), (-?[\d.]+)\])?$")


def _cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.strip().replace("\\|", "|") for c in cells]


def _number(text: str) -> tuple[float, list[float] | None] | None:
    match = _CELL.match(text.strip())
    if match is None:
        return None
    ci = [float(match.group(2)), float(match.group(3))] if match.group(2) else None
    return float(match.group(1).replace(",", "")), ci


def parse_markdown_table(text: str) -> dict[str, Any] | None:
    """The analysis back from ``markdown_table`` (at the precision it shows)."""
    by_label = {v: k for k, v in {**SUMMARY_LABELS, **GROUP_METRICS}.items()}
    results: list[dict[str, Any]] = []
    run = _RUN_LINE.search(text)
    dimension, columns = "overall", []
    for line in text.splitlines():
        line = line.strip()
        if (m := _DIMENSION.match(line)) is not None:
            dimension = m.group(1).replace("\\|", "|")
            continue
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = _cells(line)
        if cells[0] in ("Summary", "Group"):
            columns = [by_label.get(c, c) for c in cells[1:]]
            summary = cells[0] == "Summary"
            continue
        if summary and len(cells) >= 2:
            parsed = _number(f"{cells[1]} {cells[2]}".strip() if len(cells) > 2 else cells[1])
            if parsed:
                metric = by_label.get(cells[0], cells[0])
                results.append(_row(dimension, None, metric, *parsed))
        elif not summary:
            for metric, cell in zip(columns, cells[1:], strict=False):
                parsed = _number(cell)
                if parsed:
                    results.append(_row(dimension, cells[0], metric, *parsed))
    if not results:
        return None
    return {
        "source": "imported",
        "format": "markdown",
        "run_id": int(run.group(1)) if run else None,
        "input_sha256": run.group(2).replace("n/a", "") if run else "",
        "results": results,
    }


def _row(
    dimension: str, group: str | None, metric: str, value: float, ci: list[float] | None
) -> dict[str, Any]:
    return {"dimension": dimension, "group": group, "metric": metric, "value": value, "ci": ci}
