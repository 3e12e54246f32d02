"""Plain-text rendering of an audit result (the CLI's --format table). No Django."""

from __future__ import annotations

from typing import Any


def _f(value: object, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return out


def render_table(result: dict[str, Any]) -> str:
    inp = result.get("input") or {}
    lines = [
        f"Forethought audit ({result['schema']}) of {inp.get('name', '?')}: "
        f"{result['rows']} rows, {result['mode']} mode, positive is {result['positive_is']}",
    ]
    if inp.get("sha256"):
        lines.append(f"sha256 {inp['sha256']}")
    for dim in result["dimensions"]:
        lines += [
            "",
            f"== {dim['name']} (reference: {dim['reference']}, {dim['reference_source']})",
        ]
        rows = []
        for g in dim["groups"]:
            met = g["metrics"]
            ci = met["selection_rate"]["ci"]
            rows.append(
                [
                    g["group"],
                    str(g["rows"]),
                    _f(met["share"]),
                    _f(met["selection_rate"]["value"]),
                    f"[{_f(ci[0])}, {_f(ci[1])}]",
                    _f(met["tpr"]["value"]),
                    _f(met["fpr"]["value"]),
                    _f(met["ppv"]["value"]),
                    _f(met["accuracy"]["value"]),
                ]
            )
        lines += _table(
            ["group", "rows", "share", "sel.rate", "95% CI", "TPR", "FPR", "PPV", "accuracy"], rows
        )
        lines.append("")
        rows = []
        for name, s in dim["summary"].items():
            ci = s.get("ci") or [None, None]
            rows.append([name, _f(s["value"]), f"[{_f(ci[0])}, {_f(ci[1])}]", s.get("group") or ""])
        lines += _table(["summary metric", "value", "CI", "group"], rows)
        imp = dim["impact_ratios"]
        lines.append("")
        lines.append(
            f"Impact ratios ({imp['rate']}); four-fifths rule: {imp['four_fifths'] or 'n/a'}"
        )
        lines += _table(
            ["category", "share", "rate", "impact ratio", "note"],
            [
                [
                    r["category"],
                    _f(r["share"]),
                    _f(r["rate"]),
                    _f(r["impact_ratio"]),
                    "under 2%" if r["small"] else "",
                ]
                for r in imp["rows"]
            ],
        )
    if result["warnings"]:
        lines += ["", "Warnings:"]
        lines += [f"- {w['message']}" for w in result["warnings"]]
    return "\n".join(lines) + "\n"
