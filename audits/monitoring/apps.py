from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "audits.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring after launch"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
