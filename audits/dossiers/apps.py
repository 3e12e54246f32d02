from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "audits.dossiers"
    label = "dossiers"
    verbose_name = "Signed review dossiers"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
