from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    label = "audits"
    verbose_name = "Fairness audits and launch gates"

    def ready(self) -> None:
        # Registers the system check, and names audit objects in the event log.
        from . import checks, event_names  # noqa: F401
