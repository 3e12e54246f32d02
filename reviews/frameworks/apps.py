from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "reviews.frameworks"
    label = "frameworks"
    verbose_name = "Regulatory framework libraries and crosswalk"
