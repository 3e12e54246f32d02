"""Erase submitters' contact details kept past their organization's retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reviews.feedback import services


class Command(BaseCommand):
    help = (
        "Erase feedback contact details older than each organization's retention period "
        "and record the counts in the event log."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        erased = services.purge_expired_contacts()
        total = sum(erased.values())
        self.stdout.write(
            f"Erased {total} contact record{'s' if total != 1 else ''} past retention "
            f"in {len(erased)} organization{'s' if len(erased) != 1 else ''}."
        )
