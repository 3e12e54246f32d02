from django.apps import AppConfig


class ModelCardsConfig(AppConfig):
    name = "reviews.modelcards"
    label = "modelcards"
    verbose_name = "Model cards"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
