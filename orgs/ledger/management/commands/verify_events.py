from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.ledger.services import verify_all


class Command(BaseCommand):
    help = (
        "Check every organization's event chain (or one, with --organization) against its "
        "chain head and the latest signed checkpoint. Exits 0 when intact, 1 naming the first "
        "broken event, 2 on bad arguments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", metavar="SLUG", help="check only this organization")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("organization")
        reports = verify_all(slug)
        if slug and not reports:
            raise CommandError(f"No organization with slug {slug!r}.", returncode=2)
        broken = 0
        for report in reports:
            if report.intact:
                self.stdout.write(f"{report.organization}: intact, {report.checked} events")
                continue
            broken += 1
            where = f" at event #{report.first_broken_seq}" if report.first_broken_seq else ""
            row = f" (id {report.first_broken_id})" if report.first_broken_id else ""
            self.stderr.write(f"{report.organization}: BROKEN{where}{row}: {report.message}")
        if broken:
            raise CommandError(f"{broken} event chain(s) broken.", returncode=1)
