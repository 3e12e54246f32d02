from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = "AI systems and reviews"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
