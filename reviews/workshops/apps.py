from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "reviews.workshops"
    label = "workshops"
    verbose_name = "Participatory workshops"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
