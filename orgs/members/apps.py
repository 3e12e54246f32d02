from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "orgs.members"
    label = "members"
    verbose_name = "Members and invitations"

    def ready(self) -> None:
        from . import event_names  # noqa: F401 - names its objects in the event log
