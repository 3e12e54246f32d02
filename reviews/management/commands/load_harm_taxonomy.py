from django.core.management.base import BaseCommand

from reviews.models import HarmCategory
from reviews.workshops.taxonomy import TAXONOMY_PATH, load_taxonomy


class Command(BaseCommand):
    help = "Create or update harm categories from reviews/data/harm_taxonomy.json."

    def handle(self, *args, **options):
        count = load_taxonomy(HarmCategory)
        self.stdout.write(f"{count} harm categories loaded from {TAXONOMY_PATH.name}")
