from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "reviews.controls"
    label = "controls"
    verbose_name = "Controls that meet requirements across frameworks"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
