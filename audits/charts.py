"""SVG charts of audit results with matplotlib's object API (no pyplot, thread-safe).
Pure: plain data in, SVG text out, so the dossier can reuse them."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # keep text as text: smaller, selectable, screen-reader friendly
        "svg.hashsalt": "forethought",  # stable element ids
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
BLUE, GREY, RED = "#0b5cad", "#8c959f", "#b42318"


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


def group_rates_svg(dimension: dict, metric: str = "selection_rate") -> str:
    """Per-group rate with its Wilson interval as error bars; the reference in grey."""
    groups = [g for g in dimension["groups"] if g["metrics"][metric]["value"] is not None]
    labels = [g["group"] for g in groups]
    values = [g["metrics"][metric]["value"] for g in groups]
    lows = [v - (g["metrics"][metric]["ci"][0] or v) for v, g in zip(values, groups, strict=True)]
    highs = [(g["metrics"][metric]["ci"][1] or v) - v for v, g in zip(values, groups, strict=True)]
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
    ax.set_xlabel(f"{metric.replace('_', ' ')} (bars: 95% Wilson interval; grey: reference)")
    title = f"{metric.replace('_', ' ')} by {dimension['name']}"
    ax.set_title(title, loc="left")
    return _svg(fig, title)


def impact_ratio_svg(dimension: dict) -> str:
    """Impact ratio per category with the four-fifths (0.8) line."""
    rows = [r for r in dimension["impact_ratios"]["rows"] if r["impact_ratio"] is not None]
    fig = Figure(figsize=(6.4, 0.35 * len(rows) + 1.0))
    ax = fig.add_subplot()
    colors = [RED if r["impact_ratio"] < 0.8 else (GREY if r["small"] else BLUE) for r in rows]
    ax.barh(range(len(rows)), [r["impact_ratio"] for r in rows], color=colors)
    ax.axvline(0.8, color=RED, linestyle="--", linewidth=1)
    ax.text(0.8, -0.7, " 0.8", color=RED, va="bottom")
    ax.set_yticks(range(len(rows)), [r["category"] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.set_xlabel(
        f"impact ratio ({dimension['impact_ratios']['rate'].replace('_', ' ')} ÷ "
        "highest); red: below four-fifths"
    )
    title = f"Impact ratios by {dimension['name']}"
    ax.set_title(title, loc="left")
    return _svg(fig, title)


def trend_svg(
    metric: str,
    points: list[tuple[str, float | None, float | None, float | None]],
    threshold: float | None = None,
) -> str:
    """A summary metric across runs: (label, value, ci_low, ci_high) in time order."""
    fig = Figure(figsize=(6.4, 2.4))
    ax = fig.add_subplot()
    xs = [i for i, p in enumerate(points) if p[1] is not None]
    ys = [value for _, value, _, _ in points if value is not None]
    ax.plot(xs, ys, marker="o", color=BLUE)
    for i in xs:
        low, high = points[i][2], points[i][3]
        if low is not None and high is not None:
            ax.vlines(i, low, high, color=BLUE, alpha=0.4)
    if threshold is not None:
        ax.axhline(threshold, color=RED, linestyle="--", linewidth=1)
    ax.set_xticks(range(len(points)), [p[0] for p in points], rotation=30, ha="right")
    title = metric.replace("_", " ")
    ax.set_title(title, loc="left")
    return _svg(fig, f"{title} across audit runs")
