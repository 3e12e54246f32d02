"""A 5×5 severity × likelihood risk matrix as a standalone SVG string.

Pure Python (no Django) so the same SVG serves the register page and the PDF dossier.
Every piece of user text is XML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

CELL = 64
LEFT = 96
TOP = 24
BOTTOM = 56


def _fill(risk: int) -> str:
    # Green → amber → red by risk score; thresholds follow common 5×5 matrices.
    if risk >= 15:
        return "#f4b4ae"
    if risk >= 8:
        return "#fde2a7"
    if risk >= 4:
        return "#fff3c4"
    return "#d8f0dc"


def risk_matrix_svg(
    cells: Mapping[tuple[int, int], Sequence[tuple[int, str]]],
    link: Callable[[int, int], str] | None = None,
    title: str = "Risk matrix: severity by likelihood",
) -> str:
    """``cells`` maps (severity, likelihood) to the (id, title) of the harms in that cell."""
    width = LEFT + 5 * CELL + 8
    height = TOP + 5 * CELL + BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="rm-title" '
        f'class="risk-matrix" font-family="sans-serif" font-size="12">',
        f'<title id="rm-title">{escape(title)}</title>',
    ]
    for severity in range(1, 6):
        for likelihood in range(1, 6):
            x = LEFT + (likelihood - 1) * CELL
            y = TOP + (5 - severity) * CELL
            harms = list(cells.get((severity, likelihood), ()))
            names = "; ".join(title for _id, title in harms)
            label = f"Severity {severity}, likelihood {likelihood}: {len(harms)} harm(s)" + (
                f": {names}" if names else ""
            )
            rect = (
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                f'fill="{_fill(severity * likelihood)}" stroke="#ffffff" stroke-width="2"/>'
            )
            count = (
                f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 6}" text-anchor="middle" '
                f'font-size="18" font-weight="bold">{len(harms)}</text>'
                if harms
                else ""
            )
            group = f"<title>{escape(label)}</title>{rect}{count}"
            if harms and link is not None:
                out.append(
                    f"<a href={quoteattr(link(severity, likelihood))} "
                    f'data-cell="{severity}-{likelihood}" data-count="{len(harms)}">'
                    f"{group}</a>"
                )
            else:
                out.append(
                    f'<g data-cell="{severity}-{likelihood}" data-count="{len(harms)}">{group}</g>'
                )
    for i in range(1, 6):
        out.append(
            f'<text x="{LEFT - 10}" y="{TOP + (5 - i) * CELL + CELL / 2 + 4}" '
            f'text-anchor="end">{i}</text>'
        )
        out.append(
            f'<text x="{LEFT + (i - 1) * CELL + CELL / 2}" y="{TOP + 5 * CELL + 18}" '
            f'text-anchor="middle">{i}</text>'
        )
    out.append(
        f'<text x="{LEFT + 2.5 * CELL}" y="{TOP + 5 * CELL + 44}" text-anchor="middle">'
        "Likelihood →</text>"
    )
    out.append(
        f'<text x="16" y="{TOP + 2.5 * CELL}" text-anchor="middle" '
        f'transform="rotate(-90 16 {TOP + 2.5 * CELL})">Severity →</text>'
    )
    out.append("</svg>")
    return "".join(out)
