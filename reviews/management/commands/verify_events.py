from django.core.management.base import BaseCommand, CommandError

from reviews.events import verify_chain
from reviews.models import Organization


class Command(BaseCommand):
    help = (
        "Check every organization's hash-chained event log (or one, with --organization). "
        "Exits 0 when intact, 1 naming the first broken event, 2 on bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", metavar="SLUG", help="check only this organization")

    def handle(self, *args, **options):
        organizations = Organization.objects.order_by("slug")
        slug = options.get("organization")
        if slug:
            organizations = organizations.filter(slug=slug)
            if not organizations.exists():
                raise CommandError(f"No organization with slug {slug!r}.", returncode=2)
        broken = 0
        for organization in organizations:
            report = verify_chain(organization)
            if report.intact:
                self.stdout.write(f"{organization.slug}: intact, {report.checked} events")
            else:
                broken += 1
                self.stderr.write(
                    f"{organization.slug}: BROKEN at event #{report.first_broken_seq}"
                    f"{f' (id {report.first_broken_id})' if report.first_broken_id else ''}: "
                    f"{report.message}"
                )
        if broken:
            raise CommandError(f"{broken} event chain(s) broken.", returncode=1)
