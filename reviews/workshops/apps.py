from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "reviews.workshops"
    label = "workshops"
    verbose_name = "Participatory workshops"
