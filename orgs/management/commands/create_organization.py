from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs import services
from orgs.plumbing.errors import ServiceError


class Command(BaseCommand):
    help = "Create an organization whose first owner is an existing user. Exit 2 on bad input."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--owner", required=True, metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = get_user_model().objects.filter(username=options["owner"]).first()
        if owner is None:
            raise CommandError(f"No user named {options['owner']!r}.", returncode=2)
        try:
            organization = services.organization_create(
                actor=owner, name=options["name"], slug=options["slug"]
            )
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"Created {organization.name} ({organization.slug}), owner {owner}.")
