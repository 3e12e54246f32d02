"""Hugging Face model cards: README.md with YAML front matter (``license``, ``tags``,
``datasets``, ``model-index``) over a Markdown body in the headings of Hugging Face's
template (huggingface_hub's modelcard_template.md; the metadata spec is hub-docs'
modelcard.md).

``model-index`` results carry the analysis: one result per dimension (``dataset.config``
names it, ``dataset.revision`` is the audit input's SHA-256, ``source.name`` the audit
run), one metric per number (``config`` names the group; absent for a summary) with its
interval in ``args.ci``.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

import yaml

from . import CardFormatError, Document
from . import analysis as analysis_mod
from .markdown_body import HF_LAYOUT, parse_body, write_body
from .positions import Loader, Path, check, compose, line_of, path_text

TASK = {"type": "tabular-classification", "name": "Tabular Classification"}
_RUN = re.compile(r"^Forethought audit run #(\d+)$")

METRIC = {"type": "string", "name": "string", "config": "string", "args": "object"}
SPEC: dict[str, Any] = {
    "license": "string",
    "tags": ["string"],
    "datasets": ["string"],
    "model-index": [
        {
            "name": "string",
            "results": [
                {
                    "task": {"type": "string", "name": "string"},
                    "dataset": {
                        "type": "string",
                        "name": "string",
                        "config": "string",
                        "split": "string",
                        "revision": "string",
                    },
                    "source": {"name": "string", "url": "string"},
                    "metrics": [METRIC],
                }
            ],
        }
    ],
}


def _results(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    by_dimension: dict[str, list[dict[str, Any]]] = {}
    for r in analysis.get("results", []):
        metric: dict[str, Any] = {
            "type": r["metric"],
            "value": r["value"],
            "name": r.get("name") or analysis_mod.label(r["metric"]),
        }
        if r["group"] is not None:
            metric["config"] = r["group"]
        if r["ci"]:
            metric["args"] = {"ci": list(r["ci"])}
        by_dimension.setdefault(r["dimension"], []).append(metric)
    out = []
    for dimension, metrics in by_dimension.items():
        name = analysis.get("dataset") or "Audit input"
        dataset = {"type": analysis.get("dataset_type") or "forethought-audit", "name": name}
        if dimension != name:  # a card imported without configs keeps none
            dataset["config"] = dimension
        if analysis.get("split"):
            dataset["split"] = analysis["split"]
        if analysis.get("input_sha256"):
            dataset["revision"] = analysis["input_sha256"]
        result: dict[str, Any] = {"task": dict(analysis.get("task") or TASK), "dataset": dataset}
        if analysis.get("run_id"):
            result["source"] = {"name": f"Forethought audit run #{analysis['run_id']}"}
        result["metrics"] = metrics
        out.append(result)
    return out


def write(document: Document) -> str:
    meta = document.get("metadata") or {}
    name = meta.get("name") or ""
    front: dict[str, Any] = {}
    if meta.get("license"):
        front["license"] = meta["license"]
    for key in ("tags", "datasets"):
        if meta.get(key):
            front[key] = list(meta[key])
    analysis = document.get("analysis")
    if analysis and analysis.get("results"):
        front["model-index"] = [{"name": name or "model", "results": _results(analysis)}]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    head = yaml.dump(front, Dumper=dumper, sort_keys=False, allow_unicode=True) if front else ""
    title = f"Model Card for {name}" if name else "Model Card"
    body = write_body(document, HF_LAYOUT, title)
    return f"---\n{head}---\n\n{body}" if head else body


def _split(text: str) -> tuple[str, str]:
    """(front matter YAML, body)."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if not text.startswith("---\n"):
        return "", text
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], flags=re.M)
    if end is None:
        raise CardFormatError("the front matter opened on line 1 is never closed", line=1)
    return text[4 : 4 + end.start()], text[4 + end.end() :]


def read(text: str) -> Document:
    front_text, body = _split(text)
    try:
        # Aliases could make a small file expand into a huge one ("billion laughs").
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(front_text, Loader=Loader)):
            raise CardFormatError("YAML aliases (*name) are not accepted", field="front matter")
        front = yaml.load(front_text, Loader=Loader) if front_text.strip() else {}  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise CardFormatError(problem, field="front matter", line=line) from None

    def fail(message: str, path: Path) -> NoReturn:
        # Positions are worked out only for an error (composing costs a second parse).
        line = line_of(compose(front_text), path, 1)
        raise CardFormatError(message, field=path_text(path), line=line)

    if not isinstance(front, dict):
        fail("the front matter must be a mapping of keys to values", ())
    check(front, SPEC, (), fail)
    title, sections, _block = parse_body(body)
    metadata: dict[str, Any] = {}
    name = title.removeprefix("Model Card for ").strip() if title != "Model Card" else ""
    index = front.get("model-index") or []
    if index and index[0].get("name") and not name:
        name = index[0]["name"]
    if name:
        metadata["name"] = name
    if front.get("license"):
        metadata["license"] = front["license"]
    for key in ("tags", "datasets"):
        if front.get(key):
            metadata[key] = list(front[key])
    analysis = _analysis(index, fail)
    return {"metadata": metadata, "sections": sections, "analysis": analysis}


def _analysis(index: list[dict[str, Any]], fail: Any) -> dict[str, Any] | None:
    results: list[dict[str, Any]] = []
    analysis: dict[str, Any] = {"source": "imported", "format": "huggingface"}
    for m, model in enumerate(index):
        for r, result in enumerate(model.get("results") or []):
            here: Path = ("model-index", m, "results", r)
            dataset = result.get("dataset") or {}
            if not result.get("task", {}).get("type"):
                fail("is required (task.type)", (*here, "task"))
            analysis.setdefault("task", result["task"])
            analysis.setdefault("dataset", dataset.get("name") or "")
            analysis.setdefault("dataset_type", dataset.get("type") or "")
            analysis.setdefault("split", dataset.get("split") or "")
            analysis.setdefault("input_sha256", dataset.get("revision") or "")
            run = _RUN.match((result.get("source") or {}).get("name") or "")
            if run:
                analysis.setdefault("run_id", int(run.group(1)))
            dimension = dataset.get("config") or dataset.get("name") or "overall"
            for i, metric in enumerate(result.get("metrics") or []):
                at: Path = (*here, "metrics", i)
                if not metric.get("type"):
                    fail("is required (metrics need a type)", (*at, "type"))
                value = metric.get("value")
                if isinstance(value, str):
                    try:
                        value = float(value)
                    except ValueError:
                        fail("must be a number", (*at, "value"))
                if not isinstance(value, int | float) or isinstance(value, bool):
                    fail("must be a number", (*at, "value"))
                ci = (metric.get("args") or {}).get("ci")
                if ci is not None and not (
                    isinstance(ci, list)
                    and len(ci) == 2
                    and all(isinstance(x, int | float) and not isinstance(x, bool) for x in ci)
                ):
                    fail("must be a list of two numbers", (*at, "args", "ci"))
                row = {
                    "dimension": str(dimension),
                    "group": metric.get("config"),
                    "metric": metric["type"],
                    "value": float(value),
                    "ci": [float(ci[0]), float(ci[1])] if ci else None,
                }
                if metric.get("name") and metric["name"] != analysis_mod.label(metric["type"]):
                    row["name"] = metric["name"]  # a label of the card's own
                results.append(row)
    if not results:
        return None
    analysis.setdefault("run_id", None)
    analysis["results"] = results
    return analysis
