"""The audit from the command line, with no Django and no database: ``python -m
audits.engine.cli FILE --y-true COL …`` or ``python manage.py run_audit FILE …`` (the same
options). Prints the ``forethought.audit/1`` JSON or a table; exit code 2 with a message on
bad input."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .config import AuditConfig
from .errors import AuditInputError
from .report import render_table

DESCRIPTION = (
    "Audit a CSV or Parquet file of predictions without touching the database. "
    "Prints the forethought.audit/1 JSON (or a table); exit code 2 on bad input."
)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file")
    parser.add_argument("--y-true", required=True, help="column of true outcomes")
    parser.add_argument("--y-pred", help="column of binary predictions")
    parser.add_argument("--y-score", help="column of scores (any units)")
    parser.add_argument(
        "--threshold", type=float, help="with --y-score: predicted positive when score >= threshold"
    )
    parser.add_argument(
        "--sensitive", required=True, help="sensitive feature column(s), comma-separated"
    )
    parser.add_argument(
        "--positive", help="label/prediction value of the positive class (default: 1, true, yes)"
    )
    parser.add_argument(
        "--positive-is",
        choices=["beneficial", "harmful"],
        default="beneficial",
        help="is a positive prediction good for the person (a loan) or bad (flagged as high risk)?",
    )
    parser.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="reference group of a feature (default: its largest group)",
    )
    parser.add_argument("--weight", help="sample-weight column")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-group-size", type=int, default=30)
    parser.add_argument("--format", choices=["json", "table"], default="json")


def config_of(opts: Mapping[str, Any]) -> AuditConfig:
    """The AuditConfig the parsed options describe; ``AuditInputError`` on bad input."""
    references = {}
    for item in opts["reference"]:
        column, sep, value = item.partition("=")
        if not sep or not column:
            raise AuditInputError(f"--reference takes COL=VALUE, got {item!r}", field="reference")
        references[column.strip()] = value.strip()
    return AuditConfig(
        y_true=opts["y_true"],
        y_pred=opts["y_pred"],
        y_score=opts["y_score"],
        threshold=opts["threshold"],
        sensitive=tuple(c.strip() for c in opts["sensitive"].split(",") if c.strip()),
        positive=opts["positive"],
        positive_is=opts["positive_is"],
        reference=references,
        weight=opts["weight"],
        bootstrap=opts["bootstrap"],
        seed=opts["seed"],
        min_group_size=opts["min_group_size"],
    )


def run(opts: Mapping[str, Any]) -> str:
    """The output for parsed options; ``AuditInputError`` on bad input."""
    from .audit import audit_file  # numpy and pyarrow only once the options are read

    config = config_of(opts)
    path = Path(opts["file"])
    if not path.is_file():
        raise AuditInputError(f"No such file: {path}", field="file")
    result = audit_file(path, config)
    if opts["format"] == "table":
        return render_table(result)
    return json.dumps(result, indent=2, allow_nan=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audits.engine.cli", description=DESCRIPTION)
    add_options(parser)
    try:
        sys.stdout.write(run(vars(parser.parse_args(argv))))
    except AuditInputError as exc:
        sys.stderr.write(f"{exc.message}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
