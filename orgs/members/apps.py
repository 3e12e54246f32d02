from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "orgs.members"
    label = "members"
    verbose_name = "Members and invitations"
