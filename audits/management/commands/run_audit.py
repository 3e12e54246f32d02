"""``manage.py run_audit``: the engine's command line (audits/engine/cli.py), which needs
no database."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audits.engine.cli import DESCRIPTION, add_options, run
from audits.engine.errors import AuditInputError


class Command(BaseCommand):
    help = DESCRIPTION
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        add_options(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            self.stdout.write(run(opts), ending="")
        except AuditInputError as exc:
            raise CommandError(exc.message, returncode=2) from exc
