"""``forethought-audit``: the audit in an ML pipeline, with no Django and no database.

The options of ``run_audit`` plus ``--gates gates.yaml`` (launch gates the result must
meet), ``--format json|markdown|junit|table`` and ``--push URL --token T`` (send the
batch's counts, never its rows, to a monitor's batches endpoint). Exit status: 0 every
blocking gate passed, 1 a blocking gate failed, 2 bad input (with a message). Heavy
libraries (numpy, pyarrow) are imported only once the options are read; scipy only if
Fisher's exact test is needed. See docs/monitoring.md, "The audit CLI in CI".
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from .cli import add_options, config_of
from .errors import AuditInputError
from .gates import GateOutcome, GateSpec

if TYPE_CHECKING:
    from .config import AuditConfig
    from .counts import Counts

PASS, FAIL = 0, 1
BAD_INPUT = 2
# Score bins per --push with a score column: fine enough for AUC and calibration, coarse
# enough that groups × labels × bins stay under a monitor's MONITOR_MAX_COUNT_ROWS.
PUSH_SCORE_BINS = 100
MAX_PUSH_SCORE_BINS = 4096  # a monitor's default score_bins


def load_gates(path: Path) -> list[tuple[GateSpec, bool, str]]:
    """(rule, blocking, action) per gate of a YAML or JSON file: ``gates: [{metric,
    comparator, threshold, sensitive_feature?, action?, blocking?}]``."""
    if not path.is_file():
        raise AuditInputError(f"No such gates file: {path}", field="gates")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # yaml.YAMLError, json.JSONDecodeError
        raise AuditInputError(f"{path.name} is not valid YAML/JSON: {exc}", field="gates") from None
    items = data.get("gates") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise AuditInputError(f"{path.name} lists no gates (a `gates:` list).", field="gates")
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise AuditInputError(f"Gate {i} is not a mapping.", field="gates")
        unknown = set(item) - {
            "metric",
            "comparator",
            "threshold",
            "sensitive_feature",
            "action",
            "blocking",
            "description",
        }
        if unknown:
            raise AuditInputError(f"Gate {i}: unknown key(s) {', '.join(sorted(unknown))}.")
        threshold = item.get("threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise AuditInputError(f"Gate {i}: threshold is a number.", field="gates")
        try:
            spec = GateSpec(
                str(item.get("metric", "")),
                str(item.get("comparator", "")),
                float(threshold),
                str(item.get("sensitive_feature") or ""),
            )
        except AuditInputError as exc:
            raise AuditInputError(f"Gate {i}: {exc.message}", field="gates") from None
        out.append((spec, bool(item.get("blocking", True)), str(item.get("action", "block"))))
    return out


def to_markdown(result: dict[str, Any], judged: list[dict[str, Any]]) -> str:
    lines = [f"# Fairness audit: {result['input']['name']}", ""]
    lines.append(f"{result['rows']:,} rows; mode {result['mode']}.")
    if judged:
        lines += ["", "| Gate | Verdict | Value | Blocking |", "|---|---|---|---|"]
        for g in judged:
            value = "—" if g["value"] is None else f"{g['value']:.4g}"
            rule = f"{g['metric']} on {g['dimension'] or '?'} {g['comparator']} {g['threshold']:g}"
            lines.append(
                f"| {rule} | {g['verdict']} | {value} | {'yes' if g['blocking'] else 'no'} |"
            )
    for dim in result["dimensions"]:
        lines += ["", f"## {dim['name']}", "", "| Metric | Value |", "|---|---|"]
        for name, summary in dim["summary"].items():
            value = summary.get("value")
            lines.append(f"| {name} | {'—' if value is None else f'{value:.4g}'} |")
    return "\n".join(lines).replace("\n|", "\n|") + "\n"


def to_junit(result: dict[str, Any], judged: list[dict[str, Any]]) -> str:
    # A failed gate that does not block is reported as skipped with its reason: the job's
    # test report then agrees with its exit status.
    failures = sum(1 for g in judged if g["verdict"] == "fail" and g["blocking"])
    skipped = sum(1 for g in judged if g["verdict"] != "pass") - failures
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name="forethought-audit" tests="{len(judged)}" failures="{failures}" '
        f'skipped="{skipped}">',
    ]
    for g in judged:
        name = f"{g['metric']} on {g['dimension'] or g['sensitive_feature'] or 'all'}"
        out.append(
            f"  <testcase classname={quoteattr(result['input']['name'])} name={quoteattr(name)}>"
        )
        if g["verdict"] == "fail" and g["blocking"]:
            out.append(
                f"    <failure message={quoteattr(g['reason'])}>{escape(g['reason'])}</failure>"
            )
        elif g["verdict"] != "pass":
            why = g["reason"] if g["verdict"] == "insufficient" else "Not blocking: " + g["reason"]
            out.append(f"    <skipped message={quoteattr(why)}/>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"


def counts_rows(counts: Counts) -> list[dict[str, Any]]:
    """The batch as the monitor API's counts rows (label and prediction as 0/1)."""
    rows = []
    for c, cell in enumerate(counts.cells.tolist()):
        groups = {
            f: counts.labels[i][code]
            for i, (f, code) in enumerate(zip(counts.features, cell, strict=True))
        }
        for outcome in range(4):
            n = int(counts.rows[c, outcome])
            if n:
                rows.append(
                    {
                        "groups": groups,
                        "label": str(outcome // 2),
                        "prediction": str(outcome % 2),
                        "count": n,
                        "weight": float(counts.w[c, outcome]),
                        "weight_sq": float(counts.w2[c, outcome]),
                    }
                )
    return rows


def push_body(path: Path, config: AuditConfig, counts: Counts, score_bins: int) -> dict[str, Any]:
    """What --push sends: the counts rows; with a score column, one row per score bin too
    (``score_bins`` equal-width bins over the scores' range, or one per whole number), so
    the monitor's audit run has AUC, the Brier score and calibration. A second pass over
    the file: the audit's own 4096 bins would make too many rows for a monitor."""
    if config.y_score is None or counts.bins is None or counts.score_min is None:
        return {"counts": counts_rows(counts)}
    from .histograms import ScoreBins
    from .pushdown import score_bin_rows

    assert counts.score_max is not None
    bins = ScoreBins.for_range(counts.score_min, counts.score_max, counts.bins.integer, score_bins)
    return {"counts": score_bin_rows(path, config, bins), "score_bins": bins.edge_list()}


def push(url: str, token: str, body: dict[str, Any], key: str) -> str:
    """POST the counts to a monitor; the answer's status line, or AuditInputError."""
    import urllib.error
    import urllib.request

    if not url.startswith(("https://", "http://")):
        raise AuditInputError("--push takes an http(s) URL.", field="push")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return f"pushed: HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace")
        raise AuditInputError(f"The monitor refused the push: HTTP {exc.code} {detail}") from None
    except OSError as exc:
        raise AuditInputError(f"Could not reach {url}: {exc}") from None


def run(opts: Mapping[str, Any]) -> tuple[str, int, str]:
    """(output, exit status, note for stderr)."""
    config = config_of(opts)
    gates = load_gates(Path(opts["gates"])) if opts["gates"] else []
    if bool(opts["push"]) != bool(opts["token"]):
        raise AuditInputError("--push and --token go together.", field="push")
    push_bins = opts.get("push_score_bins", PUSH_SCORE_BINS)
    if not 1 <= push_bins <= MAX_PUSH_SCORE_BINS:
        raise AuditInputError(
            f"--push-score-bins is between 1 and {MAX_PUSH_SCORE_BINS}.", field="push_score_bins"
        )
    path = Path(opts["file"])
    if not path.is_file():
        raise AuditInputError(f"No such file: {path}", field="file")
    from . import gates as gate_rules
    from .audit import compute, count_file, sha256_of
    from .reading import file_format

    counts = count_file(path, config)
    result = compute(counts, config)
    digest = sha256_of(path)
    result["input"] = {
        "name": path.name,
        "format": file_format(path),
        "sha256": digest,
        "rows": counts.total_rows,
        "bytes": path.stat().st_size,
    }
    judged = []
    for spec, blocking, action in gates:
        outcome: GateOutcome = gate_rules.evaluate(spec, result)
        judged.append(
            {
                "metric": spec.metric,
                "sensitive_feature": spec.sensitive_feature,
                "comparator": spec.comparator,
                "threshold": spec.threshold,
                "action": action,
                "blocking": blocking,
                "dimension": outcome.dimension,
                **outcome.as_fields(),
            }
        )
    status = FAIL if any(g["blocking"] and g["verdict"] == "fail" for g in judged) else PASS
    note = ""
    if opts["push"]:
        body = push_body(path, config, counts, push_bins)
        note = push(opts["push"], opts["token"], body, f"forethought-audit-{digest}")
    fmt = opts["format"]
    if fmt == "markdown":
        return to_markdown(result, judged), status, note
    if fmt == "junit":
        return to_junit(result, judged), status, note
    if fmt == "table":
        from .report import render_table

        return render_table(result), status, note
    result["gates"] = judged
    return json.dumps(result, indent=2, allow_nan=False) + "\n", status, note


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="forethought-audit",
        description="Audit a CSV or Parquet file of predictions against launch gates. "
        "Exit 0: every blocking gate passed; 1: a blocking gate failed; 2: bad input.",
    )
    add_options(parser)
    for action in parser._actions:
        if action.dest == "format":
            action.choices = ["json", "markdown", "junit", "table"]
    parser.add_argument("--gates", help="YAML or JSON file of launch gates")
    parser.add_argument("--output", help="write the report here instead of standard output")
    parser.add_argument("--push", help="a monitor's batches URL: /api/monitors/<id>/batches/")
    parser.add_argument("--token", help="API token for --push")
    parser.add_argument(
        "--push-score-bins",
        type=int,
        default=PUSH_SCORE_BINS,
        help=f"with --y-score: score bins sent with --push (default {PUSH_SCORE_BINS})",
    )
    try:
        opts = vars(parser.parse_args(argv))
    except SystemExit as exc:  # argparse: 2 on bad options, 0 on --help
        return int(exc.code or 0)
    try:
        text, status, note = run(opts)
    except AuditInputError as exc:
        sys.stderr.write(f"forethought-audit: {exc.message}\n")
        return BAD_INPUT
    if opts["output"]:
        Path(opts["output"]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if note:
        sys.stderr.write(note + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
