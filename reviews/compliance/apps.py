from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "reviews.compliance"
    label = "compliance"
    verbose_name = "Compliance checklists, controls and evidence"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
