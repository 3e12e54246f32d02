from typing import Any

from django.core.management.base import BaseCommand

from orgs.ledger.services import checkpoint_write


class Command(BaseCommand):
    help = "Write a signed checkpoint of every organization's chain head to checkpoint storage."

    def handle(self, *args: Any, **options: Any) -> None:
        name = checkpoint_write()
        self.stdout.write(f"Checkpoint written: {name}")
