from django.core.management.base import BaseCommand

from reviews.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organization, users, AI system and review. Idempotent."

    def handle(self, *args, **options):
        summary = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready: " + summary))
        self.stdout.write(
            f"Log in at http://127.0.0.1:8000/ as demo / {DEMO_PASSWORD} "
            f"(also facilitator, reviewer, participant; same password)"
        )
