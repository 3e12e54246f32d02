from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    label = "orgs"
    verbose_name = "Organizations and members"
