from django.apps import AppConfig


class HarmsConfig(AppConfig):
    name = "reviews.harms"
    label = "harms"
    verbose_name = "Harms, ratings and mitigations"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
