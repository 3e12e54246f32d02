"""Dossier data → HTML (Django templates, SVG charts) → PDF/A-3b (pdf.py).

Pure apart from the template engine: it reads nothing from the database, so the same data
renders the same PDF, byte for byte (the dates come from the data's pinned state, the PDF
identifier from the JSON's hash)."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Callable
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string

from audits import charts
from reviews.harms.matrix import risk_matrix_svg

from . import pdf
from .pdf.fetcher import SafeURLFetcher

# (audit run id, index of the dimension in its result, "rates" or "impact") → SVG text
Chart = Callable[[int, int, str], str]


def canonical_json(data: dict[str, Any]) -> bytes:
    """dossier.json as bytes: sorted keys, no NaN, UTF-8, so one state is one byte string."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False)
    return (text + "\n").encode()


def _matrix(harm_section: dict[str, Any]) -> str:
    titles = {h["ref"]: h["title"] for h in harm_section["harms"]}
    cells = {}
    for key, refs in harm_section["matrix"].items():
        severity, likelihood = (int(x) for x in key.split("-"))
        cells[(severity, likelihood)] = [(0, f"{ref} {titles[ref]}") for ref in refs]
    return risk_matrix_svg(cells, title="Risk matrix: median severity by median likelihood")


def _chart_dimension(dim: dict[str, Any]) -> dict[str, Any]:
    """A dimension of dossier data in the shape audits/charts.py draws."""
    return {
        "name": dim["name"],
        "reference": dim["reference"],
        "groups": [
            {
                "group": g["group"],
                "rows": g["rows"],
                "metrics": {"selection_rate": g["selection_rate"]},
            }
            for g in dim["groups"]
        ],
        "impact_ratios": {
            "rate": dim["impact_ratios"]["rate"] or "selection_rate",
            "min_group": dim["impact_ratios"]["min_group"],
            "rows": dim["impact_ratios"]["rows"],
        },
    }


def _draw(dimension: dict[str, Any], kind: str) -> str:
    return (charts.group_rates_svg if kind == "rates" else charts.impact_ratio_svg)(dimension)


def as_image(svg: str, alt: str) -> str:
    """An SVG as an <img> with a data: URI: each drawing keeps its own ids and styles
    (matplotlib's repeat from one chart to the next) and loads through the safe fetcher."""
    if not svg:
        return ""
    encoded = base64.b64encode(svg.encode()).decode()
    return (
        f'<img src="data:image/svg+xml;base64,{encoded}" alt="{escape(alt, {chr(34): "&quot;"})}">'
    )


def figures(data: dict[str, Any], chart: Chart | None = None) -> dict[str, Any]:
    """The SVGs of the dossier: the risk matrix and each audit dimension's charts (keyed
    run id → dimension name), each from ``chart(run id, dimension index, kind)`` when
    given (the run's stored drawing), otherwise drawn from the data."""
    out: dict[str, Any] = {"matrix": "", "charts": {}}
    sections = {s["key"]: s["data"] for s in data["sections"]}
    if "harms" in sections:
        out["matrix"] = as_image(_matrix(sections["harms"]), "Risk matrix")
    for run in (sections.get("audits") or {}).get("runs", []):
        for i, dim in enumerate(run["dimensions"]):
            shaped = _chart_dimension(dim)
            draw = partial(chart, run["run"], i) if chart else partial(_draw, shaped)
            rates = draw("rates") if shaped["groups"] else ""
            has_ratios = any(r["impact_ratio"] is not None for r in dim["impact_ratios"]["rows"])
            impact = draw("impact") if has_ratios else ""
            rates = as_image(rates, f"Selection rate by {dim['name']}")
            impact = as_image(impact, f"Impact ratios by {dim['name']}")
            out["charts"][f"{run['run']}:{dim['name']}"] = {"rates": rates, "impact": impact}
    return out


def to_html(data: dict[str, Any], chart: Chart | None = None) -> str:
    """The dossier as one HTML document (print CSS from the app's static files)."""
    shown = {s["key"] for s in data["sections"]}
    return render_to_string(
        "dossiers/pdf/dossier.html",
        {
            "d": data,
            "sections": data["sections"],
            "s": {s["key"]: s["data"] for s in data["sections"]},
            "toc": [s for s in data["sections"] if s.get("in_toc", True)],
            "shown": shown,
            "fig": figures(data, chart),
        },
    )


def state_time(data: dict[str, Any]) -> datetime.datetime:
    return datetime.datetime.fromisoformat(data["state"]["at"]).astimezone(datetime.UTC)


def to_pdf(
    data: dict[str, Any],
    html: str | None = None,
    progress: pdf.Progress | None = None,
    fetcher: SafeURLFetcher | None = None,
) -> tuple[bytes, int]:
    """(PDF/A-3b bytes with dossier.json attached as its data, number of pages)."""
    return pdf.write(
        html if html is not None else to_html(data),
        canonical_json(data),
        state_time(data),
        progress=progress,
        fetcher=fetcher,
    )
