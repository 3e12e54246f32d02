"""A control chart per watched gate, as SVG text. Pure: plain data in, SVG out; every
string is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

W, H = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 30
COLORS = {"ok": "#1a7f37", "watch": "#b35900", "breach": "#b42318"}


@dataclass(frozen=True)
class Point:
    label: str  # the batch's date
    batch_value: float | None
    value: float | None
    low: float | None
    high: float | None
    state: str
    incident: bool = False


def control_chart(points: list[Point], threshold: float, title: str) -> str:
    n = len(points)
    values = [
        v for p in points for v in (p.batch_value, p.value, p.low, p.high) if v is not None
    ] + [threshold]
    lo, hi = min(values + [0.0]), max(values + [1.0])
    span = (hi - lo) or 1.0

    def x(i: int) -> float:
        return LEFT + (W - LEFT - RIGHT) * (i + 0.5) / max(n, 1)

    def y(v: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (v - lo) / span)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'class="control-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in (lo, (lo + hi) / 2, hi):
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#eaeef2"/><text x="{LEFT - 6}" y="{y(tick) + 3:.1f}" '
            f'text-anchor="end" font-size="10">{tick:.2f}</text>'
        )
    band = [
        (i, p.low, p.high) for i, p in enumerate(points) if p.low is not None and p.high is not None
    ]
    if band:
        top = " ".join(f"{x(i):.1f},{y(high):.1f}" for i, _low, high in band)
        bottom = " ".join(f"{x(i):.1f},{y(low):.1f}" for i, low, _high in reversed(band))
        out.append(f'<polygon points="{top} {bottom}" fill="#0b5cad" fill-opacity="0.12"/>')
    out.append(
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
        f'stroke="#b42318" stroke-dasharray="5 3"/><text x="{W - RIGHT}" '
        f'y="{y(threshold) - 4:.1f}" text-anchor="end" font-size="10" fill="#b42318">'
        f"threshold {threshold:g}</text>"
    )
    line = [(i, p.value) for i, p in enumerate(points) if p.value is not None]
    if line:
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in line)
        out.append(f'<polyline points="{pts}" fill="none" stroke="#0b5cad" stroke-width="2"/>')
    for i, p in enumerate(points):
        tip = escape(f"{p.label}: {p.state}")
        if p.batch_value is not None:
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(p.batch_value):.1f}" r="2.5" fill="#8c959f">'
                f"<title>{tip}; batch alone {p.batch_value:.3f}</title></circle>"
            )
        if p.state != "ok" and p.value is not None:
            shape = "rect" if p.state == "breach" else "circle"
            attrs = (
                f'x="{x(i) - 4:.1f}" y="{y(p.value) - 4:.1f}" width="8" height="8"'
                if shape == "rect"
                else f'cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="4.5"'
            )
            out.append(
                f'<{shape} {attrs} fill="{COLORS[p.state]}" data-state="{p.state}">'
                f"<title>{tip}</title></{shape}>"
            )
        if p.incident:
            out.append(
                f'<text x="{x(i):.1f}" y="{TOP + 8}" text-anchor="middle" font-size="12" '
                f'fill="#b42318" data-incident="1">▲<title>{escape(p.label)}: incident '
                "opened</title></text>"
            )
    step = max(1, n // 8)
    for i in range(0, n, step):
        out.append(
            f'<text x="{x(i):.1f}" y="{H - 10}" text-anchor="middle" font-size="10">'
            f"{escape(points[i].label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)
