"""SVG charts of audit results with matplotlib's object API (no pyplot, thread-safe).
Pure: plain data in, SVG text out, so the dossier can reuse them.

Every string from the data (group labels, feature and metric names, run labels) is drawn as
plain text: matplotlib would otherwise parse text between two "$" as mathtext, and raise on
an unknown command or recurse on deeply nested braces."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from .trend import TrendPoint  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # keep text as text: smaller, selectable, screen-reader friendly
        "svg.hashsalt": "forethought",  # stable element ids
        "text.usetex": False,  # never hand user text to LaTeX
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
BLUE, GREY, RED = "#0b5cad", "#8c959f", "#b42318"
MAX_BARS = 40


def _plain(text: object) -> str:
    """Text matplotlib draws as it is: an escaped "\\$" is a literal dollar sign, and text
    with no unescaped "$" is never parsed as mathtext."""
    return str(text).replace("$", r"\$")


def _error_bars(value: float, ci: list[float | None] | None) -> tuple[float, float]:
    """Lengths below and above the estimate, never negative: a bound on the wrong side of
    the estimate by rounding (a lower bound of 3.5e-18 over an estimate of 0) draws as 0."""
    low = ci[0] if ci and ci[0] is not None else value
    high = ci[1] if ci and ci[1] is not None else value
    return max(0.0, value - low), max(0.0, high - value)


def _largest(
    items: list[dict[str, Any]], size: str, keep: object, key: str
) -> tuple[list[dict[str, Any]], str]:
    """At most MAX_BARS items: the largest by ``size``, and the one whose ``key`` is
    ``keep`` (the reference, the lowest ratio), in their order; and a note when some are
    left out. Drawing 10,000 bars would take minutes and megabytes; the tables list all."""
    if len(items) <= MAX_BARS:
        return items, ""
    by_size = sorted(range(len(items)), key=lambda i: -(items[i].get(size) or 0))
    chosen = set(by_size[: MAX_BARS - 1])
    chosen.update(i for i, item in enumerate(items) if item.get(key) == keep)
    while len(chosen) > MAX_BARS:
        chosen.discard(next(i for i in reversed(by_size) if i in chosen))
    shown = [items[i] for i in sorted(chosen)]
    return shown, f"; the {len(shown)} largest of {len(items):,} shown"


def _svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # Accessible name for the whole chart.
    from xml.sax.saxutils import escape

    return text.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" ', 1
    )


def group_rates_svg(dimension: dict[str, Any], metric: str = "selection_rate") -> str:
    """Per-group rate with its Wilson interval as error bars; the reference in grey."""
    groups = [g for g in dimension["groups"] if g["metrics"][metric]["value"] is not None]
    groups, note = _largest(groups, "rows", dimension["reference"], "group")
    labels = [_plain(g["group"]) for g in groups]
    values = [g["metrics"][metric]["value"] for g in groups]
    bars = [
        _error_bars(v, g["metrics"][metric].get("ci")) for v, g in zip(values, groups, strict=True)
    ]
    lows = [low for low, _ in bars]
    highs = [high for _, high in bars]
    fig = Figure(figsize=(6.4, 0.35 * len(groups) + 1.0))
    ax = fig.add_subplot()
    colors = [GREY if g["group"] == dimension["reference"] else BLUE for g in groups]
    ax.barh(
        range(len(groups)),
        values,
        xerr=[lows, highs],
        color=colors,
        capsize=3,
        error_kw={"elinewidth": 1},
    )
    ax.set_yticks(range(len(groups)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(
        _plain(f"{metric.replace('_', ' ')} (bars: 95% Wilson interval; grey: reference{note})")
    )
    title = f"{metric.replace('_', ' ')} by {dimension['name']}"
    ax.set_title(_plain(title), loc="left")
    return _svg(fig, title)


def impact_ratio_svg(dimension: dict[str, Any]) -> str:
    """Impact ratio per category with the four-fifths (0.8) line."""
    rows = [r for r in dimension["impact_ratios"]["rows"] if r["impact_ratio"] is not None]
    lowest = dimension["impact_ratios"].get("min_group")
    rows, note = _largest(rows, "n", lowest, "category")
    fig = Figure(figsize=(6.4, 0.35 * len(rows) + 1.0))
    ax = fig.add_subplot()
    colors = [RED if r["impact_ratio"] < 0.8 else (GREY if r["small"] else BLUE) for r in rows]
    ax.barh(range(len(rows)), [r["impact_ratio"] for r in rows], color=colors)
    ax.axvline(0.8, color=RED, linestyle="--", linewidth=1)
    ax.text(0.8, -0.7, " 0.8", color=RED, va="bottom")
    ax.set_yticks(range(len(rows)), [_plain(r["category"]) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.set_xlabel(
        _plain(
            f"impact ratio ({dimension['impact_ratios']['rate'].replace('_', ' ')} ÷ "
            f"highest); red: below four-fifths{note}"
        )
    )
    title = f"Impact ratios by {dimension['name']}"
    ax.set_title(_plain(title), loc="left")
    return _svg(fig, title)


MAX_TICKS = 16


def tick_positions(n: int, most: int = MAX_TICKS) -> list[int]:
    """At most ``most`` evenly spread positions of ``n`` points, the last one included:
    a thousand run labels would be an unreadable black band (and slow to lay out)."""
    if n <= most:
        return list(range(n))
    step = -(-n // most)  # ceiling division
    picks = list(range(0, n, step))
    if picks[-1] != n - 1:
        if n - 1 - picks[-1] < step / 2:
            picks[-1] = n - 1
        else:
            picks.append(n - 1)
    return picks


def trend_svg(title: str, points: list[TrendPoint], threshold: float | None = None) -> str:
    """A summary metric (``title``, its label) across runs in time order. A run that did
    not audit the dimension, or where the metric is undefined, breaks the line. At most
    MAX_TICKS runs are labelled."""
    fig = Figure(figsize=(6.4, 2.4))
    ax = fig.add_subplot()
    values = [p.value if p.value is not None else float("nan") for p in points]
    many = len(points) > 60
    ax.plot(range(len(points)), values, marker="" if many else "o", color=BLUE)
    spans = [
        (i, p.low, p.high)
        for i, p in enumerate(points)
        if p.value is not None and p.low is not None and p.high is not None
    ]
    if spans:
        xs, lows, highs = zip(*spans, strict=True)
        ax.vlines(xs, lows, highs, color=BLUE, alpha=0.4)
    if threshold is not None:
        ax.axhline(threshold, color=RED, linestyle="--", linewidth=1)
    picks = tick_positions(len(points))
    ticks = [
        _plain(points[i].label if points[i].audited else f"{points[i].label} (not audited)")
        for i in picks
    ]
    ax.set_xticks(picks, ticks, rotation=30, ha="right")
    note = f" ({len(points):,} runs; {len(picks)} labelled)" if len(picks) < len(points) else ""
    ax.set_title(_plain(title + note), loc="left")
    return _svg(fig, f"{title} across audit runs")
