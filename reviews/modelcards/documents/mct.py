"""Google's Model Card Toolkit JSON, schema v0.0.2 (tensorflow/model-card-toolkit,
model_card_toolkit/schema/v0.0.2/model_card.schema.json), checked by hand against the field
names and types of that schema.

v0.0.2 performance metrics carry ``type``, ``value`` and ``slice`` only: a group's number
is sliced ``dimension=group``, a dimension's summary ``dimension``, and an interval travels
as two more metrics, ``<type>_ci_lower`` and ``<type>_ci_upper``, on the same slice.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, NoReturn

from . import CardFormatError, Document
from .positions import Path, check, compose, line_of, path_text

SCHEMA_VERSION = "0.0.2"
_DESC = [{"description": "string"}]
SPEC: dict[str, Any] = {
    "schema_version": "string",
    "model_details": {
        "name": "string",
        "overview": "string",
        "documentation": "string",
        "owners": [{"name": "string", "contact": "string"}],
        "version": {"name": "string", "date": "string", "diff": "string"},
        "licenses": [{"identifier": "string", "custom_text": "string"}],
        "references": [{"reference": "string"}],
        "citations": [{"style": "string", "citation": "string"}],
    },
    "model_parameters": {
        "model_architecture": "string",
        "data": [{"name": "string", "link": "string", "description": "string"}],
        "input_format": "string",
        "output_format": "string",
    },
    "quantitative_analysis": {
        "performance_metrics": [{"type": "string", "value": "number", "slice": "string"}],
        "graphics": "object",
    },
    "considerations": {
        "users": _DESC,
        "use_cases": _DESC,
        "limitations": _DESC,
        "tradeoffs": _DESC,
        "ethical_considerations": [{"name": "string", "mitigation_strategy": "string"}],
    },
}
TRAINING, EVALUATION = "Training data", "Evaluation data"
LOWER, UPPER = "_ci_lower", "_ci_upper"


def _metrics(analysis: dict[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in (analysis or {}).get("results", []):
        where = r["dimension"] if r["group"] is None else f"{r['dimension']}={r['group']}"
        out.append({"type": r["metric"], "value": r["value"], "slice": where})
        if r["ci"]:
            out.append({"type": r["metric"] + LOWER, "value": r["ci"][0], "slice": where})
            out.append({"type": r["metric"] + UPPER, "value": r["ci"][1], "slice": where})
    return out


def write(document: Document) -> str:
    meta = document.get("metadata") or {}
    sections = document.get("sections") or {}
    details: dict[str, Any] = {"name": meta.get("name") or ""}
    if sections.get("model_details"):
        details["overview"] = sections["model_details"]
    if meta.get("owners"):
        details["owners"] = [{"name": o} for o in meta["owners"]]
    if meta.get("version"):
        details["version"] = {"name": meta["version"]}
    if meta.get("license"):
        details["licenses"] = [{"identifier": meta["license"]}]
    if meta.get("references"):
        details["references"] = [{"reference": r} for r in meta["references"]]
    card: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "model_details": details}
    data = [
        {"name": name, "description": sections[key]}
        for name, key in ((TRAINING, "training_data"), (EVALUATION, "evaluation_data"))
        if sections.get(key)
    ]
    if data:
        card["model_parameters"] = {"data": data}
    metrics = _metrics(document.get("analysis"))
    if metrics:
        card["quantitative_analysis"] = {"performance_metrics": metrics}
    considerations: dict[str, Any] = {}
    for field, key in (
        ("users", "intended_users"),
        ("use_cases", "intended_use"),
        ("limitations", "caveats_recommendations"),
    ):
        if sections.get(key):
            considerations[field] = [{"description": sections[key]}]
    if sections.get("ethical_considerations"):
        considerations["ethical_considerations"] = [{"name": sections["ethical_considerations"]}]
    if considerations:
        card["considerations"] = considerations
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def _join(items: list[dict[str, Any]], field: str) -> str:
    return "\n\n".join(i[field].strip() for i in items if (i.get(field) or "").strip())


def read(text: str) -> Document:
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CardFormatError(exc.msg, field="(JSON)", line=exc.lineno) from None

    def fail(message: str, path: Path) -> NoReturn:
        # Positions are worked out only for an error (composing costs a second parse).
        raise CardFormatError(message, field=path_text(path), line=line_of(compose(text), path))

    if not isinstance(card, dict):
        fail("a model card is a JSON object", ())
    for key in card:
        if key not in SPEC:
            fail("is not a field of the Model Card Toolkit schema 0.0.2", (key,))
    check(card, SPEC, (), fail)
    details = card.get("model_details") or {}
    for i, lic in enumerate(details.get("licenses") or []):
        if not lic.get("identifier") and not lic.get("custom_text"):
            fail("needs an identifier or a custom_text", ("model_details", "licenses", i))
    date = (details.get("version") or {}).get("date")
    if date:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            fail("must be a date (YYYY-MM-DD)", ("model_details", "version", "date"))
    metadata: dict[str, Any] = {}
    if details.get("name"):
        metadata["name"] = details["name"]
    if (details.get("version") or {}).get("name"):
        metadata["version"] = details["version"]["name"]
    licenses = [
        lic.get("identifier") or lic.get("custom_text") for lic in details.get("licenses") or []
    ]
    if licenses:
        metadata["license"] = ", ".join(licenses)
    owners = [o["name"] for o in details.get("owners") or [] if o.get("name")]
    if owners:
        metadata["owners"] = owners
    refs = [r["reference"] for r in details.get("references") or [] if r.get("reference")]
    if refs:
        metadata["references"] = refs
    sections: dict[str, str] = {}
    sections["model_details"] = "\n\n".join(
        t for t in (details.get("overview"), details.get("documentation")) if t
    )
    train: list[str] = []
    evaluation: list[str] = []
    for d in (card.get("model_parameters") or {}).get("data") or []:
        name, text = d.get("name") or "", d.get("description") or ""
        target = train if "train" in name.lower() else evaluation
        if name in (TRAINING, EVALUATION) or not name:
            target.append(text)
        else:
            target.append(f"**{name}**" + (f": {text}" if text else ""))
    sections["training_data"] = "\n\n".join(train)
    sections["evaluation_data"] = "\n\n".join(evaluation)
    considerations = card.get("considerations") or {}
    sections["intended_users"] = _join(considerations.get("users") or [], "description")
    sections["intended_use"] = _join(considerations.get("use_cases") or [], "description")
    sections["caveats_recommendations"] = "\n\n".join(
        t
        for t in (
            _join(considerations.get("limitations") or [], "description"),
            _join(considerations.get("tradeoffs") or [], "description"),
        )
        if t
    )
    risks = considerations.get("ethical_considerations") or []
    if len(risks) == 1 and not risks[0].get("mitigation_strategy"):
        sections["ethical_considerations"] = (risks[0].get("name") or "").strip()
    else:
        sections["ethical_considerations"] = "\n".join(
            f"- **{r.get('name') or 'Risk'}**"
            + (f" — mitigation: {r['mitigation_strategy']}" if r.get("mitigation_strategy") else "")
            for r in risks
        )
    metrics = (card.get("quantitative_analysis") or {}).get("performance_metrics") or []
    return {
        "metadata": metadata,
        "sections": {k: v.strip() for k, v in sections.items() if v.strip()},
        "analysis": _analysis(metrics),
    }


def _analysis(metrics: list[dict[str, Any]]) -> dict[str, Any] | None:
    results: list[dict[str, Any]] = []
    index: dict[tuple[str, str], dict[str, Any]] = {}
    bounds: list[tuple[str, str, int, float]] = []
    for m in metrics:
        kind, where = m.get("type") or "metric", m.get("slice") or "overall"
        for suffix, side in ((LOWER, 0), (UPPER, 1)):
            if kind.endswith(suffix) and (kind[: -len(suffix)], where) in index:
                bounds.append((kind[: -len(suffix)], where, side, float(m["value"])))
                break
        else:
            dimension, _, group = where.partition("=")
            row = {
                "dimension": dimension,
                "group": group if "=" in where else None,
                "metric": kind,
                "value": float(m["value"]),
                "ci": None,
            }
            index[(kind, where)] = row
            results.append(row)
    for kind, where, side, value in bounds:
        row = index[(kind, where)]
        ci = row["ci"] or [value, value]
        ci[side] = value
        row["ci"] = ci
    if not results:
        return None
    return {"source": "imported", "format": "mct", "run_id": None, "results": results}
