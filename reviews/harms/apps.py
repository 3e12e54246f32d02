from django.apps import AppConfig


class HarmsConfig(AppConfig):
    name = "reviews.harms"
    label = "harms"
    verbose_name = "Harms, ratings and mitigations"
