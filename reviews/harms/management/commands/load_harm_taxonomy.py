from typing import Any

from django.core.management.base import BaseCommand

from reviews.harms.models import HarmCategory
from reviews.harms.taxonomy import TAXONOMY_PATH, load_taxonomy


class Command(BaseCommand):
    help = "Create or update harm categories from reviews/harms/data/harm_taxonomy.json."

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_taxonomy(HarmCategory)
        self.stdout.write(f"{count} harm categories loaded from {TAXONOMY_PATH.name}")
