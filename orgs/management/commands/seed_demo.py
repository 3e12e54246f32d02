from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from orgs.demo import DEMO_PASSWORD, Demo
from orgs.site import site_url


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo organization, people, AI system, review, workshop and "
        "audit. Idempotent: every app with a demo.py adds its part, in INSTALLED_APPS order."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        modules = [
            import_module(f"{config.name}.demo")
            for config in apps.get_app_configs()
            if find_spec(config.name) is not None and find_spec(f"{config.name}.demo") is not None
        ]
        demo = Demo()
        with transaction.atomic():
            for module in modules:
                if hasattr(module, "seed"):
                    module.seed(demo)
            for module in modules:
                if hasattr(module, "finish"):
                    module.finish(demo)
        # Work that needs what ran when the transaction committed (in eager mode, the demo
        # audit and its gate verdicts); with a real broker the audit may still be queued.
        with transaction.atomic():
            for module in modules:
                if hasattr(module, "after_commit"):
                    module.after_commit(demo)
        self.stdout.write(self.style.SUCCESS("Demo data ready: " + "; ".join(demo.summary)))
        self.stdout.write(
            f"Log in at {site_url()}/ as demo / {DEMO_PASSWORD} "
            f"(also facilitator, reviewer, participant and the workshop guest amara; same password)"
        )
