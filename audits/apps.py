from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    label = "audits"
    verbose_name = "Fairness audits and launch gates"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system check
