from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "reviews.feedback"
    label = "feedback"
    verbose_name = "Community feedback"

    def ready(self) -> None:
        from orgs import access

        from . import event_names  # noqa: F401 - names its objects in the event log
        from .selectors import contact_roles

        access.SETTINGS["feedback_contact_roles"] = contact_roles
