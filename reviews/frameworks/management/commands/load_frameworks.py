from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.frameworks.library import LIBRARY_DIR, LibraryError, read_all
from reviews.frameworks.store import store


class Command(BaseCommand):
    help = (
        "Validate and load the framework libraries (*.yaml) and crosswalk mappings "
        "(mappings/*.yaml) of a directory, by default reviews/frameworks/libraries. A bad "
        "file is refused (exit 2) with its name, line and field; nothing is written then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(LIBRARY_DIR), help="Library directory")
        parser.add_argument("--check", action="store_true", help="Only validate; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        if not directory.is_dir():
            raise CommandError(f"No such directory: {directory}", returncode=2)
        try:
            libraries = read_all(directory)
        except LibraryError as exc:
            raise CommandError(f"Refused: {exc}", returncode=2) from exc
        if options["check"]:
            self.stdout.write(
                f"Valid: {len(libraries.frameworks)} frameworks, {len(libraries.mappings)} mappings"
            )
            return
        frameworks, requirements, edges = store(libraries, apps)
        self.stdout.write(
            f"Loaded {frameworks} frameworks ({requirements} requirements) and {edges} "
            "crosswalk edges"
        )
