import json

from django.core.management.base import BaseCommand, CommandError

from audits.engine.audit import audit_file
from audits.engine.config import AuditConfig
from audits.engine.errors import AuditInputError
from audits.engine.report import render_table


class Command(BaseCommand):
    help = (
        "Audit a CSV or Parquet file of predictions without touching the database. "
        "Prints the forethought.audit/1 JSON (or a table); exit code 2 on bad input."
    )
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--y-true", required=True, help="column of true outcomes")
        parser.add_argument("--y-pred", help="column of binary predictions")
        parser.add_argument("--y-score", help="column of scores (any units)")
        parser.add_argument(
            "--threshold",
            type=float,
            help="with --y-score: predicted positive when score >= threshold",
        )
        parser.add_argument(
            "--sensitive", required=True, help="sensitive feature column(s), comma-separated"
        )
        parser.add_argument(
            "--positive",
            help="label/prediction value of the positive class (default: 1, true, yes)",
        )
        parser.add_argument(
            "--positive-is",
            choices=["beneficial", "harmful"],
            default="beneficial",
            help="is a positive prediction good for the person (a loan) or bad "
            "(flagged as high risk)?",
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

    def handle(self, *args, **opts):
        references = {}
        for item in opts["reference"]:
            column, sep, value = item.partition("=")
            if not sep or not column:
                raise CommandError(f"--reference takes COL=VALUE, got {item!r}", returncode=2)
            references[column.strip()] = value.strip()
        sensitive = tuple(c.strip() for c in opts["sensitive"].split(",") if c.strip())
        try:
            config = AuditConfig(
                y_true=opts["y_true"],
                y_pred=opts["y_pred"],
                y_score=opts["y_score"],
                threshold=opts["threshold"],
                sensitive=sensitive,
                positive=opts["positive"],
                positive_is=opts["positive_is"],
                reference=references,
                weight=opts["weight"],
                bootstrap=opts["bootstrap"],
                seed=opts["seed"],
                min_group_size=opts["min_group_size"],
            )
            from pathlib import Path

            path = Path(opts["file"])
            if not path.is_file():
                raise AuditInputError(f"No such file: {path}", field="file")
            result = audit_file(path, config)
        except AuditInputError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if opts["format"] == "table":
            self.stdout.write(render_table(result), ending="")
        else:
            self.stdout.write(json.dumps(result, indent=2, allow_nan=False))
